package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// schemaURL is the schema's $id: a name, not a location. No web site
// serves the schema; editors read the file in the repository or the
// output of novagen schema (README, "Editor setup").
const schemaURL = "urn:novagen:schema:services:v1alpha1"

// formats are checks a regular expression cannot make, done by the same
// code that later reads the value, so a value the schema accepts can
// always be read. Editors that do not know them ignore them.
var formats = map[string]func(any) bool{
	"go-duration": func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return true // the type check reports it
		}
		_, err := time.ParseDuration(s)
		return err == nil && wholeNanoseconds(s)
	},
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

var compiled = sync.OnceValue(func() *jsonschema.Schema {
	c := jsonschema.NewCompiler()
	maps.Copy(c.Formats, formats)
	c.AssertFormat = true
	if err := c.AddResource(schemaURL, bytes.NewReader(schemaJSON)); err != nil {
		panic(err)
	}
	return c.MustCompile(schemaURL)
})

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

var (
	bound          = regexp.MustCompile(`must be (<=|>=|<|>) (\S+)`)
	definitionRef  = regexp.MustCompile(`#/definitions/([^/]+)/[^/]+$`)
	quotedNames    = regexp.MustCompile(`'([^']*)'`)
	leafKeywordLoc = regexp.MustCompile(`/([^/]+)$`)
)

// structureFindings are the schema's objections to a document.
type structureFindings struct {
	errs    Errors
	unknown []string // JSON pointers of the unknown fields among them
	other   bool     // whether any is not an unknown field
}

// validateStructure checks the document against the embedded JSON Schema
// and turns each failing leaf into a located, readable Error.
func validateStructure(instance any, pos *positions) structureFindings {
	var out structureFindings
	err := compiled().Validate(instance)
	if err == nil {
		return out
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		out.errs, out.other = Errors{{Pos: pos.value(""), Message: err.Error()}}, true
		return out
	}
	for _, leaf := range leaves(ve) {
		if errs, unknown := unknownFields(leaf, instance, pos); len(errs) > 0 {
			out.errs, out.unknown = append(out.errs, errs...), append(out.unknown, unknown...)
			continue
		}
		out.errs, out.other = append(out.errs, describe(leaf, instance, pos)...), true
	}
	return out
}

// unknownFields describes a failing additionalProperties keyword: an
// error at each field the schema does not declare, and their pointers.
func unknownFields(ve *jsonschema.ValidationError, instance any, pos *positions) (Errors, []string) {
	if !strings.HasSuffix(ve.KeywordLocation, "/additionalProperties") {
		return nil, nil
	}
	// The fields come from the instance and the schema, not from the
	// message, which quotes field names without escaping them.
	ptr := instancePointer(ve)
	obj, _ := rawValueAt(instance, ptr).(map[string]any)
	allowed := allowedProperties(ve.AbsoluteKeywordLocation)
	var errs Errors
	var unknown []string
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !allowed[k] {
			field := ptr + "/" + escapePointer(k)
			errs = append(errs, Error{Pos: pos.key(field), Message: fmt.Sprintf("%s: unknown field %s", fieldPath(ptr), quoteShort(k))})
			unknown = append(unknown, field)
		}
	}
	return errs, unknown
}

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func describe(ve *jsonschema.ValidationError, instance any, pos *positions) Errors {
	ptr := instancePointer(ve)
	if strings.Contains(ve.KeywordLocation, "/propertyNames/") {
		return badKey(ve, ptr, pos)
	}
	path := fieldPath(ptr)
	keyword := ""
	if m := leafKeywordLoc.FindStringSubmatch(ve.KeywordLocation); m != nil {
		keyword = m[1]
	}
	hint := ""
	if m := definitionRef.FindStringSubmatch(ve.AbsoluteKeywordLocation); m != nil {
		hint = definitionHints[m[1]]
	}
	value := valueAt(instance, ptr)

	switch keyword {
	case "required":
		var out Errors
		for _, m := range quotedNames.FindAllStringSubmatch(ve.Message, -1) {
			out = append(out, Error{Pos: pos.value(ptr),
				Message: fmt.Sprintf("%s: missing required field %q", path, m[1])})
		}
		return out
	case "pattern", "minLength", "maxLength", "not", "format":
		if hint != "" {
			return Errors{{Pos: pos.value(ptr), Message: fmt.Sprintf("%s: %s is not %s", path, value, hint)}}
		}
	case "minimum", "maximum":
		if hint != "" {
			return Errors{{Pos: pos.value(ptr), Message: fmt.Sprintf("%s: %s is not %s", path, value, hint)}}
		}
		if m := bound.FindStringSubmatch(ve.Message); m != nil {
			what := map[string]string{">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}[m[1]]
			return Errors{{Pos: pos.value(ptr), Message: fmt.Sprintf("%s: %s is out of range: it must be %s %s", path, value, what, plainNumber(m[2]))}}
		}
	case "type":
		return Errors{{Pos: pos.value(ptr), Message: fmt.Sprintf("%s: %s: %s", path, value, ve.Message)}}
	}
	return Errors{{Pos: pos.value(ptr), Message: fmt.Sprintf("%s: %s: %s", path, value, ve.Message)}}
}

// instancePointer is the JSON pointer of the failing value: the
// validator percent-encodes its segments (a label key with a space).
func instancePointer(ve *jsonschema.ValidationError) string {
	if p, err := url.PathUnescape(ve.InstanceLocation); err == nil {
		return p
	}
	return ve.InstanceLocation
}

// keyHints say what the keys of a named definition's mappings must be.
var keyHints = map[string]string{
	"labels": "a label key (an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)",
}

// propertyNamesRef finds the definition whose propertyNames failed.
var propertyNamesRef = regexp.MustCompile(`#/definitions/([^/]+)/propertyNames/`)

// badKey describes a key that propertyNames refuses, at the key.
func badKey(ve *jsonschema.ValidationError, ptr string, pos *positions) Errors {
	i := strings.LastIndex(ptr, "/")
	what := "allowed here"
	if m := definitionRef.FindStringSubmatch(ve.AbsoluteKeywordLocation); m != nil && definitionHints[m[1]] != "" {
		what = definitionHints[m[1]]
	} else if m := propertyNamesRef.FindStringSubmatch(ve.AbsoluteKeywordLocation); m != nil && keyHints[m[1]] != "" {
		what = keyHints[m[1]]
	}
	return Errors{{Pos: pos.key(ptr), Message: fmt.Sprintf("%s: key %s is not %s", fieldPath(ptr[:i]), quoteShort(unescapePointer(ptr[i+1:])), what)}}
}

// plainNumber writes a schema bound the way the catalog would: 2147483647,
// not 2.147483647e+09.
func plainNumber(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return s
}

// rawSchema is the schema document as data, to read what a keyword's
// error does not say (the properties an object may have).
var rawSchema = sync.OnceValue(func() any {
	var v any
	if err := json.Unmarshal(schemaJSON, &v); err != nil {
		panic(err)
	}
	return v
})

// allowedProperties are the properties the schema object holding the
// additionalProperties keyword at loc declares.
func allowedProperties(loc string) map[string]bool {
	_, frag, _ := strings.Cut(loc, "#")
	frag = strings.TrimSuffix(frag, "/additionalProperties")
	obj, _ := rawValueAt(rawSchema(), frag).(map[string]any)
	props, _ := obj["properties"].(map[string]any)
	out := make(map[string]bool, len(props))
	for k := range props {
		out[k] = true
	}
	return out
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
	c := jsonschema.NewCompiler()
	maps.Copy(c.Formats, formats)
	c.AssertFormat = true
	if err := c.AddResource(id, bytes.NewReader(doc)); err != nil {
		return err
	}
	s, err := c.Compile(id)
	if err != nil {
		return err
	}
	return s.Validate(instance)
}
