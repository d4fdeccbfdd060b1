package dbinit

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQuoteIdent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nova_auth", `"nova_auth"`},
		{"order", `"order"`}, // reserved word: only quoted is it a name
		{"uuid-ossp", `"uuid-ossp"`},
		{"Mixed Case", `"Mixed Case"`},
		{`a"b`, `"a""b"`},
		{`"`, `""""`},
		{`x"; DROP DATABASE y; --`, `"x""; DROP DATABASE y; --"`},
		{"", `""`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, quoteIdent(tt.in), "quoteIdent(%q)", tt.in)
	}
}

func TestQuoteLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nova_auth", `'nova_auth'`},
		{"it's", `'it''s'`},
		{`''`, `''''''`},
		{`back\slash`, `E'back\\slash'`},
		{`\'`, `E'\\'''`},
		{`x'); DROP ROLE y; --`, `'x''); DROP ROLE y; --'`},
		{"", `''`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, quoteLiteral(tt.in), "quoteLiteral(%q)", tt.in)
	}
}

func TestQuoteLiterals(t *testing.T) {
	assert.Equal(t, "", quoteLiterals(nil))
	assert.Equal(t, `'a', 'b''c'`, quoteLiterals([]string{"a", "b'c"}))
}

// connectCommand is checked against a real psql by test/postgres; these
// cases pin its two layers of quoting.
func TestConnectCommand(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nova_auth", `\connect -reuse-previous=on "dbname='nova_auth'"`},
		{"a=b", `\connect -reuse-previous=on "dbname='a=b'"`},
		{"it's", `\connect -reuse-previous=on "dbname='it\'s'"`},
		{`a"b`, `\connect -reuse-previous=on "dbname='a""b'"`},
		{`c:\x`, `\connect -reuse-previous=on "dbname='c:\\x'"`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, connectCommand(tt.in), "connectCommand(%q)", tt.in)
	}
}

func TestPsqlQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", `'plain text'`},
		{"it's", `'it''s'`},
		{`a\nb`, `'a\\nb'`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, psqlQuote(tt.in), "psqlQuote(%q)", tt.in)
	}
}
