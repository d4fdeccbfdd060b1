package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/diff"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/pipeline"
)

func (a app) diffCmd() *cobra.Command {
	var path catalogRef
	var base, format string
	var exitCode bool
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
  novagen diff --base origin/main --format markdown -f services.yaml

With --exit-code, like git diff --exit-code, the status says what it found:
0 the renders are the same, 1 they differ (the report is printed), 2 an
error (a bad command line, a catalog that cannot be read or rendered), so
that CI can tell a change from a failure. Without it, an error exits 1 and a
difference 0.`,
		RunE: func(c *cobra.Command, args []string) error {
			r, f, err := a.compareCatalogs(c, args, path, base, format)
			if err != nil {
				return err // Main exits 2 under --exit-code
			}
			if f == check.Markdown {
				err = r.WriteMarkdown(c.OutOrStdout())
			} else {
				err = r.WriteText(c.OutOrStdout())
			}
			if err == nil && exitCode && len(r.Groups) > 0 {
				return errDiffers
			}
			return err
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringVar(&base, "base", "", "compare the catalog at -f with its version at this git revision (git show REV:PATH)")
	c.Flags().StringVarP(&format, "format", "o", "text", "text or markdown")
	c.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when the renders differ, 2 on an error, 0 when they are the same")
	return c
}

// compareCatalogs loads and renders the two catalogs diff's arguments
// name and compares them.
func (a app) compareCatalogs(c *cobra.Command, args []string, path catalogRef, base, format string) (diff.Report, check.Format, error) {
	f, err := check.ParseFormat(format)
	if err != nil {
		return diff.Report{}, f, err
	}
	var old, new *catalog.Catalog
	switch {
	case base != "" && len(args) == 0:
		if old, err = a.loadAtRef(base, path.path, path.env); err == nil {
			new, err = a.loadCatalog(c, path)
		}
	case base == "" && len(args) == 2:
		if old, err = a.loadCatalog(c, catalogRef{args[0], path.env}); err == nil {
			new, err = a.loadCatalog(c, catalogRef{args[1], path.env})
		}
	default:
		err = fmt.Errorf("diff takes two catalogs (OLD NEW) or --base REF, got %d arguments", len(args))
	}
	if err != nil {
		return diff.Report{}, f, err
	}
	oldNodes, err := a.renderAll(old)
	if err != nil {
		return diff.Report{}, f, err
	}
	newNodes, err := a.renderAll(new)
	if err != nil {
		return diff.Report{}, f, err
	}
	return diff.Compare(old, new, oldNodes, newNodes), f, nil
}

// errDiffers is diff --exit-code's finding that the renders differ: Main
// prints the report and exits 1.
var errDiffers = errors.New("the renders differ")

// renderAll runs every generator and transformer, as render does.
func (a app) renderAll(cat *catalog.Catalog) ([]*yaml.RNode, error) {
	return pipeline.Run(cat, pipeline.Options{Registry: a.reg}, nil)
}

// loadAtRef loads the catalog at path as committed at rev, with the files
// it names (spec.contracts' protos) as committed too, each read from git
// within the guard's limits: nothing else of the revision is read. git
// runs without a shell, in path's directory, and rev cannot be an option.
func (a app) loadAtRef(rev, path, env string) (*catalog.Catalog, error) {
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
	g := gitRevision{dir: dir, rev: rev}
	name := rev + ":" + path
	data, err := g.file(file, load.MaxCatalogBytes+1)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read catalog: %w", name, err)
	}
	if len(data) > load.MaxCatalogBytes {
		return nil, fmt.Errorf("%s: catalog is larger than %d MiB, the most novagen reads", name, load.MaxCatalogBytes>>20)
	}
	if data, err = guard.Read(name, "catalog", bytes.NewReader(data), load.MaxCatalogBytes); err != nil {
		return nil, err
	}
	return pipeline.Loader(a.reg).ParseFrom(g.file, name, data, env)
}

// gitRevision reads files of one revision, relative to dir.
type gitRevision struct{ dir, rev string }

// file reads name (relative to dir, never leaving it: the catalog's
// checks see to that) as committed, at most limit bytes: the blob's
// type and size come first (git ls-tree), then at most limit bytes of it
// (git cat-file, stopped there). A link, a submodule or a tree is not a
// file.
func (g gitRevision) file(name string, limit int64) ([]byte, error) {
	out, err := g.run(1<<10, "ls-tree", "-l", "--end-of-options", g.rev, "--", "./"+filepath.ToSlash(name))
	if err != nil {
		return nil, err
	}
	// <mode> SP <type> SP <object> SP+ <size> TAB <path>
	meta, _, ok := strings.Cut(string(out), "\t")
	f := strings.Fields(meta)
	if !ok || len(f) != 4 {
		return nil, fmt.Errorf("no such file at %s", g.rev)
	}
	if f[0] != "100644" && f[0] != "100755" {
		return nil, fmt.Errorf("not a regular file at %s", g.rev)
	}
	return g.run(limit, "cat-file", "blob", f[2])
}

// run runs git in dir and returns at most limit bytes of its output,
// stopping it there.
func (g gitRevision) run(limit int64, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", g.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &boundedWriter{w: &stderr, n: 4 << 10}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	data, rerr := io.ReadAll(io.LimitReader(out, limit))
	if int64(len(data)) == limit {
		// At the cap: what is left is not read, so git is stopped.
		cmd.Process.Kill() //nolint:errcheck // it may have ended already
		cmd.Wait()         //nolint:errcheck // killed
		return data, rerr
	}
	werr := cmd.Wait()
	if rerr != nil {
		return nil, rerr
	}
	if werr != nil {
		return nil, fmt.Errorf("git %s: %s", args[0], firstLine(stderr.String(), werr))
	}
	return data, nil
}

// firstLine is the first line git wrote on stderr, or how it ended.
func firstLine(stderr string, err error) string {
	line, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
	if line == "" {
		return err.Error()
	}
	return guard.Escape(line)
}

// boundedWriter keeps the first n bytes written to it.
type boundedWriter struct {
	w io.Writer
	n int
}

func (b *boundedWriter) Write(p []byte) (int, error) {
	if keep := min(len(p), b.n); keep > 0 {
		b.w.Write(p[:keep]) //nolint:errcheck // a bytes.Buffer
		b.n -= keep
	}
	return len(p), nil
}
