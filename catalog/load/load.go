// Package load reads the service catalog (services.yaml) into the model,
// a *catalog.Catalog: the guarded reader, YAML with file positions, the
// embedded JSON Schema that is the single source of structural truth (and
// its error wording; generated from the model's types: make generate,
// internal/schemagen), environment overlays, defaults, semantic
// validation, the compilation of the API contracts and, last, the model's
// index. Nothing else in novagen parses catalog YAML, and every check of
// a catalog happens here or in a check a generator hands it
// (Options.Checks): a catalog that loads never makes a generator fail. It
// is the only package that may import the YAML, JSON Schema, protobuf and
// cron libraries on the catalog's behalf; generators import catalog, never
// load.
package load

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/internal/guard"
)

//go:embed services.schema.json
var schemaJSON []byte

// JSONSchema returns the catalog's JSON Schema document.
func JSONSchema() []byte { return bytes.Clone(schemaJSON) }

// MaxCatalogBytes is the largest catalog novagen reads (the guard's cap,
// shared by every input of its size).
const MaxCatalogBytes = guard.MaxCatalogBytes

// Options are what a caller adds to the loader's own validation.
type Options struct {
	// Checks run after the loader's own checks, on the defaulted catalog
	// with its partitions indexed (IndexPartitions) but not the rest of
	// its index, and even when the loader found problems, so that one
	// load reports every finding. Each Problem is reported like the
	// loader's own: at the file position of its pointer. A catalog that
	// fails a check does not load. Generators supply theirs
	// (generators.Registry.Checks, pipeline.Loader): the limits their objects must fit.
	Checks []Check
	// Extensions are the JSON Schemas of the catalog sections a program's
	// own generators read, spec.extensions.<name>, by name
	// (generators.Registry.Extensions, pipeline.Loader). A section whose name is not
	// here is an error, as is one its schema refuses, each located like
	// every other problem of the catalog (extensions.go).
	Extensions map[string][]byte
}

// Check is a check of a catalog from outside the loader (see Options).
type Check = func(*catalog.Catalog) []catalog.Problem

// Load reads, validates and defaults the catalog at path. Every problem is
// returned at once as Errors, each located at FILE:LINE:COL.
func Load(path string) (*catalog.Catalog, error) { return Options{}.Load(path) }

// LoadEnv is Load of one environment of the catalog (spec.environments);
// "" is the catalog as written.
func LoadEnv(path, env string) (*catalog.Catalog, error) { return Options{}.LoadEnv(path, env) }

// Parse is Load for bytes already in memory; file names them in errors.
// It reads no other file: a catalog with spec.contracts needs ParseIn.
func Parse(file string, data []byte) (*catalog.Catalog, error) { return Options{}.Parse(file, data) }

// ParseEnv is LoadEnv for bytes already in memory (and reads no other
// file, as Parse).
func ParseEnv(file string, data []byte, env string) (*catalog.Catalog, error) {
	return Options{}.ParseEnv(file, data, env)
}

// ParseIn is ParseEnv for a catalog whose relative paths (the proto files
// of spec.contracts) resolve in dir, which they may not leave; errors
// name those files relative to file's directory.
func ParseIn(dir *os.Root, file string, data []byte, env string) (*catalog.Catalog, error) {
	return Options{}.ParseIn(dir, file, data, env)
}

// ParseFrom is ParseEnv for a catalog whose files (the proto files of
// spec.contracts) read reads; errors name them relative to file's
// directory.
func ParseFrom(read FileReader, file string, data []byte, env string) (*catalog.Catalog, error) {
	return Options{}.ParseFrom(read, file, data, env)
}

// Load is the package's Load with o's checks.
func (o Options) Load(path string) (*catalog.Catalog, error) { return o.LoadEnv(path, "") }

// LoadEnv is the package's LoadEnv with o's checks.
func (o Options) LoadEnv(path, env string) (*catalog.Catalog, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	// The catalog's relative paths (spec.contracts) resolve in its
	// directory and may not leave it (os.Root: symlinks included).
	root, err := os.OpenRoot(filepath.Dir(path))
	if err == nil {
		defer root.Close()
	}
	return o.parse(path, data, env, &source{root: root, dir: filepath.Dir(path), err: err})
}

// Parse is the package's Parse with o's checks.
func (o Options) Parse(file string, data []byte) (*catalog.Catalog, error) {
	return o.parse(file, data, "", nil)
}

// ParseEnv is the package's ParseEnv with o's checks.
func (o Options) ParseEnv(file string, data []byte, env string) (*catalog.Catalog, error) {
	return o.parse(file, data, env, nil)
}

// ParseIn is the package's ParseIn with o's checks.
func (o Options) ParseIn(dir *os.Root, file string, data []byte, env string) (*catalog.Catalog, error) {
	return o.parse(file, data, env, &source{root: dir, dir: filepath.Dir(file)})
}

// ParseFrom is the package's ParseFrom with o's checks.
func (o Options) ParseFrom(read FileReader, file string, data []byte, env string) (*catalog.Catalog, error) {
	return o.parse(file, data, env, &source{read: read, dir: filepath.Dir(file)})
}

// ReadFile reads the catalog file at path, named on a command line, with
// the guard's rules: at most MaxCatalogBytes of YAML text, from a file, a
// pipe or a device.
func ReadFile(path string) ([]byte, error) {
	return guard.ReadArg(path, "catalog", MaxCatalogBytes)
}

// Read reads a whole catalog from r with the same rules (so a device or
// an endless pipe fails at once instead of being read forever); name
// names it in errors.
func Read(name string, r io.Reader) ([]byte, error) {
	return guard.Read(name, "catalog", r, MaxCatalogBytes)
}

// FileReader reads a file a catalog names (name below the catalog's
// directory), from wherever the catalog came from: a git revision, say.
// It reads at most limit bytes (fewer than the file holds, if larger);
// its error says why, in a few words, and never repeats the file.
type FileReader func(name string, limit int64) ([]byte, error)

// origin is a loaded catalog's Origin: what loading its other
// environments needs (CheckEnvironments).
type origin struct {
	src  *source // where its files were read: its environments reuse them
	raw  []byte  // the catalog as read
	opts Options // the checks it passed
}

func (o Options) parse(file string, data []byte, env string, src *source) (*catalog.Catalog, error) {
	if len(data) > MaxCatalogBytes {
		return nil, Errors{{Pos: Pos{File: file}, Message: fmt.Sprintf("catalog is larger than %d MiB, the most novagen reads", MaxCatalogBytes>>20)}}
	}
	doc, errs := parseYAML(file, data)
	if len(errs) > 0 {
		return nil, errs.Sorted()
	}
	conv := newConverter(file, doc)
	instance := conv.value("", doc)
	pos := conv.pos
	// Before anything else: the problems of a file that is not a catalog
	// at all are not worth listing.
	if errs := notACatalog(instance, pos); len(errs) > 0 {
		return nil, errs
	}
	if len(conv.errs) > 0 {
		return nil, conv.errs.Sorted()
	}
	structural, ok := checkStructure(instance, pos)
	if !ok {
		return nil, structural.Sorted()
	}
	// Unknown fields and an overlay's own problems (a patch of no
	// service) are reported with whatever else is wrong.
	envs, envErrs := selectEnvironment(instance.(map[string]any), pos, env)
	found := append(structural, envErrs...)
	if env != "" {
		// The overlay may combine with the catalog into something the
		// schema refuses (a mode's enum, a required field removed).
		if merged := validateStructure(instance, pos); len(merged.errs) > 0 {
			return nil, append(found, merged.errs...).Sorted()
		}
	}
	// The extensions' sections, as the environment leaves them.
	found = append(found, o.checkExtensions(instance, pos)...)

	raw, err := json.Marshal(instance)
	if err != nil {
		return nil, Errors{{Pos: pos.value(""), Message: "internal: " + err.Error()}}
	}
	cat := &catalog.Catalog{}
	if err := json.Unmarshal(raw, cat); err != nil {
		// The schema admits only what the types can hold; reaching this is
		// a bug in the schema, still reported against the file.
		return nil, Errors{{Pos: pos.value(""), Message: "internal: schema and types disagree: " + err.Error()}}
	}
	cat.File = file
	cat.Environment, cat.EnvironmentNames = env, envs
	applyDefaults(cat)

	v := &validator{cat: cat, pos: pos, endpoints: cat.DeclaredEndpoints()}
	v.validate()
	v.checkContracts(src)
	v.runChecks(o.Checks)
	if errs := append(found, v.errs...); len(errs) > 0 {
		return nil, errs.Sorted()
	}
	cat.Index(v.endpoints, v.graph)
	cat.Origin = &origin{src: src, raw: data, opts: o}
	return cat, nil
}

// runChecks runs the caller's checks (Options.Checks) and reports their
// problems located, at most one per place: a partition name too long for
// several generators' objects is one finding.
func (v *validator) runChecks(checks []Check) {
	if len(checks) == 0 {
		return
	}
	v.cat.IndexPartitions()
	seen := map[string]bool{}
	for _, check := range checks {
		for _, p := range check(v.cat) {
			if !seen[p.Pointer] {
				seen[p.Pointer] = true
				v.errorf(p.Pointer, "%s", p.Message)
			}
		}
	}
}

// notACatalog is the one error for a document that is not a
// ServiceCatalog (apiVersion or kind missing or different), or nil. It
// names neither its keys nor its values: they mean nothing to the
// catalog's schema, and listing them would repeat the file (every line
// of /etc/group is a key).
func notACatalog(instance any, pos *positions) Errors {
	m, isMap := instance.(map[string]any)
	if isMap && m["apiVersion"] == catalog.APIVersion && m["kind"] == catalog.Kind {
		return nil
	}
	at, found := pos.value(""), ""
	switch {
	case !isMap:
		found = ", found " + kindOf(instance)
	case m["kind"] != nil && m["kind"] != catalog.Kind:
		at = pos.value("/kind")
	case m["apiVersion"] != nil && m["apiVersion"] != catalog.APIVersion:
		at = pos.value("/apiVersion")
	}
	return Errors{{Pos: at, Message: fmt.Sprintf("not a ServiceCatalog: expected apiVersion %s and kind %s%s", catalog.APIVersion, catalog.Kind, found)}}
}

// checkStructure checks the catalog against the schema and says whether
// loading may go on, to report the semantic problems with the structural
// ones. It may when every finding is an unknown field: json.Unmarshal
// ignores them, and the catalog without them is checked again. Any other
// finding (a wrong type, a missing field, a value out of range) stops the
// load: the Go types could not hold the catalog, or the semantic checks
// would meet values the schema exists to keep from them.
func checkStructure(instance any, pos *positions) (Errors, bool) {
	found := validateStructure(instance, pos)
	if len(found.errs) == 0 {
		return nil, true
	}
	if found.other {
		return found.errs, false
	}
	for _, ptr := range found.unknown {
		deleteAt(instance, ptr)
	}
	return found.errs, len(validateStructure(instance, pos).errs) == 0
}

// deleteAt removes the field at JSON pointer ptr from its mapping.
func deleteAt(instance any, ptr string) {
	i := strings.LastIndex(ptr, "/")
	if m, ok := rawValueAt(instance, ptr[:i]).(map[string]any); ok {
		delete(m, unescapePointer(ptr[i+1:]))
	}
}

// parseYAML reads exactly one YAML document and turns go-yaml's messages
// ("yaml: line 4: ...") into located Errors.
func parseYAML(file string, data []byte) (*yaml.Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{Pos: Pos{File: file, Line: 1, Column: 1}, Message: "catalog is empty: expected a ServiceCatalog document"}}
		}
		return nil, yamlErrors(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errors{{Pos: Pos{File: file, Line: extra.Line, Column: extra.Column},
			Message: "catalog must be a single YAML document; found a second one"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlErrors(file, err)
	}
	return &doc, nil
}

// yamlErrors turns the YAML library's errors into located Errors: at the
// point where the parser found the problem, and, when it says so, the
// construct it was reading.
func yamlErrors(file string, err error) Errors {
	var les *yaml.LoadErrors
	if errors.As(err, &les) {
		var out Errors
		for _, le := range les.Errors {
			out = append(out, loadError(file, le))
		}
		return out
	}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return Errors{loadError(file, le)}
	}
	return Errors{{Pos: Pos{File: file, Line: 1, Column: 1}, Message: "invalid YAML: " + err.Error()}}
}

func loadError(file string, le *yaml.LoadError) Error {
	p := Pos{File: file, Line: max(1, le.Mark.Line), Column: max(1, le.Mark.Column)}
	msg := "invalid YAML: " + le.Message
	if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
		msg += fmt.Sprintf(" (%s at line %d, column %d)", le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
	}
	return Error{Pos: p, Message: msg}
}

// kindOf names the JSON type of a converted value, for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	}
	return "a mapping"
}
