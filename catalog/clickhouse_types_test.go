package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseColumnType(t *testing.T) {
	tests := []struct {
		in, canonical               string
		numeric, temporal, nullable bool
		ttl                         string
	}{
		{in: "UInt64", canonical: "UInt64", numeric: true, ttl: "c"},
		{in: "Float64", canonical: "Float64", numeric: true, ttl: "c"},
		{in: "Decimal( 18 ,6 )", canonical: "Decimal(18, 6)", numeric: true, ttl: "c"},
		{in: "LowCardinality(UInt32)", canonical: "LowCardinality(UInt32)", numeric: true, ttl: "c"},
		{in: "Nullable(UInt8)", canonical: "Nullable(UInt8)", nullable: true, ttl: "c"},
		{in: "LowCardinality(Nullable(String))", canonical: "LowCardinality(Nullable(String))", nullable: true, ttl: "c"},
		{in: "Date", canonical: "Date", temporal: true, ttl: "c"},
		{in: "DateTime", canonical: "DateTime", temporal: true, ttl: "c"},
		{in: "DateTime64(3)", canonical: "DateTime64(3)", temporal: true, ttl: "toDateTime(c)"},
		{in: "Date32", canonical: "Date32", temporal: true, ttl: "toDate(c)"},
		{in: "Nullable(DateTime)", canonical: "Nullable(DateTime)", nullable: true, ttl: "c"},
		{in: "Map(LowCardinality(String),Array(UInt64))", canonical: "Map(LowCardinality(String), Array(UInt64))", ttl: "c"},
		{in: "FixedString(16)", canonical: "FixedString(16)", ttl: "c"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseColumnType(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.canonical, got.String())
			again, err := ParseColumnType(got.String())
			require.NoError(t, err, "the canonical form parses")
			assert.Equal(t, got, again)
			assert.Equal(t, tt.numeric, got.Numeric(), "numeric")
			assert.Equal(t, tt.temporal, got.Temporal(), "temporal")
			assert.Equal(t, tt.nullable, got.Nullable(), "nullable")
			assert.Equal(t, tt.ttl, got.TTLOperand("c"))
		})
	}
}

// Nothing but the known grammar gets through: no statement separator,
// comment, quote or expression ever reaches the DDL.
func TestParseColumnTypeRejects(t *testing.T) {
	for _, in := range []string{
		"", "String;", "String -- x", "String DEFAULT 1", "String')", "`String`", "DateTime64(3, 'UTC')",
		"Nullable()", "Array(UInt8", "Array(UInt8))", "Map(String)", "Decimal(0, 0)", "Enum8('a' = 1)",
		"UInt8,UInt8", "Nullable(Nullable(UInt8))", "FixedString(0)", "DateTime64(00000000000000000003)",
	} {
		_, err := ParseColumnType(in)
		assert.Error(t, err, "%q", in)
	}
}

func FuzzParseColumnType(f *testing.F) {
	for _, s := range []string{"Map(LowCardinality(String), Array(UInt64))", "Decimal(18, 6)", "Nullable(DateTime64(3))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseColumnType(s)
		if err != nil {
			return
		}
		again, err := ParseColumnType(got.String())
		if err != nil || again.String() != got.String() {
			t.Fatalf("%q parses to %q, which does not parse back the same: %v", s, got, err)
		}
	})
}
