package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

const schemaURL = "https://novagen.dev/schema/services.schema.json"

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
		return err == nil
	},
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
	"duration":          "a Go duration such as 2s, 5m or 168h, at most 2562047h",
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

// validateStructure checks the document against the embedded JSON Schema
// and turns each failing leaf into a located, readable Error.
func validateStructure(instance any, pos *positions) Errors {
	err := compiled().Validate(instance)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return Errors{{Pos: pos.value(""), Message: err.Error()}}
	}
	var out Errors
	for _, leaf := range leaves(ve) {
		out = append(out, describe(leaf, instance, pos)...)
	}
	return out
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
	ptr := ve.InstanceLocation
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
	case "additionalProperties":
		// The fields come from the instance and the schema, not from the
		// message, which quotes field names without escaping them.
		obj, _ := rawValueAt(instance, ptr).(map[string]any)
		allowed := allowedProperties(ve.AbsoluteKeywordLocation)
		var out Errors
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if !allowed[k] {
				out = append(out, Error{Pos: pos.key(ptr + "/" + escapePointer(k)),
					Message: fmt.Sprintf("%s: unknown field %s", path, quoteShort(k))})
			}
		}
		if len(out) > 0 {
			return out
		}
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
