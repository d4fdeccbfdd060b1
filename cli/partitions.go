package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/catalog"
)

// Partition is one line of `novagen partitions`; in JSON, an element of
// the file the ApplicationSet's git files generator reads
// (deploy/argocd/apps/applicationset-partitions.yaml): the Application
// <catalog>-<partition> syncs it into namespace.
type Partition struct {
	Catalog   string `json:"catalog"`
	Namespace string `json:"namespace"`
	Partition string `json:"partition"`
	Services  int    `json:"services"`
}

// Partitions lists cat's partitions, infrastructure first, with how many
// services each renders (the infrastructure partition: none, it holds the
// shared objects).
func Partitions(cat *catalog.Catalog) ([]Partition, error) {
	if !cat.Partitioned() {
		return nil, errors.New("the catalog declares no spec.partitions: add e.g. spec.partitions: {label: team, hashed: 4}")
	}
	count := map[string]int{}
	for _, s := range cat.Spec.Services {
		count[cat.PartitionOf(s.Name)]++
	}
	var out []Partition
	for _, p := range cat.PartitionNames() {
		out = append(out, Partition{Catalog: cat.Metadata.Name, Namespace: cat.Spec.Namespace, Partition: p, Services: count[p]})
	}
	return out, nil
}

func (a app) partitionsCmd() *cobra.Command {
	var path catalogRef
	var output string
	c := &cobra.Command{
		Use:   "partitions",
		Short: "List the catalog's partitions (spec.partitions) with their service counts",
		Long: `List the partitions of a catalog with spec.partitions, infrastructure first,
with how many services each holds. Each renders on its own with
novagen render --partition NAME (or the function's spec.partition, or
NOVAGEN_PARTITION). -o json writes the file the partitions ApplicationSet's
git files generator reads: one Argo CD Application per element.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, err := a.loadCatalog(c, path)
			if err != nil {
				return err
			}
			parts, err := Partitions(cat)
			if err != nil {
				return fmt.Errorf("%s: %w", path.path, err)
			}
			w := c.OutOrStdout()
			switch output {
			case "json":
				return writeJSON(w, parts)
			case "table":
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "PARTITION\tSERVICES")
				for _, p := range parts {
					fmt.Fprintf(tw, "%s\t%d\n", p.Partition, p.Services)
				}
				return tw.Flush()
			}
			return fmt.Errorf("--output %q: expected table or json", output)
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringVarP(&output, "output", "o", "table", "table or json (the ApplicationSet's elements)")
	return c
}
