// Package cli is novagen's command line: a thin cobra front over the same
// calls the KRM function makes, with the registry of generators it is
// given (Main, Run, NewRoot): novagen's own, or a program's that adds
// generators of its own (examples/custom-generator).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/synth"
)

const defaultCatalog = "services.yaml"

// app is one novagen program: its registry of generators and
// transformers, which every command that loads a catalog (their
// extensions' sections) or runs generators uses.
type app struct {
	reg *generators.Registry
}

// Run runs novagen, with reg's generators and transformers, on args and
// returns the exit status. Output is buffered and written only on
// success, so a failing command never leaves partial YAML on stdout; a
// check that fails still prints its report, and so does diff --exit-code
// that found differences (status 1), and so does verify that found a
// FAIL. An error exits 1, or 2 under --exit-code and for verify, so that
// it is not read as "changed" or "failed".
func Run(reg *generators.Registry, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if reg == nil {
		pipeline.PrintError(stderr, errors.New("internal error: cli.Run without a registry (generators.Default(), or a program's own)"))
		return 1
	}
	if len(args) >= 1 && args[0] == "fn" {
		// The KRM function owns stdin/stdout entirely.
		if o, ok := fns.ParseArgs(args[1:]); ok {
			o.Registry = reg
			return fns.Main(o)
		}
	}
	failed := 1
	if exitCodeFlag(args) || len(args) > 0 && args[0] == "verify" {
		failed = 2 // verify's 1 is a FAIL found
	}
	var out output
	root := NewRoot(reg, &out, isTerminal(stdout))
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetErr(stderr)
	err := root.Execute()
	status := 0
	switch {
	case errors.Is(err, errDiffers), errors.Is(err, errVerifyFailed):
		err, status = nil, 1 // the report is the output
	case errors.Is(err, errReported):
		// The report is the output; its FAIL lines say why.
		_, _ = out.WriteTo(stdout)
	}
	if err == nil {
		_, err = out.WriteTo(stdout)
	}
	if err != nil {
		pipeline.PrintError(stderr, err)
		return failed
	}
	return status
}

// exitCodeFlag says whether args ask for diff's --exit-code, read before
// cobra parses them: a command line it refuses must exit 2 too.
func exitCodeFlag(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--exit-code" || strings.HasPrefix(a, "--exit-code=") && a != "--exit-code=false" {
			return true
		}
	}
	return false
}

// NewRoot is the novagen command with reg's generators and transformers,
// printing to out (colour: on a terminal), for a program that adds
// commands of its own; Run runs it as novagen does.
func NewRoot(reg *generators.Registry, out io.Writer, colour bool) *cobra.Command {
	a := app{reg: reg}
	root := &cobra.Command{
		Use:   "novagen",
		Short: "Generate the Kubernetes manifests of a microservice environment from one service catalog",
		Long: `novagen turns services.yaml, a declarative catalog of services, databases,
dependencies, topics and infrastructure, into Kubernetes manifests.

It runs standalone (novagen render) or as an exec KRM function inside
kustomize build --enable-alpha-plugins --enable-exec (novagen fn).`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	// cobra adds --version and -v (no root flag takes -v).
	root.Version = currentBuild().String()
	root.SetVersionTemplate("novagen {{.Version}}\n")
	root.SetOut(out)
	root.AddCommand(versionCmd(), a.renderCmd(), a.buildCmd(), a.partitionsCmd(), a.validateCmd(), discoverCmd(), copySelfCmd(), a.graphCmd(), checkCmd(colour), a.diffCmd(), a.schemaCmd(), a.explainCmd(), fnCmd(), synthCmd(), a.initCmd(), a.generatorsCmd(), a.restoreCmd(), a.verifyCmd(colour))
	a.registerCompletions(root)
	return root
}

// catalogRef is the catalog a command reads: its path and environment.
type catalogRef struct {
	path, env string
}

func catalogFlag(c *cobra.Command, ref *catalogRef) {
	c.Flags().StringVarP(&ref.path, "file", "f", defaultCatalog, `path of the service catalog ("-" reads standard input)`)
	c.Flags().StringVarP(&ref.env, "environment", "e", "", "an environment of the catalog's spec.environments (default: the catalog as written)")
}

// stdinName names standard input in error positions, as kubectl does.
const stdinName = "<stdin>"

// loadCatalog reads the catalog at ref.path, or from the command's stdin for
// "-", in environment ref.env. A catalog on stdin has no directory: its
// relative paths (the proto files of spec.contracts) resolve in the
// working directory.
func (a app) loadCatalog(c *cobra.Command, ref catalogRef) (*catalog.Catalog, error) {
	opts := pipeline.Loader(a.reg)
	if ref.path != "-" {
		return opts.LoadEnv(ref.path, ref.env)
	}
	data, err := load.Read(stdinName, c.InOrStdin())
	if err != nil {
		return nil, err
	}
	wd, err := os.OpenRoot(".")
	if err != nil {
		return opts.ParseEnv(stdinName, data, ref.env)
	}
	defer wd.Close()
	return opts.ParseIn(wd, stdinName, data, ref.env)
}

func (a app) renderCmd() *cobra.Command {
	var path catalogRef
	var gens, trans []string
	var partition string
	c := &cobra.Command{
		Use:   "render",
		Short: "Print every generated object as multi-document YAML",
		Long: `Print every generated object as multi-document YAML, byte-for-byte the same
for the same catalog. By default all generators run, then all transformers.
With --partition, only that partition's objects (novagen partitions lists
them): the union of every partition's render is the whole render.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, err := a.loadCatalog(c, path)
			if err != nil {
				return err
			}
			if partition != "" {
				if _, err := cat.InPartition(partition); err != nil {
					return fmt.Errorf("%s: --partition: %w", path.path, err)
				}
			}
			opts := pipeline.Options{Registry: a.reg, Generators: gens, Partition: partition}
			if c.Flags().Changed("transformer") {
				// Non-nil: exactly these ("" for none).
				opts.Transformers = slices.DeleteFunc(append([]string{}, trans...), func(s string) bool { return s == "" })
			}
			return pipeline.Render(cat, opts, c.OutOrStdout())
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringSliceVarP(&gens, "generator", "g", nil, "run only these generators (repeatable; default all): "+strings.Join(a.generatorNames(), ", "))
	c.Flags().StringSliceVarP(&trans, "transformer", "t", nil, `run only these transformers (repeatable; default all; -t "" for none): `+strings.Join(a.transformerNameList(), ", "))
	c.Flags().StringVarP(&partition, "partition", "p", "", "render only this partition of a catalog with spec.partitions (see novagen partitions)")
	return c
}

func (a app) graphCmd() *cobra.Command {
	var path catalogRef
	var format string
	c := &cobra.Command{
		Use:   "graph",
		Short: "Print the dependency graph (the one startup order, waves and NetworkPolicies come from) and the Kafka topics with their producers and consumers",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, err := a.loadCatalog(c, path)
			if err != nil {
				return err
			}
			switch format {
			case "mermaid":
				_, err = io.WriteString(c.OutOrStdout(), cat.Mermaid())
			case "dot":
				_, err = io.WriteString(c.OutOrStdout(), cat.DOT())
			default:
				return fmt.Errorf("--format %q: expected mermaid or dot", format)
			}
			return err
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringVarP(&format, "format", "o", "mermaid", "mermaid or dot")
	return c
}

// fnCmd documents the function mode; Main dispatches it before cobra so
// that the function owns stdin and stdout.
func discoverCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "discover [DIR]",
		Short: "List the novagen function configs kustomize build DIR runs (Argo CD plugin discovery)",
		Long: `List the novagen function configs (kind ` + fns.ConfigKind + `) that kustomize build DIR
would run: those of its kustomization and of the local bases and components it
includes, recursively, inside the repository. Nothing is printed when there are
none, which is what Argo CD's plugin discovery (discover.find.command) reads.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			found, err := fns.Discover(dir)
			if err != nil {
				return err
			}
			for _, f := range found {
				fmt.Fprintln(c.OutOrStdout(), f)
			}
			return nil
		},
	}
}

func copySelfCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "copy-self DIR",
		Short: "Copy this novagen executable into DIR (an init container sharing it with Argo CD's repo-server)",
		Long: `Copy this novagen executable to DIR/novagen (mode 0755, written beside and
renamed into place). The function image has no shell and no cp: an init
container runs novagen copy-self /shared/bin to put novagen on another
container's PATH (deploy/argocd/native).`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dst, err := copySelf(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "copied novagen to %s\n", dst)
			return nil
		},
	}
}

// copySelf copies the running executable to dir/novagen.
func copySelf(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	src, err := os.Open(self)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst := filepath.Join(dir, "novagen")
	return dst, writeReplacing(dst, 0o755, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

func fnCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fn",
		Short: "Run as an exec KRM function (kustomize build --enable-alpha-plugins --enable-exec)",
		Long: `Run as an exec KRM function: read a ResourceList on stdin, write one on stdout.
Reference it from a kustomize generators: or transformers: entry (or a
kpt Kptfile: exec: novagen fn, configPath: FILE; spec.catalog is then
relative to FILE):

  apiVersion: ` + fns.ConfigAPIVersion + `
  kind: ` + fns.ConfigKind + `
  metadata:
    name: nova
    annotations:
      config.kubernetes.io/function: |
        exec:
          path: novagen     # found through PATH
          args: [fn]
  spec:
    catalog: ../../services.yaml   # inside the repository
`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("fn takes no arguments but --config-dir DIR")
		},
	}
	cmd.Flags().String("config-dir", "", "directory of the function config's file, against which spec.catalog resolves when the config does not say where it lies (kpt fn eval --fn-config)")
	return cmd
}

// synthCmd prints a synthetic catalog, for benchmarks and scale tests.
func synthCmd() *cobra.Command {
	var o synth.Options
	c := &cobra.Command{
		Use:   "synth",
		Short: "Print a synthetic catalog of N services (deterministic for a seed)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			data, err := synth.Catalog(o)
			if err != nil {
				return err
			}
			_, err = c.OutOrStdout().Write(data)
			return err
		},
	}
	c.Flags().IntVar(&o.Services, "services", 100, fmt.Sprintf("number of services (1 to %d)", synth.MaxServices))
	c.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed gives the same catalog")
	return c
}
