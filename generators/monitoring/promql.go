package monitoring

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// matcher is one label matcher of a PromQL selector.
type matcher struct {
	label, op, value string
}

func eq(label, value string) matcher { return matcher{label, "=", value} }

// oneOf matches any of values exactly, followed by suffix (a regular
// expression): each value is quoted, so catalog text is never a pattern.
func oneOf(label string, values []string, suffix string) matcher {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return matcher{label, "=~", "(" + strings.Join(quoted, "|") + ")" + suffix}
}

// selector is metric{matchers}. Every value goes through strconv.Quote,
// whose escapes PromQL string literals share, so no catalog value can end
// the string early.
func selector(metric string, ms ...matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.label + m.op + strconv.Quote(m.value)
	}
	return metric + "{" + strings.Join(parts, ",") + "}"
}

// duration writes d in Prometheus' form (1h30m, 5m, 45s); the loader
// allows only whole seconds here.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}
