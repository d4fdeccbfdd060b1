package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaURL is the schema's $id: a name, not a location. No web site
// serves the schema; editors read the file in the repository or the
// output of novagen schema (README, "Editor setup").
const schemaURL = "urn:novagen:schema:services:v1alpha1"

// formats are checks a regular expression cannot make, done by the same
// code that later reads the value, so a value the schema accepts can
// always be read. Editors that do not know them ignore them.
var formats = []*jsonschema.Format{
	{Name: "go-duration", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil // the type check reports it
		}
		if _, err := time.ParseDuration(s); err != nil {
			return err
		}
		if !wholeNanoseconds(s) {
			return fmt.Errorf("not a whole number of nanoseconds")
		}
		return nil
	}},
}

// durationPart is one number and unit of a duration as the schema writes
// it (2h45m: 2h, 45m).
var durationPart = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)`)

// nanoseconds are the units' sizes in nanoseconds.
var nanoseconds = map[string]int64{"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}

// wholeNanoseconds says whether s is a whole number of nanoseconds:
// time.ParseDuration drops what is finer (1.0000000001s is 1s).
func wholeNanoseconds(s string) bool {
	for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
		n, ok := new(big.Rat).SetString(m[1])
		if !ok || !n.Mul(n, new(big.Rat).SetInt64(nanoseconds[m[2]])).IsInt() {
			return false
		}
	}
	return true
}

// newCompiler is a compiler that asserts the catalog schema's formats.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	for _, f := range formats {
		c.RegisterFormat(f)
	}
	c.AssertFormat()
	return c
}

var compiled = sync.OnceValue(func() *jsonschema.Schema {
	c := newCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic(err)
	}
	if err := c.AddResource(schemaURL, doc); err != nil {
		panic(err)
	}
	return c.MustCompile(schemaURL)
})

// english renders the validator's messages that describe keeps.
var english = message.NewPrinter(language.English)

// What a value of each named definition must look like, in words; the
// schema's regular expressions are no help to someone editing YAML.
var definitionHints = map[string]string{
	"dnsLabel":          "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
	"sqlIdentifier":     "a lower-case SQL identifier (letters, digits and '_', not starting with a digit, at most 63 characters)",
	"quantity":          "a Kubernetes quantity such as 100m, 128Mi or 10Gi",
	"duration":          "a Go duration such as 2s, 5m or 168h, in whole nanoseconds, at most 2562047h",
	"image":             "an image reference with a pinned tag or digest, such as postgres:15-alpine",
	"imageTag":          "a pinned image tag (letters, digits, '_', '.' and '-', not \"latest\")",
	"imageDigest":       "an image digest such as sha256:<64 hex digits>",
	"dns1035Label":      "a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters)",
	"count":             "a whole number in the allowed range",
	"port":              "a port number from 1 to 65535",
	"labels":            "a map of Kubernetes label keys to label values",
	"imageRepository":   "an image repository without tag (lower-case letters, digits, '.', '_', '-', ':' and '/', e.g. registry.example/team/app)",
	"hostName":          "a host name (lower-case letters, digits, '-' and '.', at most 253 characters)",
	"postgresExtension": "a PostgreSQL extension name (lower-case letters, digits, '_' and '-')",
	"secretKeyPrefix":   "a secret store path (segments of letters, digits, '_', '.' and '-', separated by '/')",
	"absolutePath":      "an absolute path (letters, digits, '_', '.', '-' and '/')",
	"topicName":         "a Kafka topic name (letters, digits, '.', '_' and '-', at most 249 characters)",
	"dnsSubdomain":      "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)",
	"cronSchedule":      "a cron schedule such as */15 * * * * or @hourly",
	"kafkaClusterId":    "a KRaft cluster ID (22 characters: letters, digits, '-' and '_', as kafka-storage random-uuid prints)",
}

// definitionRef finds the named definition that is the failing schema
// itself (not one of its properties').
var definitionRef = regexp.MustCompile(`#/definitions/([^/]+)$`)

// definition is the name of the definition whose own keyword failed in
// ve, or "".
func definition(ve *jsonschema.ValidationError) string {
	if m := definitionRef.FindStringSubmatch(ve.SchemaURL); m != nil {
		return m[1]
	}
	return ""
}

// structureFindings are the schema's objections to a document.
type structureFindings struct {
	errs    Errors
	unknown []string // JSON pointers of the unknown fields among them
	other   bool     // whether any is not an unknown field
}

// validateStructure checks the document against the embedded JSON Schema
// and turns each failing leaf into a located, readable Error.
func validateStructure(instance any, pos *positions) structureFindings {
	return validateAgainst(compiled(), instance, pos)
}

// validateAgainst is validateStructure against schema s (an extension's,
// say), in the same words.
func validateAgainst(s *jsonschema.Schema, instance any, pos *positions) structureFindings {
	var out structureFindings
	err := s.Validate(instance)
	if err == nil {
		return out
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		out.errs, out.other = Errors{{Pos: pos.value(""), Message: err.Error()}}, true
		return out
	}
	found := leaves(ve)
	relocateKeys(found, instance)
	for _, leaf := range found {
		if k, ok := leaf.ErrorKind.(*kind.AdditionalProperties); ok {
			errs, unknown := unknownFields(k, instancePointer(leaf), pos)
			out.errs, out.unknown = append(out.errs, errs...), append(out.unknown, unknown...)
			continue
		}
		out.errs, out.other = append(out.errs, describe(leaf, instance, pos)...), true
	}
	return out
}

// unknownFields describes a failing additionalProperties keyword of the
// object at ptr: an error at each field the schema does not declare, and
// their pointers.
func unknownFields(k *kind.AdditionalProperties, ptr string, pos *positions) (Errors, []string) {
	var errs Errors
	var unknown []string
	for _, name := range slices.Sorted(slices.Values(k.Properties)) {
		field := ptr + "/" + escapePointer(name)
		errs = append(errs, Error{Pos: pos.key(field), Message: fmt.Sprintf("%s: unknown field %s", fieldPath(ptr), quoteShort(name))})
		unknown = append(unknown, field)
	}
	return errs, unknown
}

// leaves are the failures that explain ve: the errors without causes,
// and a refused key as a whole (its causes are about the key's text).
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if _, key := ve.ErrorKind.(*kind.PropertyNames); key || len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// relocateKeys gives each refused key (a propertyNames error) its
// mapping's true location. jsonschema v6.0.3 stores that location without
// copying a slice the validator goes on to reuse (upstream issue
// santhosh-tekuri/jsonschema#258, fix pending in #269): its length, the
// mapping's depth, is right, but its segments may be a later sibling's.
// So the mapping is found again in the instance: of those at that depth
// holding the key and not claimed by an earlier error, the one sharing
// the longest prefix with the reported location (the segments before
// the overwrite are right), the first in key order on a tie.
func relocateKeys(leaves []*jsonschema.ValidationError, instance any) {
	claimed := map[string]bool{}
	for _, ve := range leaves {
		k, ok := ve.ErrorKind.(*kind.PropertyNames)
		if !ok {
			continue
		}
		var best []string
		score := -1
		mappingsAt(instance, nil, len(ve.InstanceLocation), func(loc []string, m map[string]any) {
			if _, has := m[k.Property]; !has || claimed[pointerOf(append(loc, k.Property))] {
				return
			}
			if n := commonPrefix(loc, ve.InstanceLocation); n > score {
				best, score = slices.Clone(loc), n
			}
		})
		if best != nil {
			ve.InstanceLocation = best
			claimed[pointerOf(append(best, k.Property))] = true
		}
	}
}

// mappingsAt calls f with every mapping at depth below v (at loc), in
// key and index order.
func mappingsAt(v any, loc []string, depth int, f func([]string, map[string]any)) {
	switch c := v.(type) {
	case map[string]any:
		if len(loc) == depth {
			f(loc, c)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(c)) {
			mappingsAt(c[k], append(loc, k), depth, f)
		}
	case []any:
		for i, e := range c {
			if len(loc) < depth {
				mappingsAt(e, append(loc, strconv.Itoa(i)), depth, f)
			}
		}
	}
}

// commonPrefix is how many leading segments a and b share.
func commonPrefix(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func describe(ve *jsonschema.ValidationError, instance any, pos *positions) Errors {
	ptr := instancePointer(ve)
	path := fieldPath(ptr)
	at := func(format string, args ...any) Errors {
		return Errors{{Pos: pos.value(ptr), Message: path + ": " + fmt.Sprintf(format, args...)}}
	}
	hint := definitionHints[definition(ve)]
	value := valueAt(instance, ptr)

	switch k := ve.ErrorKind.(type) {
	case *kind.PropertyNames:
		return badKey(ve, k, ptr, pos)
	case *kind.Required:
		var out Errors
		for _, name := range k.Missing {
			out = append(out, at("missing required field %q", name)...)
		}
		return out
	case *kind.Pattern, *kind.MinLength, *kind.MaxLength, *kind.Not, *kind.Format, *kind.Minimum, *kind.Maximum:
		if hint != "" {
			return at("%s is not %s", value, hint)
		}
	}
	if bound := outOfRange(ve.ErrorKind); bound != "" {
		return at("%s is out of range: it must be %s", value, bound)
	}
	return at("%s: %s", value, wording(ve.ErrorKind))
}

// outOfRange is the bound a number fails, in words ("at least 1"), or
// "" for another kind of error.
func outOfRange(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Minimum:
		return "at least " + plainNumber(k.Want)
	case *kind.Maximum:
		return "at most " + plainNumber(k.Want)
	case *kind.ExclusiveMinimum:
		return "more than " + plainNumber(k.Want)
	case *kind.ExclusiveMaximum:
		return "less than " + plainNumber(k.Want)
	}
	return ""
}

// wording says what is wrong with a value. The validator's own words
// serve, except where they read as a keyword dump ("maxLength: got 23,
// want 15"), repeat the value the error already shows, or lead with the
// value found rather than the one wanted.
func wording(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("expected %s, but got %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("length must be >= %d, but got %d", k.Want, k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("length must be <= %d, but got %d", k.Want, k.Got)
	case *kind.MinItems:
		return fmt.Sprintf("minimum %d items required, but found %d items", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("maximum %d items required, but found %d items", k.Want, k.Got)
	case *kind.Pattern:
		return fmt.Sprintf("does not match pattern '%s'", k.Want)
	case *kind.Format:
		return fmt.Sprintf("is not a valid %s: %v", k.Want, k.Err)
	case *kind.Enum:
		if names, ok := quoteAll(k.Want); ok {
			return "value must be one of " + strings.Join(names, ", ")
		}
	case *kind.Const:
		if names, ok := quoteAll([]any{k.Want}); ok {
			return "value must be " + names[0]
		}
	}
	return k.LocalizedString(english)
}

// quoteAll writes scalars as the catalog would ("grpc", 3, true); ok is
// false if any is a list or mapping.
func quoteAll(vs []any) (out []string, ok bool) {
	for _, v := range vs {
		switch v := v.(type) {
		case string:
			out = append(out, strconv.Quote(v))
		case []any, map[string]any:
			return nil, false
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	return out, true
}

// instancePointer is the JSON pointer of the failing value.
func instancePointer(ve *jsonschema.ValidationError) string { return pointerOf(ve.InstanceLocation) }

// pointerOf is the JSON pointer of the segments loc.
func pointerOf(loc []string) string {
	var b strings.Builder
	for _, seg := range loc {
		b.WriteString("/" + escapePointer(seg))
	}
	return b.String()
}

// keyHints say what the keys of a named definition's mappings must be.
var keyHints = map[string]string{
	"labels": "a label key (an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)",
}

// propertyNamesRef finds the definition whose propertyNames failed.
var propertyNamesRef = regexp.MustCompile(`#/definitions/([^/]+)/propertyNames$`)

// badKey describes the key k of the mapping at ptr that propertyNames
// refuses, at the key: what the key must be comes from the definition
// the key failed (its first cause's) or, for an inline propertyNames,
// from the definition holding it.
func badKey(ve *jsonschema.ValidationError, k *kind.PropertyNames, ptr string, pos *positions) Errors {
	what := "allowed here"
	for _, c := range leaves(&jsonschema.ValidationError{ErrorKind: &kind.Group{}, Causes: ve.Causes}) {
		if h := definitionHints[definition(c)]; h != "" {
			what = h
			break
		}
	}
	if m := propertyNamesRef.FindStringSubmatch(ve.SchemaURL); what == "allowed here" && m != nil && keyHints[m[1]] != "" {
		what = keyHints[m[1]]
	}
	return Errors{{Pos: pos.key(ptr + "/" + escapePointer(k.Property)), Message: fmt.Sprintf("%s: key %s is not %s", fieldPath(ptr), quoteShort(k.Property), what)}}
}

// plainNumber writes a schema bound the way the catalog would: 2147483647,
// not 2.147483647e+09.
func plainNumber(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// rawValueAt is the value at JSON pointer ptr, or nil.
func rawValueAt(instance any, ptr string) any {
	cur := instance
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if seg == "" {
			continue
		}
		switch c := cur.(type) {
		case map[string]any:
			cur = c[unescapePointer(seg)]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// valueAt renders the instance value at ptr for an error message.
func valueAt(instance any, ptr string) string {
	switch c := rawValueAt(instance, ptr).(type) {
	case string:
		return quoteShort(c)
	case json.Number:
		return c.String()
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	case nil:
		return "null"
	default:
		return fmt.Sprint(c)
	}
}

// ValidateDocument checks instance (JSON-shaped: maps, slices, strings,
// float64s) against one of novagen's other JSON Schemas (the function
// config's), compiled with the catalog schema's formats: nil if it
// conforms. The JSON Schema library is used here and nowhere else.
func ValidateDocument(id string, doc []byte, instance any) error {
	c := newCompiler()
	parsed, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	if err := c.AddResource(id, parsed); err != nil {
		return err
	}
	s, err := c.Compile(id)
	if err != nil {
		return err
	}
	return s.Validate(instance)
}
