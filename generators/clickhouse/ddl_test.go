package clickhouse

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

// A small reader of the DDL this package writes, independent of how it
// is written: it splits a statement into SQL tokens (backquoted
// identifiers unquoted, words, numbers, punctuation; whitespace and
// layout ignored) and reads the clauses of CREATE TABLE back.

type statement struct{ tokens []string }

// tokenize splits SQL into tokens; a backquoted identifier keeps its
// quotes so it cannot be mistaken for a keyword.
func tokenize(t *testing.T, sql string) []string {
	t.Helper()
	var out []string
	r := []rune(sql)
	for i := 0; i < len(r); {
		switch c := r[i]; {
		case unicode.IsSpace(c):
			i++
		case c == '`' || c == '\'':
			j := i + 1
			for j < len(r) && r[j] != c {
				require.NotEqual(t, '\\', r[j], "no escapes in %q", sql)
				j++
			}
			require.Less(t, j, len(r), "unterminated quote in %q", sql)
			out = append(out, string(r[i:j+1]))
			i = j + 1
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_':
			j := i
			for j < len(r) && (unicode.IsLetter(r[j]) || unicode.IsDigit(r[j]) || r[j] == '_') {
				j++
			}
			out = append(out, string(r[i:j]))
			i = j
		case strings.ContainsRune("(),.;=+*", c):
			out = append(out, string(c))
			i++
		default:
			t.Fatalf("unexpected character %q in %q", c, sql)
		}
	}
	return out
}

func parseDDL(t *testing.T, sql string) statement {
	t.Helper()
	toks := tokenize(t, sql)
	semis := 0
	for _, tok := range toks {
		if tok == ";" {
			semis++
		}
	}
	require.Equal(t, 1, semis, "one statement per file: %q", sql)
	require.Equal(t, ";", toks[len(toks)-1], "ends in ';': %q", sql)
	return statement{toks}
}

type table struct {
	name                 string
	cluster              string      // ON CLUSTER, unquoted
	columns              [][2]string // name, type (tokens joined as the catalog writes types)
	engine, engineArgs   string
	partitionBy, orderBy string // tokens joined without spaces, identifiers unquoted
	ttl                  string
}

var clauses = map[string]bool{"PARTITION": true, "ORDER": true, "TTL": true, "SETTINGS": true, "PRIMARY": true, "SAMPLE": true}

func parseTable(t *testing.T, sql string) table {
	t.Helper()
	toks := parseDDL(t, sql).tokens
	p := 0
	expect := func(words ...string) {
		for _, w := range words {
			require.Less(t, p, len(toks), "expected %s at the end of %q", w, sql)
			require.Equal(t, w, toks[p], "in %q", sql)
			p++
		}
	}
	unq := func(s string) string { return strings.Trim(s, "`") }
	var out table
	expect("CREATE", "TABLE", "IF", "NOT", "EXISTS")
	out.name = unq(toks[p]) + "." + unq(toks[p+2])
	p++
	expect(".")
	p++
	if toks[p] == "ON" {
		expect("ON", "CLUSTER")
		out.cluster = unq(toks[p])
		p++
	}
	expect("(")
	// Columns: `name` type-tokens, separated by ',' at depth 0.
	for toks[p] != ")" {
		name := unq(toks[p])
		require.True(t, strings.HasPrefix(toks[p], "`"), "column name quoted: %s", toks[p])
		p++
		var typ strings.Builder
		depth := 0
		for depth > 0 || (toks[p] != "," && toks[p] != ")") {
			switch toks[p] {
			case "(":
				depth++
			case ")":
				depth--
			}
			typ.WriteString(toks[p])
			if toks[p] == "," {
				typ.WriteString(" ")
			}
			p++
		}
		out.columns = append(out.columns, [2]string{name, typ.String()})
		if toks[p] == "," {
			p++
		}
	}
	expect(")", "ENGINE", "=")
	out.engine = toks[p]
	p++
	// expr reads tokens up to the next clause keyword or the end.
	expr := func() string {
		var b strings.Builder
		for toks[p] != ";" && !clauses[toks[p]] {
			b.WriteString(unq(toks[p]))
			p++
		}
		return b.String()
	}
	if toks[p] == "(" {
		args := expr()
		out.engineArgs = strings.TrimSuffix(strings.TrimPrefix(args, "("), ")")
	}
	for toks[p] != ";" {
		switch toks[p] {
		case "PARTITION":
			expect("PARTITION", "BY")
			out.partitionBy = expr()
		case "ORDER":
			expect("ORDER", "BY")
			out.orderBy = expr()
		case "TTL":
			expect("TTL")
			out.ttl = expr()
		default:
			t.Fatalf("unexpected clause %s in %q", toks[p], sql)
		}
	}
	return out
}
