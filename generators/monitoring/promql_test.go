package monitoring

import (
	"testing"
	"time"
)

func TestSelectorQuotes(t *testing.T) {
	for _, tc := range []struct {
		name string
		ms   []matcher
		want string
	}{
		{"plain", []matcher{eq("namespace", "nova-staging"), eq("deployment", "auth-service")}, `up{namespace="nova-staging",deployment="auth-service"}`},
		{"quote and backslash stay inside the string", []matcher{eq("x", `a"} or vector(1) #\`)}, `up{x="a\"} or vector(1) #\\"}`},
		{"regex alternatives are literal", []matcher{oneOf("job_name", []string{"a.b", "c|d"}, "-[0-9]")}, `up{job_name=~"(a\\.b|c\\|d)-[0-9]"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := selector("up", tc.ms...); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                          "0s",
		45 * time.Second:           "45s",
		5 * time.Minute:            "5m",
		90 * time.Minute:           "1h30m",
		26*time.Hour + time.Second: "26h1s",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %s, want %s", d, got, want)
		}
	}
}
