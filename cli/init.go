package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v4"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/pipeline"
)

// initOptions are novagen init's flags.
type initOptions struct {
	file          string
	force, stdout bool
	// A new catalog.
	name, namespace, registry, tag string
	// A service added to an existing one.
	service, description string
	dependsOn            []string
	database             bool
	port                 int
}

// newCatalogFlags apply to a new catalog only, serviceFlags to --service
// only: mixing them is refused rather than silently ignored.
var (
	newCatalogFlags = []string{"name", "namespace", "registry", "tag", "force"}
	serviceFlags    = []string{"description", "depends-on", "database", "port"}
)

func (a app) initCmd() *cobra.Command {
	var o initOptions
	c := &cobra.Command{
		Use:   "init [--name NAME] [--namespace NS] [--registry REG] | --service NAME [--depends-on X,Y] [--database] [--port N]",
		Short: "Write a new service catalog, or add a service to an existing one",
		Long: `Without --service: write a small, commented catalog that validates and renders
(two services, a dependency, a PostgreSQL database, a production environment)
to -f (default services.yaml). An existing file is kept unless --force;
-f - or --stdout prints the catalog instead.

With --service NAME: add that service to the end of spec.services of the
catalog at -f, and with --database a database of its own (NAME with '-' as
'_') to spec.databases. The rest of the file is kept byte for byte (its
comments, order and formatting; a catalog whose lists are in flow style is
rewritten, still valid). The result is validated like novagen validate
before the file is replaced (atomically, with its permissions); a name
already used or an unknown dependency is refused and the file left as it
was. -f - reads the catalog on standard input and prints the result.

Flag values are checked by the catalog's own rules before anything is
written.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.service != "" || c.Flags().Changed("service") {
				if err := refuseFlags(c, "--service", newCatalogFlags); err != nil {
					return err
				}
				return a.runAddService(c, o)
			}
			if err := refuseFlags(c, "a new catalog (no --service)", serviceFlags); err != nil {
				return err
			}
			return a.runInit(c, o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.file, "file", "f", defaultCatalog, `the catalog to write, or to add the service to ("-": standard output, or standard input with --service)`)
	f.BoolVar(&o.stdout, "stdout", false, "print the catalog instead of writing it")
	f.BoolVar(&o.force, "force", false, "replace an existing file")
	f.StringVar(&o.name, "name", "shop", "metadata.name of the new catalog (app.kubernetes.io/part-of)")
	f.StringVar(&o.namespace, "namespace", "", "spec.namespace of the new catalog (default: --name)")
	f.StringVar(&o.registry, "registry", "", "spec.defaults.image.registry: images are <registry>/<service>:<tag> (default: registry.example.com/<name>)")
	f.StringVar(&o.tag, "tag", "0.1.0", "spec.defaults.image.tag")
	f.StringVar(&o.service, "service", "", "add a service of this name to the existing catalog at -f")
	f.StringVar(&o.description, "description", "", "the new service's description")
	// Not a StringSlice: its CSV reading drops what follows a line break.
	f.StringArrayVar(&o.dependsOn, "depends-on", nil, "what the new service waits for and may reach: services, infrastructure, externals (repeatable, or separated by commas)")
	f.BoolVar(&o.database, "database", false, "give the new service a PostgreSQL database of its own (spec.infrastructure.postgres must be declared)")
	f.IntVar(&o.port, "port", 0, "the new service's gRPC port (default: spec.defaults.ports.grpc)")
	return c
}

// refuseFlags refuses any of flags set on c: they do not apply to what.
func refuseFlags(c *cobra.Command, what string, flags []string) error {
	for _, name := range flags {
		if c.Flags().Changed(name) {
			return fmt.Errorf("--%s does not apply to %s", name, what)
		}
	}
	return nil
}

// runInit writes (or prints) a new catalog.
func (a app) runInit(c *cobra.Command, o initOptions) error {
	doc, marks := starterCatalog(o)
	data, err := encodeYAML(doc)
	if err != nil {
		return err
	}
	name := o.file
	if o.stdout || name == "-" {
		name = "<stdout>"
	}
	if err := a.checkCatalog(name, data); err != nil {
		return blame(name, data, err, []marked{{doc, marks, ""}}, nil)
	}
	if o.stdout || o.file == "-" {
		_, err := c.OutOrStdout().Write(data)
		return err
	}
	if err := writeCatalog(o.file, data, o.force); err != nil {
		return err
	}
	fmt.Fprintf(c.OutOrStdout(), "wrote %s: check it with novagen validate -f %[1]s, see its objects with novagen render -f %[1]s\n", guard.Escape(o.file))
	return nil
}

// runAddService adds o.service to the catalog at o.file.
func (a app) runAddService(c *cobra.Command, o initOptions) error {
	path := o.file
	var data []byte
	var err error
	if path == "-" {
		data, err = load.Read(stdinName, c.InOrStdin())
		path = stdinName
	} else {
		// A file that is rewritten must be one: the guard refuses a
		// pipe, a device or a directory without reading it.
		data, err = guard.ReadFile(path, "catalog", load.MaxCatalogBytes)
	}
	if err != nil {
		return err
	}
	// The catalog must load as it is: then every problem of the result
	// is the new service's.
	if err := a.checkCatalog(path, data); err != nil {
		return fixFirst(path, err)
	}
	e := newServiceEntry(o, c.Flags().Changed("port"))
	edit, err := appendService(path, data, e)
	if err != nil {
		return err
	}
	if err := a.checkCatalog(path, edit.data); err != nil {
		return blame(path, edit.data, err, edit.added(), edit.splices)
	}
	if o.stdout || o.file == "-" {
		_, err := c.OutOrStdout().Write(edit.data)
		return err
	}
	if err := replaceFile(path, edit.data); err != nil {
		return err
	}
	what := "service " + o.service
	if e.database != nil {
		what += " and its database " + e.databaseName
	}
	fmt.Fprintf(c.OutOrStdout(), "%s: added %s\n", guard.Escape(path), guard.Escape(what))
	return nil
}

// fixFirst is the refusal of a catalog that does not validate as it is.
func fixFirst(path string, err error) error {
	const hint = "fix the catalog first: novagen init --service adds to a catalog that validates"
	var errs load.Errors
	if errors.As(err, &errs) {
		return append(slices.Clone(errs), load.Error{Pos: load.Pos{File: path}, Message: hint})
	}
	return fmt.Errorf("%w\n%s: %s", err, guard.Escape(path), hint)
}

// checkCatalog validates data as the catalog at path the way novagen
// validate does: as written and in each environment, its relative files
// (spec.contracts) resolved in path's directory.
func (a app) checkCatalog(path string, data []byte) error {
	var cat *catalog.Catalog
	var err error
	if root, rerr := os.OpenRoot(filepath.Dir(path)); rerr == nil {
		defer root.Close()
		cat, err = pipeline.Loader(a.reg).ParseIn(root, path, data, "")
	} else {
		cat, err = pipeline.Loader(a.reg).ParseEnv(path, data, "")
	}
	if err != nil {
		return err
	}
	return load.CheckEnvironments(cat)
}

// Building YAML from nodes: every value a flag gives is a scalar node
// the encoder quotes as needed, so no flag value can add YAML structure
// ("a\nb: c" stays one string). Nodes carry the comments, so no text
// template is needed.

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
func num(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}

// field is one key of a mapping: head is a comment on the lines above
// it, line one at the end of its line.
type field struct {
	key        string
	value      *yaml.Node
	head, line string
}

func mapping(fields ...field) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, f := range fields {
		k := str(f.key)
		k.HeadComment = f.head
		if f.value.Kind == yaml.ScalarNode || f.value.Style&yaml.FlowStyle != 0 {
			f.value.LineComment = f.line
		} else {
			k.LineComment = f.line
		}
		m.Content = append(m.Content, k, f.value)
	}
	return m
}

// commented puts comment on the lines above n.
func commented(comment string, n *yaml.Node) *yaml.Node { n.HeadComment = comment; return n }

func flow(n *yaml.Node) *yaml.Node { n.Style |= yaml.FlowStyle; return n }

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// strs is a sequence of strings.
func strs(values []string) *yaml.Node {
	s := seq()
	for _, v := range values {
		s.Content = append(s.Content, str(v))
	}
	return s
}

// encodeYAML writes n with two-space indentation, as the catalogs in this
// repository are written.
func encodeYAML(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// flagMarks says which flag gave the value of a node: a problem the
// loader finds there is that flag's.
type flagMarks map[*yaml.Node]string

// mark records that flag gave n (and the items of a list).
func (m flagMarks) mark(flag string, n *yaml.Node) *yaml.Node {
	m[n] = flag
	for _, item := range n.Content {
		m.mark(flag, item)
	}
	return n
}

// starterCatalog is the catalog novagen init writes, and which flag gave
// which of its values (a value derived from --name is --name's when that
// flag is not given).
func starterCatalog(o initOptions) (*yaml.Node, flagMarks) {
	marks := flagMarks{}
	namespaceFlag, namespace := "--namespace", o.namespace
	if namespace == "" {
		namespaceFlag, namespace = "--name", o.name
	}
	registryFlag, registry := "--registry", o.registry
	if registry == "" {
		registryFlag, registry = "--name", "registry.example.com/"+o.name
	}
	postgres := mapping(field{key: "storage", value: str("10Gi")})
	spec := mapping(
		field{key: "namespace", value: marks.mark(namespaceFlag, str(namespace)), line: "every object is created in it (with Pod Security \"restricted\" labels)"},
		field{key: "defaults", value: mapping(
			field{key: "image", value: mapping(
				field{key: "registry", value: marks.mark(registryFlag, str(registry))},
				field{key: "tag", value: marks.mark("--tag", str(o.tag))},
			), line: "a service's image is <registry>/<service>:<tag>"},
			field{key: "ports", value: flow(mapping(
				field{key: "grpc", value: num(int(catalog.DefaultGRPCPort))},
				field{key: "metrics", value: num(int(catalog.DefaultMetricsPort))},
			)), line: "where services listen, unless they say otherwise"},
		)},
		field{key: "infrastructure", value: mapping(
			field{key: "postgres", value: postgres,
				head: "A PostgreSQL server run by novagen. Each database below gets a login\nrole for the service that owns it, and nothing else may use it."},
		), head: "What the services depend on: postgres, redis, kafka, zookeeper, clickhouse\n(each run by novagen, or managed: false with the host where it runs), and\nexternal services."},
		field{key: "databases", value: seq(mapping(field{key: "name", value: str("orders")}))},
		field{key: "services", value: seq(
			commented("A gRPC service (the default protocol) that owns the orders database;\nit waits for postgres before it starts.", mapping(
				field{key: "name", value: str("orders-service")},
				field{key: "description", value: str("takes and tracks orders")},
				field{key: "database", value: str("orders")},
				field{key: "dependsOn", value: flow(strs([]string{"postgres"}))},
			)),
			commented("An HTTP service in front of it: it waits for orders-service, and its\nNetworkPolicy lets it reach exactly that.", mapping(
				field{key: "name", value: str("storefront")},
				field{key: "description", value: str("the web shop")},
				field{key: "protocol", value: str(catalog.ProtocolHTTP), line: "probes GET healthPath (default /healthz)"},
				field{key: "ports", value: flow(mapping(field{key: "http", value: num(int(catalog.DefaultHTTPPort))}))},
				field{key: "dependsOn", value: flow(strs([]string{"orders-service"}))},
			)),
		), head: "Add one with: novagen init --service NAME [--depends-on X,Y] [--database]"},
		field{key: "environments", value: mapping(
			field{key: "production", value: mapping(
				field{key: "defaults", value: mapping(field{key: "replicas", value: num(3)})},
				field{key: "infrastructure", value: mapping(field{key: "postgres", value: mapping(field{key: "storage", value: str("100Gi")})})},
			)},
		), head: "Each environment is this catalog plus what it changes (mappings merge key\nby key; a list or a value replaces): novagen render -e production."},
	)
	root := mapping(
		field{key: "apiVersion", value: str(catalog.APIVersion)},
		field{key: "kind", value: str(catalog.Kind)},
		field{key: "metadata", value: mapping(
			field{key: "name", value: marks.mark("--name", str(o.name)), line: "app.kubernetes.io/part-of of every object"},
		)},
		field{key: "spec", value: spec},
	)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root},
		HeadComment: "The service catalog: every Kubernetes object of the environment is\n" +
			"generated from this file. novagen validate checks it, novagen render\n" +
			"prints the objects, novagen schema prints its JSON Schema (for editors)."}
	return doc, marks
}

// blame rewords the loader's errors about data, a catalog that novagen
// init made or edited, for the user who ran it: a problem with a value a
// flag gave names that flag, one elsewhere in the text init added names
// the new service, and any other keeps its place in the lines the user
// wrote (which the splices moved). added are the nodes init added, with
// the flags that gave their values; splices nil means init wrote the
// whole text, whose lines are nowhere the user could look.
func blame(path string, data []byte, err error, added []marked, splices []splice) error {
	var errs load.Errors
	if !errors.As(err, &errs) {
		return err
	}
	at := flagPositions(data, added)
	out := make(load.Errors, 0, len(errs))
	for _, e := range errs {
		if flag, ok := at[[2]int{e.Pos.Line, e.Pos.Column}]; ok {
			out = append(out, load.Error{Pos: load.Pos{File: path}, Message: flag + ": " + e.Message})
			continue
		}
		if splices == nil {
			out = append(out, load.Error{Pos: load.Pos{File: path}, Message: e.Message})
			continue
		}
		line, ours := originalLine(splices, e.Pos.Line)
		switch {
		case ours:
			e = load.Error{Pos: load.Pos{File: path}, Message: "the new service: " + e.Message}
		case e.Pos.Line > 0:
			e.Pos.Line = line
		}
		out = append(out, e)
	}
	return out.Sorted()
}
