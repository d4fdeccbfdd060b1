package promql

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/promqltest"
)

// object is what this test reads of a rendered object.
type object struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Groups []group `yaml:"groups"`
	} `yaml:"spec"`
}

// group is a rule group of a PrometheusRule.
type group struct {
	Name  string `yaml:"name"`
	Rules []struct {
		Alert  string            `yaml:"alert"`
		Expr   string            `yaml:"expr"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"rules"`
}

// TestAlertsFire evaluates the staging render's alert expressions with
// Prometheus' engine over series shaped as kube-state-metrics reports
// the rendered objects: every other service is down and crash-looping,
// the rest healthy, and every rendered Job has failed. Each alert must
// select exactly the broken services, and the failed-Job alert exactly
// the Jobs that set the environment up (not the validation, which only
// reports).
func TestAlertsFire(t *testing.T) {
	objs := documents[object](t, "../../golden/render.yaml")
	var rules []object // a PrometheusRule per service, and the Sync Jobs'
	var series []string
	var syncJobs []string
	for i, o := range objs {
		switch o.Kind {
		case "PrometheusRule":
			rules = append(rules, objs[i])
		case "Job":
			series = append(series, fmt.Sprintf(`kube_job_failed{namespace=%q,job_name=%q,condition="true"} 1x30`, o.Metadata.Namespace, o.Metadata.Name))
			if o.Metadata.Labels["app.kubernetes.io/component"] != "validation" {
				syncJobs = append(syncJobs, o.Metadata.Name)
			}
		}
	}
	if len(rules) == 0 || len(syncJobs) == 0 {
		t.Fatalf("no PrometheusRule or no Sync Job in the render")
	}
	ns := rules[0].Metadata.Namespace
	var groups []group
	for _, r := range rules {
		groups = append(groups, r.Spec.Groups...)
	}
	broken := map[string]bool{}
	services := 0
	for _, g := range groups {
		svc, ok := strings.CutPrefix(g.Name, "service:")
		if !ok {
			continue
		}
		services++
		available, restarts := "1x30", "0x30"
		if services%2 == 1 {
			broken[svc], available, restarts = true, "0x30", "0+1x30"
		}
		series = append(series,
			fmt.Sprintf(`kube_deployment_spec_replicas{namespace=%q,deployment=%q} 1x30`, ns, svc),
			fmt.Sprintf(`kube_deployment_status_replicas_available{namespace=%q,deployment=%q} %s`, ns, svc, available),
			fmt.Sprintf(`kube_pod_container_status_restarts_total{namespace=%q,pod=%q,container=%q} %s`, ns, svc+"-5d8f7c9b6-x2x4z", svc, restarts),
			// Another namespace's service of the same name never fires.
			fmt.Sprintf(`kube_deployment_status_replicas_available{namespace="elsewhere",deployment=%q} 0x30`, svc),
			fmt.Sprintf(`kube_deployment_spec_replicas{namespace="elsewhere",deployment=%q} 1x30`, svc),
		)
	}
	storage := promqltest.LoadedStorage(t, "load 1m\n  "+strings.Join(series, "\n  "))
	engine := promqltest.NewTestEngine(t, false, 0, 1_000_000)
	at := time.Unix(0, 0).Add(30 * time.Minute)

	fired := map[string][]string{} // alert -> the service or job_name of each result
	for _, g := range groups {
		for _, r := range g.Rules {
			q, err := engine.NewInstantQuery(context.Background(), storage, nil, r.Expr, at)
			if err != nil {
				t.Fatalf("%s: %v", r.Alert, err)
			}
			res := q.Exec(context.Background())
			if res.Err != nil {
				t.Fatalf("%s: %v", r.Alert, res.Err)
			}
			vec, err := res.Vector()
			if err != nil {
				t.Fatalf("%s: %v", r.Alert, err)
			}
			for _, s := range vec {
				who := r.Labels["service"]
				if j := s.Metric.Get("job_name"); j != "" {
					who = j
				}
				fired[r.Alert] = append(fired[r.Alert], who)
			}
			q.Close()
		}
	}
	var wantBroken []string
	for s := range broken {
		wantBroken = append(wantBroken, s)
	}
	slices.Sort(wantBroken)
	for alert, want := range map[string][]string{"ServiceNotReady": wantBroken, "ServiceRestarting": wantBroken, "SyncJobFailed": slices.Sorted(slices.Values(syncJobs))} {
		got := slices.Sorted(slices.Values(fired[alert]))
		if !slices.Equal(got, want) {
			t.Errorf("%s fires for %v, want %v", alert, got, want)
		}
	}
	if services < 2 {
		t.Fatalf("%d service groups", services)
	}
}
