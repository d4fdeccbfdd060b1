package cli

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/diff"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/schema"
)

func diffCmd() *cobra.Command {
	var path catalogRef
	var base, format string
	c := &cobra.Command{
		Use:   "diff [OLD NEW | --base REF [-f services.yaml]]",
		Short: "Show which objects a catalog change adds, removes or changes, grouped by service",
		Long: `Render two catalogs the way novagen render does and compare them object by
object: added, removed and changed objects (with the changed field paths),
grouped by the catalog service or component they belong to. Jobs are matched
by their app.kubernetes.io/name, so a Job whose spec (and so name hash)
changes shows as changed.

  novagen diff old.yaml services.yaml
  novagen diff --base main                    # services.yaml as committed on main
  novagen diff --base origin/main --format markdown -f services.yaml`,
		RunE: func(c *cobra.Command, args []string) error {
			f, err := check.ParseFormat(format)
			if err != nil {
				return err
			}
			var old, new *schema.Catalog
			switch {
			case base != "" && len(args) == 0:
				if old, err = loadAtRef(base, path.path, path.env); err == nil {
					new, err = load(c, path)
				}
			case base == "" && len(args) == 2:
				if old, err = load(c, catalogRef{args[0], path.env}); err == nil {
					new, err = load(c, catalogRef{args[1], path.env})
				}
			default:
				return fmt.Errorf("diff takes two catalogs (OLD NEW) or --base REF, got %d arguments", len(args))
			}
			if err != nil {
				return err
			}
			oldNodes, err := renderAll(old)
			if err != nil {
				return err
			}
			newNodes, err := renderAll(new)
			if err != nil {
				return err
			}
			r := diff.Compare(old, new, oldNodes, newNodes)
			if f == check.Markdown {
				return r.WriteMarkdown(c.OutOrStdout())
			}
			return r.WriteText(c.OutOrStdout())
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringVar(&base, "base", "", "compare the catalog at -f with its version at this git revision (git show REV:PATH)")
	c.Flags().StringVar(&format, "format", "text", "text or markdown")
	return c
}

// renderAll runs every generator and transformer, as render does.
func renderAll(cat *schema.Catalog) ([]*yaml.RNode, error) {
	return pipeline.Run(cat, pipeline.Options{}, nil)
}

// loadAtRef loads the catalog at path as committed at rev, with the files
// it names (spec.contracts' protos) as committed too: the catalog's
// directory at rev is extracted into a temporary directory (git runs
// without a shell, in path's directory, and rev cannot be an option).
func loadAtRef(rev, path, env string) (*schema.Catalog, error) {
	if path == "-" {
		return nil, fmt.Errorf("--base needs a catalog file (-f), not standard input")
	}
	if strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, ":\x00") {
		return nil, fmt.Errorf("--base %q: not a git revision", rev)
	}
	dir, file := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	spec := rev + ":./" + file
	cmd := exec.Command("git", "-C", dir, "show", "--end-of-options", spec)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git show %s (in %s): %v: %s", spec, dir, err, strings.TrimSpace(stderr.String()))
	}
	tree, err := os.MkdirTemp("", "novagen-diff-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tree)
	if err := extractAtRef(dir, rev, tree); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(tree)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return schema.ParseIn(root, rev+":"+path, stdout.Bytes(), env)
}

// maxTreeBytes bounds what extractAtRef writes.
const maxTreeBytes = 256 << 20

// extractAtRef writes the regular files of dir as committed at rev into
// dst (git archive of dir's subtree; links and anything but files and
// directories are left out, and no entry may leave dst).
func extractAtRef(dir, rev, dst string) error {
	cmd := exec.Command("git", "-C", dir, "archive", "--format=tar", "--end-of-options", rev, ".")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	werr := untar(out, dst)
	io.Copy(io.Discard, out) //nolint:errcheck // drain, so git exits
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s (in %s): %v: %s", rev, dir, err, strings.TrimSpace(stderr.String()))
	}
	return werr
}

func untar(r io.Reader, dst string) error {
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	budget := int64(maxTreeBytes)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if budget -= h.Size; budget < 0 {
				return fmt.Errorf("git archive: the catalog's directory is larger than %d MiB", maxTreeBytes>>20)
			}
			if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				return err
			}
			f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, io.LimitReader(tr, h.Size))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
