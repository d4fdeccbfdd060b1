// Package schema owns the service catalog (services.yaml): its Go types,
// the embedded JSON Schema that is the single source of structural truth,
// loading with file positions, defaulting, semantic validation and the
// dependency graph. Nothing else in novagen parses catalog YAML.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed services.schema.json
var schemaJSON []byte

// JSONSchema returns the catalog's JSON Schema document.
func JSONSchema() []byte { return bytes.Clone(schemaJSON) }

// Load reads, validates and defaults the catalog at path. Every problem is
// returned at once as Errors, each located at FILE:LINE:COL.
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{Pos: Pos{File: path}, Message: "cannot read catalog: " + unwrapPathError(err)}}
	}
	return Parse(path, data)
}

// Parse is Load for bytes already in memory; file names them in errors.
func Parse(file string, data []byte) (*Catalog, error) {
	doc, errs := parseYAML(file, data)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	pos := indexPositions(file, doc)
	if len(pos.dups) > 0 {
		return nil, pos.dups.sorted()
	}

	var decoded any
	if err := doc.Decode(&decoded); err != nil {
		return nil, yamlErrors(file, err).sorted()
	}
	instance, err := toJSONValue(decoded)
	if err != nil {
		return nil, Errors{{Pos: pos.value(""), Message: err.Error()}}
	}
	if errs := validateStructure(instance, pos); len(errs) > 0 {
		return nil, errs.sorted()
	}

	raw, err := json.Marshal(instance)
	if err != nil {
		return nil, Errors{{Pos: pos.value(""), Message: err.Error()}}
	}
	cat := &Catalog{}
	if err := json.Unmarshal(raw, cat); err != nil {
		// The schema admits only what the types can hold; reaching this is
		// a bug in the schema, still reported against the file.
		return nil, Errors{{Pos: pos.value(""), Message: "internal: schema and types disagree: " + err.Error()}}
	}
	cat.File = file
	applyDefaults(cat)

	v := &validator{cat: cat, pos: pos}
	v.validate()
	if len(v.errs) > 0 {
		return nil, v.errs.sorted()
	}
	return cat, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: (.*)`)

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

func yamlErrors(file string, err error) Errors {
	// go-yaml reports several problems as one message, one per line:
	// "yaml: unmarshal errors:\n  line 2: mapping key ...".
	var out Errors
	for _, m := range strings.Split(err.Error(), "\n") {
		m = strings.TrimSpace(strings.TrimPrefix(m, "yaml: "))
		if m == "" || m == "unmarshal errors:" {
			continue
		}
		p := Pos{File: file, Line: 1, Column: 1}
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			if sm[2] != "" {
				p.Column, _ = strconv.Atoi(sm[2])
			}
			m = sm[3]
		}
		out = append(out, Error{Pos: p, Message: "invalid YAML: " + m})
	}
	return out
}

// toJSONValue converts the YAML tree to the JSON data model the schema
// validator expects (numbers as json.Number, string keys only).
func toJSONValue(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("catalog must be a mapping with string keys: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
