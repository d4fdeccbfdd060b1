package kube

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDNSLabel(t *testing.T) {
	long := strings.Repeat("a", 60) + "-service"
	tests := []struct {
		name, in string
		want     string
	}{
		{"short names pass through", "wait-for-postgres", "wait-for-postgres"},
		{"exactly 63 passes through", strings.Repeat("b", 63), strings.Repeat("b", 63)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, DNSLabel(tt.in)) })
	}
	got := DNSLabel("wait-for-" + long)
	assert.Len(t, got, 63)
	assert.True(t, strings.HasPrefix(got, "wait-for-aaaa"))
	assert.NotEqual(t, got, DNSLabel("wait-for-"+long+"x"), "distinct long names must not collide")
	assert.Equal(t, got, DNSLabel("wait-for-"+long), "same name, same label")
}
