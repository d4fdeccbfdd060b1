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

func TestCheckRole(t *testing.T) {
	tests := []struct {
		role string
		ok   bool
	}{
		{"auth_service", true},
		{"_reader_1_", true},
		{"select", true},
		{"public", false},
		{"current_user", false},
		{"pg_monitor_x", false},
		{"Upper", false},
		{"has-dash", false},
		{"1digit", false},
	}
	for _, tt := range tests {
		err := checkRole(tt.role)
		assert.Equal(t, tt.ok, err == nil, "checkRole(%q): %v", tt.role, err)
	}
}

func TestCheckName(t *testing.T) {
	assert.NoError(t, checkName("order"))
	assert.NoError(t, checkName(`we "ird"=\x`))
	assert.Error(t, checkName(""))
	assert.Error(t, checkName("line\nbreak"))
	assert.Error(t, checkName("nul\x00"))
	assert.Error(t, checkName(string(make([]byte, 64))))
}
