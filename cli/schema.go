package cli

import (
	"github.com/spf13/cobra"

	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/pipeline"
)

// jsonSchema is the catalog's JSON Schema for this program (its
// extensions' sections described), or with config the function
// config's (its generators and transformers named), and what it is.
func (a app) jsonSchema(config bool) ([]byte, string, error) {
	if config {
		doc, err := fns.ConfigSchemaOf(a.reg)
		return doc, "function config", err
	}
	doc, err := pipeline.Loader(a.reg).JSONSchema()
	return doc, "catalog", err
}

func (a app) schemaCmd() *cobra.Command {
	var config bool
	c := &cobra.Command{
		Use:   "schema",
		Short: "Print the catalog's JSON Schema, or with --config the function config's (for editors and CI)",
		Long: `Print the service catalog's JSON Schema (draft-07), or with --config the
NovaGen function config's. Every field has a description and, where novagen
applies one, its default; novagen explain PATH prints one field of it.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			doc, _, err := a.jsonSchema(config)
			if err != nil {
				return err
			}
			_, err = c.OutOrStdout().Write(doc)
			return err
		},
	}
	c.Flags().BoolVar(&config, "config", false, "print the JSON Schema of the NovaGen function config instead")
	return c
}
