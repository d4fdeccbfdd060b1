package catalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/novagen/novagen/internal/quote"
)

// ColumnType is a parsed ClickHouse data type. Only the types below are
// known; anything else in a catalog is an error at load time, so the DDL
// is written from this structure, never from catalog text.
type ColumnType struct {
	Name   string        // UInt64, DateTime64, Nullable, …
	Args   []*ColumnType // type arguments (Nullable(T), Map(K, V))
	Params []int         // integer parameters (DateTime64(3), Decimal(18, 4))
}

// MaxColumnTypeDepth bounds the nesting of a column type.
const MaxColumnTypeDepth = 8

// typeShape says what arguments a type name takes.
type typeShape struct {
	types     int // type arguments
	minParams int
	maxParams int
	check     func(params []int) error
}

func paramRange(i, lo, hi int, what string) func([]int) error {
	return func(p []int) error {
		if i < len(p) && (p[i] < lo || p[i] > hi) {
			return fmt.Errorf("%s %d is out of range %d..%d", what, p[i], lo, hi)
		}
		return nil
	}
}

var (
	plainTypes = []string{
		"UInt8", "UInt16", "UInt32", "UInt64", "UInt128", "UInt256",
		"Int8", "Int16", "Int32", "Int64", "Int128", "Int256",
		"Float32", "Float64", "Bool", "String", "UUID",
		"Date", "Date32", "DateTime", "IPv4", "IPv6",
	}
	typeShapes = map[string]typeShape{
		"FixedString":    {minParams: 1, maxParams: 1, check: paramRange(0, 1, 65535, "length")},
		"DateTime64":     {minParams: 1, maxParams: 1, check: paramRange(0, 0, 9, "precision")},
		"Decimal":        {minParams: 2, maxParams: 2, check: decimalParams},
		"Decimal32":      {minParams: 1, maxParams: 1, check: paramRange(0, 0, 9, "scale")},
		"Decimal64":      {minParams: 1, maxParams: 1, check: paramRange(0, 0, 18, "scale")},
		"Decimal128":     {minParams: 1, maxParams: 1, check: paramRange(0, 0, 38, "scale")},
		"Decimal256":     {minParams: 1, maxParams: 1, check: paramRange(0, 0, 76, "scale")},
		"Nullable":       {types: 1},
		"LowCardinality": {types: 1},
		"Array":          {types: 1},
		"Map":            {types: 2},
	}
)

func init() {
	for _, n := range plainTypes {
		typeShapes[n] = typeShape{}
	}
}

func decimalParams(p []int) error {
	if err := paramRange(0, 1, 76, "precision")(p); err != nil {
		return err
	}
	return paramRange(1, 0, p[0], "scale")(p)
}

// ParseColumnType parses a ClickHouse data type such as
// LowCardinality(String), DateTime64(3) or Map(String, UInt64).
func ParseColumnType(s string) (*ColumnType, error) {
	p := &typeParser{s: s}
	t, err := p.parseType(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the type", p.s[p.i:])
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *typeParser) word(isChar func(byte) bool) string {
	p.space()
	start := p.i
	for p.i < len(p.s) && isChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func isIdentChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *typeParser) parseType(depth int) (*ColumnType, error) {
	if depth >= MaxColumnTypeDepth {
		return nil, fmt.Errorf("type nests deeper than %d levels", MaxColumnTypeDepth)
	}
	name := p.word(isIdentChar)
	if name == "" {
		return nil, fmt.Errorf("expected a type name at %q", p.s[p.i:])
	}
	shape, ok := typeShapes[name]
	if !ok {
		return nil, fmt.Errorf("unknown type %s (known: %s)", quote.Quote(name), knownTypes())
	}
	t := &ColumnType{Name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		for {
			if shape.types > 0 {
				a, err := p.parseType(depth + 1)
				if err != nil {
					return nil, err
				}
				t.Args = append(t.Args, a)
			} else {
				digits := p.word(isDigit)
				n, err := strconv.Atoi(digits)
				if digits == "" || err != nil || len(digits) > 5 {
					return nil, fmt.Errorf("%s takes whole-number parameters", name)
				}
				t.Params = append(t.Params, n)
			}
			p.space()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				break
			}
			return nil, fmt.Errorf("expected ',' or ')' in %s(…)", name)
		}
	}
	if len(t.Args) != shape.types {
		return nil, fmt.Errorf("%s takes %d type argument(s), not %d", name, shape.types, len(t.Args))
	}
	if len(t.Params) < shape.minParams || len(t.Params) > shape.maxParams {
		return nil, fmt.Errorf("%s takes %s, not %d", name, paramCount(shape), len(t.Params))
	}
	if shape.check != nil {
		if err := shape.check(t.Params); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return t, t.checkNesting()
}

func paramCount(s typeShape) string {
	if s.maxParams == 0 {
		return "no parameters"
	}
	return fmt.Sprintf("%d parameter(s)", s.maxParams)
}

// checkNesting rejects combinations ClickHouse refuses.
func (t *ColumnType) checkNesting() error {
	switch t.Name {
	case "Nullable":
		if a := t.Args[0]; a.isComposite() {
			return fmt.Errorf("Nullable(%s) is not allowed: Nullable takes a plain type", a)
		}
	case "LowCardinality":
		inner := t.Args[0]
		if inner.Name == "Nullable" {
			inner = inner.Args[0]
		}
		if inner.isComposite() || inner.Name == "UUID" || inner.Name == "Bool" || strings.HasPrefix(inner.Name, "Decimal") {
			return fmt.Errorf("LowCardinality(%s) is not allowed: it takes a string, number or date type", t.Args[0])
		}
	case "Map":
		if k := t.Args[0]; k.Name == "Nullable" || k.Name == "Array" || k.Name == "Map" || strings.HasPrefix(k.Name, "Float") {
			return fmt.Errorf("Map key %s is not allowed", k)
		}
	}
	return nil
}

func (t *ColumnType) isComposite() bool {
	switch t.Name {
	case "Nullable", "LowCardinality", "Array", "Map":
		return true
	}
	return false
}

// String is the type in canonical form: Name(arg, arg).
func (t *ColumnType) String() string {
	if len(t.Args) == 0 && len(t.Params) == 0 {
		return t.Name
	}
	parts := make([]string, 0, len(t.Args)+len(t.Params))
	for _, a := range t.Args {
		parts = append(parts, a.String())
	}
	for _, n := range t.Params {
		parts = append(parts, strconv.Itoa(n))
	}
	return t.Name + "(" + strings.Join(parts, ", ") + ")"
}

// Nullable says whether the column may hold NULL (ClickHouse refuses such
// a column in a sorting key, and a TTL on it).
func (t *ColumnType) Nullable() bool {
	return t.Name == "Nullable" || (t.Name == "LowCardinality" && t.Args[0].Name == "Nullable")
}

// Base strips LowCardinality: a LowCardinality(UInt32) is a number.
func (t *ColumnType) Base() *ColumnType {
	if t.Name == "LowCardinality" {
		return t.Args[0]
	}
	return t
}

// Numeric says whether the column is a number a SummingMergeTree can add.
func (t *ColumnType) Numeric() bool {
	n := t.Base().Name
	return strings.HasPrefix(n, "UInt") || strings.HasPrefix(n, "Int") || strings.HasPrefix(n, "Float") || strings.HasPrefix(n, "Decimal")
}

// Temporal says whether the column is a date or a time: Date, Date32,
// DateTime or DateTime64, not nullable.
func (t *ColumnType) Temporal() bool {
	switch t.Base().Name {
	case "Date", "Date32", "DateTime", "DateTime64":
		return true
	}
	return false
}

// TTLOperand is column as a TTL expression takes it: a TTL must be Date or
// DateTime, so DateTime64 is wrapped in toDateTime and Date32 in toDate.
func (t *ColumnType) TTLOperand(column string) string {
	switch t.Base().Name {
	case "DateTime64":
		return "toDateTime(" + column + ")"
	case "Date32":
		return "toDate(" + column + ")"
	}
	return column
}

func knownTypes() string {
	return "UInt8…UInt256, Int8…Int256, Float32, Float64, Decimal(P, S), Decimal32…256(S), Bool, String, FixedString(N), UUID, Date, Date32, DateTime, DateTime64(P), IPv4, IPv6, Nullable(T), LowCardinality(T), Array(T), Map(K, V)"
}
