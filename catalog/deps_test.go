package catalog_test

import (
	"strings"
	"testing"

	"github.com/novagen/novagen/internal/testtool"
)

// forbidden are the libraries the model must not pull in: catalog is
// read by every generator, and whatever it imports every generator
// carries. Reading (YAML, JSON Schema), contract compilation (protobuf)
// and schedule parsing (cron) are the loader's (catalog/load).
var forbidden = []string{
	"go.yaml.in/yaml/",
	"gopkg.in/yaml.",
	"sigs.k8s.io/yaml",
	"sigs.k8s.io/kustomize/kyaml",
	"github.com/santhosh-tekuri/jsonschema",
	"google.golang.org/protobuf",
	"github.com/bufbuild/protocompile",
	"github.com/robfig/cron",
}

// generatorForbidden are what no generator may pull in. The Kubernetes
// API types they build bring go.yaml.in/yaml/v2 (through
// structured-merge-diff), so it is not listed; kyaml and its YAML are the
// initcontainers transformer's, which edits kyaml nodes.
var generatorForbidden = []string{
	"github.com/bufbuild/protocompile",
	"google.golang.org/protobuf/reflect/protodesc",
	"github.com/santhosh-tekuri/jsonschema",
	"go.yaml.in/yaml/v3",
	"go.yaml.in/yaml/v4",
	"gopkg.in/yaml.",
	"sigs.k8s.io/yaml",
	"github.com/robfig/cron",
}

// kyamlUsers may import kyaml (and the YAML v3 it is built on).
var kyamlUsers = map[string]bool{
	"github.com/novagen/novagen/generators/initcontainers": true,
	// The registry lists the transformers, whose signature is kyaml's.
	"github.com/novagen/novagen/generators": true,
}

// offending returns the packages of closure that start with one of
// prefixes.
func offending(closure, prefixes []string) []string {
	var out []string
	for _, d := range closure {
		for _, f := range prefixes {
			if strings.HasPrefix(d, f) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// TestModelImportsNoReader: the model's closure has no YAML, JSON Schema,
// protobuf or cron library.
func TestModelImportsNoReader(t *testing.T) {
	for pkg, closure := range testtool.Deps(t, "github.com/novagen/novagen/catalog") {
		if bad := offending(closure, forbidden); len(bad) > 0 {
			t.Errorf("%s depends on %s: the model must not (those are the loader's, catalog/load)", pkg, strings.Join(bad, ", "))
		}
	}
}

// TestGeneratorClosures: no generator carries the loader's libraries
// (protobuf compilation, JSON Schema, YAML readers): a generator's
// closure is the Kubernetes API types, the model, naming and the helpers.
func TestGeneratorClosures(t *testing.T) {
	all := testtool.Deps(t, "github.com/novagen/novagen/generators/...")
	if len(all) < 10 {
		t.Fatalf("only %d generator packages listed", len(all))
	}
	for pkg, closure := range all {
		prefixes := generatorForbidden
		if !kyamlUsers[pkg] {
			prefixes = append(prefixes[:len(prefixes):len(prefixes)], "sigs.k8s.io/kustomize/kyaml")
		} else {
			prefixes = without(prefixes, "go.yaml.in/yaml/v3")
		}
		if bad := offending(closure, prefixes); len(bad) > 0 {
			t.Errorf("%s depends on %s", pkg, strings.Join(bad, ", "))
		}
	}
}

// without is prefixes but allowed.
func without(prefixes []string, allowed string) []string {
	var out []string
	for _, p := range prefixes {
		if p != allowed {
			out = append(out, p)
		}
	}
	return out
}
