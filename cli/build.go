package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/kbuild"
)

// buildCmd is the Argo CD plugin's generate command.
func (a app) buildCmd() *cobra.Command {
	var o kbuild.Options
	var explain bool
	c := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Print what kustomize build --enable-alpha-plugins --enable-exec DIR prints, in-process when DIR only runs NovaGen configs (the Argo CD plugin's generate)",
		Long: `Print what kustomize build --enable-alpha-plugins --enable-exec DIR prints.

When DIR's kustomization only runs NovaGen function configs (only apiVersion,
kind, generators and transformers, each entry a file of DIR holding one NovaGen
config run as exec novagen fn) and the novagen on PATH is this one, novagen runs
them itself, loading each catalog once: generators in order, then transformers
over all they made, printed byte for byte as kustomize prints them. Anything
else (resources, patches, bases, overlays, components, namePrefix, other
functions, an object id twice, ...) runs kustomize build from PATH instead.
--explain says which, and why, on stderr.

Argo CD's plugin parameters are read from the environment: PARAM_ENVIRONMENT
(the catalog environment of every config that names none; one that names
another is an error) and PARAM_PARTITION (as NOVAGEN_PARTITION). Both must be
DNS labels, and the catalog must have them. The flags override them.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			params, err := kbuild.ParamsFromEnv(os.Getenv)
			if err != nil {
				return err
			}
			if c.Flags().Changed("environment") {
				params.Environment = o.Environment
			}
			if c.Flags().Changed("partition") {
				params.Partition = o.Partition
			}
			o.Params, o.Registry = params, a.reg
			o.Self = kbuild.SelfOnPath
			if explain {
				o.Explain = c.ErrOrStderr()
			}
			return kbuild.Build(dir, o, c.OutOrStdout(), c.ErrOrStderr())
		},
	}
	c.Flags().StringVarP(&o.Environment, "environment", "e", "", "the catalog environment of configs that name none (default $PARAM_ENVIRONMENT)")
	c.Flags().StringVarP(&o.Partition, "partition", "p", "", "render only this partition (default $PARAM_PARTITION)")
	c.Flags().StringVar(&o.Kustomize, "kustomize", "kustomize", "the kustomize executable of the fallback (found through PATH)")
	c.Flags().BoolVar(&explain, "explain", false, "say on stderr whether novagen rendered directly or ran kustomize, and why")
	return c
}
