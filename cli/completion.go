package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/pipeline"
)

// formatValues are the values of each command's --format or -o/--output
// flag (TestFormatCompletionMatchesCommands holds them to what the
// commands accept).
var formatValues = map[string][]string{
	"check":      {"text", "markdown", "json"},
	"diff":       {"text", "markdown"},
	"generators": {"text", "json", "markdown"},
	"graph":      {"mermaid", "dot"},
	"partitions": {"table", "json"},
	"validate":   {"text", "json"},
	"verify":     {"text", "json"},
}

// registerCompletions offers the values of root's commands' flags to
// shell completion (novagen completion bash|zsh|fish): generator and
// transformer names from the registries, environments and partitions
// from the catalog -f names, formats, and a catalog's node names for
// init --depends-on. A flag is completed wherever a command has it.
func (a app) registerCompletions(root *cobra.Command) {
	gens, trans := a.generatorNames(), a.transformerNameList()
	for _, c := range root.Commands() {
		completeFlag(c, "generator", listCompletion(func(*cobra.Command) []string { return gens }))
		completeFlag(c, "transformer", listCompletion(func(*cobra.Command) []string { return trans }))
		completeFlag(c, "environment", valueCompletion(a.catalogEnvironments))
		completeFlag(c, "partition", valueCompletion(a.catalogPartitions))
		completeFlag(c, "depends-on", listCompletion(a.catalogNodes))
		if values, ok := formatValues[c.Name()]; ok {
			fixed := valueCompletion(func(*cobra.Command) []string { return values })
			completeFlag(c, "format", fixed)
			completeFlag(c, "output", fixed)
		}
		if f := c.Flags().Lookup("file"); f != nil {
			_ = c.MarkFlagFilename("file", "yaml", "yml")
		}
	}
}

// completeFlag registers complete for c's flag name, if c has it.
func completeFlag(c *cobra.Command, name string, complete cobra.CompletionFunc) {
	if c.Flags().Lookup(name) != nil {
		_ = c.RegisterFlagCompletionFunc(name, complete)
	}
}

// valueCompletion offers the values that start with what is typed.
func valueCompletion(values func(*cobra.Command) []string) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values(c) {
			if strings.HasPrefix(v, typed) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// listCompletion completes the last item of a comma-separated list
// (-g a,b): the items typed stay, those already there are not offered.
func listCompletion(values func(*cobra.Command) []string) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done := typed[:strings.LastIndex(typed, ",")+1]
		given := strings.Split(done, ",")
		var out []string
		for _, v := range values(c) {
			if !slices.Contains(given, v) && strings.HasPrefix(done+v, typed) {
				out = append(out, done+v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

func (a app) generatorNames() []string {
	var n []string
	for _, g := range a.reg.All() {
		n = append(n, g.Name)
	}
	return n
}

func (a app) transformerNameList() []string {
	var n []string
	for _, t := range a.reg.Transformers() {
		n = append(n, t.Name)
	}
	return n
}

// completionCatalog loads the catalog c's -f names (in its -e
// environment, if it has one), or nil: completion is best effort and
// says nothing of a catalog that does not load, nor reads standard input.
func (a app) completionCatalog(c *cobra.Command, env string) *catalog.Catalog {
	path, err := c.Flags().GetString("file")
	if err != nil || path == "-" || path == "" {
		return nil
	}
	cat, err := pipeline.Loader(a.reg).LoadEnv(path, env)
	if err != nil {
		return nil
	}
	return cat
}

func (a app) catalogEnvironments(c *cobra.Command) []string {
	if cat := a.completionCatalog(c, ""); cat != nil {
		return cat.EnvironmentNames
	}
	return nil
}

func (a app) catalogPartitions(c *cobra.Command) []string {
	env, _ := c.Flags().GetString("environment")
	if cat := a.completionCatalog(c, env); cat != nil {
		return cat.PartitionNames()
	}
	return nil
}

// catalogNodes are what a service may depend on: the catalog's
// endpoints (services, infrastructure, externals).
func (a app) catalogNodes(c *cobra.Command) []string {
	cat := a.completionCatalog(c, "")
	if cat == nil {
		return nil
	}
	var n []string
	for _, e := range cat.Endpoints() {
		n = append(n, e.Name)
	}
	return n
}
