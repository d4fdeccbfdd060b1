package generators

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Doc is what the registry says of a generator or transformer, for
// `novagen generators` and the README's tables.
type Doc struct {
	Name string `json:"name"`
	// Kind is "generator" or "transformer".
	Kind string `json:"kind"`
	// Phase is where a generator's objects go in the startup order (a
	// transformer has none: it changes objects where they are).
	Phase       string `json:"phase,omitempty"`
	Description string `json:"description"`
	// Package is the Go package that implements it.
	Package string `json:"package"`
}

// Docs lists gens and then trs, in their order.
func Docs(gens []Generator, trs []Transformer) []Doc {
	var out []Doc
	for _, g := range gens {
		out = append(out, Doc{Name: g.Name, Kind: "generator", Phase: g.Phase.String(), Description: g.Description, Package: packageOf(g.Generate)})
	}
	for _, tr := range trs {
		out = append(out, Doc{Name: tr.Name, Kind: "transformer", Description: tr.Description, Package: packageOf(tr.Transform)})
	}
	return out
}

// Markdown is the README's generator table and, when there are
// transformers, their table. Each name links to its package's directory
// when the package is in this module (GitHub shows a README there beside
// the code).
func Markdown(docs []Doc) string {
	var gens, trs strings.Builder
	for _, d := range docs {
		name := "`" + d.Name + "`"
		if dir, ok := strings.CutPrefix(d.Package, modulePath+"/"); ok {
			name = "[" + name + "](" + dir + ")"
		}
		desc := strings.ReplaceAll(d.Description, "|", `\|`) // a cell's text
		if d.Kind == "transformer" {
			fmt.Fprintf(&trs, "| %s | %s |\n", name, desc)
		} else {
			fmt.Fprintf(&gens, "| %s | %s | %s |\n", name, d.Phase, desc)
		}
	}
	out := "| generator | phase | emits |\n| --- | --- | --- |\n" + gens.String()
	if trs.Len() > 0 {
		out += "\n| transformer | does |\n| --- | --- |\n" + trs.String()
	}
	return out
}

// modulePath is this module's path: packages under it are linked.
const modulePath = "github.com/novagen/novagen"

// packageOf is the import path of the package that declares fn (a
// generator's Generate, a transformer's Transform): the registry names
// functions, and this finds their packages for the docs and the import
// rules without a second list.
func packageOf(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return ""
	}
	name := runtime.FuncForPC(v.Pointer()).Name() // "example.com/m/generators/redis.Generate"
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}
