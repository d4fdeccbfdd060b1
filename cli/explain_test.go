package cli

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/internal/schemadoc"
)

func catalogDoc(t *testing.T) *schemadoc.Doc {
	t.Helper()
	doc, err := schemadoc.Parse(load.JSONSchema())
	require.NoError(t, err)
	return doc
}

// describedAs is what explain must print of the field at canon: its path,
// its description's first words and every sub-field's name, as the schema
// has them.
func describedAs(t *testing.T, doc *schemadoc.Doc, canon string) []string {
	t.Helper()
	n, got, err := doc.Lookup(canon)
	require.NoError(t, err)
	require.Equal(t, canon, got)
	shown := canon
	if shown == "" {
		shown = "(top level)"
	}
	want := []string{"FIELD:   " + shown + "\n", "TYPE:    " + n.Type() + "\n"}
	if words := strings.Fields(n.Description()); len(words) > 0 {
		want = append(want, "\n  "+strings.Join(words[:min(4, len(words))], " "))
	}
	for _, f := range n.Fields() {
		want = append(want, "\n  "+f.Name+" ")
	}
	return want
}

func TestExplain(t *testing.T) {
	doc := catalogDoc(t)
	config, err := schemadoc.Parse(fns.ConfigSchema())
	require.NoError(t, err)
	configAs := func(canon string) []string {
		n, _, err := config.Lookup(canon)
		require.NoError(t, err)
		return []string{"FIELD:   " + canon + "\n", strings.Join(strings.Fields(n.Description())[:3], " ")}
	}
	runCommandCases(t, []commandCase{
		{"a field under spec, spec. left out", []string{"explain", "services.database"}, 0, describedAs(t, doc, "spec.services[].database"), nil},
		{"an object and its sub-fields", []string{"explain", "spec.infrastructure.redis"}, 0, describedAs(t, doc, "spec.infrastructure.redis"), nil},
		{"an allOf field", []string{"explain", "infrastructure.kafka.managed"}, 0, append(describedAs(t, doc, "spec.infrastructure.kafka.managed"), "DEFAULT: true\n"), nil},
		{"a default", []string{"explain", "infrastructure.redis.nodes"}, 0, []string{"DEFAULT: " + strconv.Itoa(catalog.DefaultRedisNodes) + "\n", "  - 3 to 1000\n"}, nil},
		{"an object default", []string{"explain", "infrastructure.clickhouse.operator"}, 0, []string{"DEFAULT: {namespace: " + catalog.DefaultClickHouseOperator.Namespace + ", podLabels: {app: " + catalog.DefaultClickHouseOperator.PodLabels["app"] + "}}\n"}, nil},
		{"a list default", []string{"explain", "infrastructure.clickhouse.grants"}, 0, []string{"DEFAULT: [" + strings.Join(catalog.DefaultClickHouseGrants, ", ") + "]\n", "each: one of: SELECT, INSERT,"}, nil},
		{"an enum", []string{"explain", "services.protocol"}, 0, []string{"DEFAULT: " + catalog.ProtocolGRPC + "\n", "  - one of: grpc, http\n"}, nil},
		{"a list item by index", []string{"explain", "services[0].ports.grpc"}, 0, describedAs(t, doc, "spec.services[].ports.grpc"), nil},
		{"a list by name", []string{"explain", "spec.services"}, 0, append(describedAs(t, doc, "spec.services[]"), "  - at least 1 item\n"), nil},
		{"a map entry", []string{"explain", "environments.production.services.web.replicas"}, 0, []string{"FIELD:   spec.environments.production.services.web.replicas\n", "TYPE:    integer\n"}, nil},
		{"the top level", []string{"explain"}, 0, describedAs(t, doc, ""), nil},
		{"recursive", []string{"explain", "-r", "infrastructure.kafka"}, 0, []string{"\n  resources <object>\n    limits <object>\n      cpu <string>\n"}, nil},
		{"recursive list", []string{"explain", "--recursive", "infrastructure.clickhouse.tables"}, 0, []string{"\n  columns <[]object> (required)\n    name <string> (required)\n"}, nil},
		{"config field", []string{"explain", "--config", "spec.catalog"}, 0, configAs("spec.catalog"), nil},
		{"config field, spec. left out", []string{"explain", "--config", "generators"}, 0, append(configAs("spec.generators[]"), "each: one of: namespace,"), nil},
		{"unknown field", []string{"explain", "spec.infrastructure.rediss"}, 1, nil, []string{`"rediss" is not a field of spec.infrastructure (did you mean "redis"?); valid fields: clickhouse, external, kafka, postgres, redis, zookeeper`}},
		{"swapped letters", []string{"explain", "services.nmae"}, 1, nil, []string{`"nmae" is not a field of spec.services[] (did you mean "name"?)`}},
		{"unknown at the top", []string{"explain", "nope"}, 1, nil, []string{`"nope" is not a field of the top level or spec; valid fields: apiVersion, kind, metadata, spec, contracts,`}},
		{"below a scalar", []string{"explain", "infrastructure.redis.nodes.x"}, 1, nil, []string{`spec.infrastructure.redis.nodes has no fields: "x" is not one`}},
		{"unknown config field", []string{"explain", "--config", "spec.catalgo"}, 1, nil, []string{`explain the function config: "catalgo" is not a field of spec (did you mean "catalog"?)`}},
		{"two paths", []string{"explain", "a", "b"}, 1, nil, []string{"accepts at most 1 arg"}},
		{"schema --config", []string{"schema", "--config"}, 0, []string{`"title": "NovaGen function config"`, `"$id": "` + fns.ConfigSchemaID + `"`}, nil},
	})
}

// TestExplainFits80Columns explains every field of both schemas (and
// the top level recursively): each prints, and no line is wider than 80
// columns but for a single word too long for any line (a long path or a
// pattern) after its label or bullet.
func TestExplainFits80Columns(t *testing.T) {
	for _, data := range [][]byte{load.JSONSchema(), fns.ConfigSchema()} {
		doc, err := schemadoc.Parse(data)
		require.NoError(t, err)
		paths := []string{""}
		doc.Root().Walk("", func(path string, _ schemadoc.Field, _ int) { paths = append(paths, path) })
		require.Greater(t, len(paths), 5)
		for i, p := range paths {
			n, canon, err := lookupField(doc, p)
			require.NoError(t, err, p)
			var out strings.Builder
			require.NoError(t, writeExplain(&out, n, canon, i == 0))
			for _, line := range strings.Split(out.String(), "\n") {
				if utf8.RuneCountInString(line) > explainWidth {
					assert.LessOrEqual(t, len(strings.Fields(line)), 2, "explain %s: line wider than %d: %q", p, explainWidth, line)
				}
			}
		}
	}
}
