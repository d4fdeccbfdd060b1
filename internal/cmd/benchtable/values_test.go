package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/synth"
)

// catalogWith is a small catalog with every kind of dependency target
// and the given services (YAML list items, indented by four).
func catalogWith(t *testing.T, services string) *catalog.Catalog {
	t.Helper()
	data := fmt.Sprintf(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t-ns
  defaults:
    image: {registry: registry.example/t, tag: "1.0.0"}
  monitoring: {namespace: monitoring, podLabels: {app.kubernetes.io/name: prometheus}}
  infrastructure:
    postgres: {port: 5432}
    redis: {port: 6379}
    kafka: {port: 9092, mode: kraft}
    external:
      - {name: search, host: 10.0.0.7, port: 9200}
  databases: [{name: db_a}]
  topics: [{name: events, partitions: 1}]
  services:
%s`, services)
	cat, err := load.Parse("catalog.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func serviceNamed(t *testing.T, v *values, name string) serviceItem {
	t.Helper()
	for _, s := range v.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s in the values", name)
	return serviceItem{}
}

func TestHelmValues(t *testing.T) {
	for _, tc := range []struct {
		name     string
		services string
		check    func(t *testing.T, v *values)
	}{{
		name: "waits in catalog order, and who connects",
		services: `    - {name: a, database: db_a, dependsOn: [postgres, redis]}
    - {name: b, dependsOn: [a, search, kafka]}
    - {name: c, dependsOn: [a]}
`,
		check: func(t *testing.T, v *values) {
			a, b, c := serviceNamed(t, v, "a"), serviceNamed(t, v, "b"), serviceNamed(t, v, "c")
			if want := []string{"postgres", "redis"}; !slices.Equal(a.DependsOn, want) || a.Database != "db_a" {
				t.Errorf("a: dependsOn %v database %q, want %v db_a", a.DependsOn, a.Database, want)
			}
			if want := []string{"a", "search", "kafka"}; !slices.Equal(b.DependsOn, want) {
				t.Errorf("b: dependsOn %v, want %v", b.DependsOn, want)
			}
			if want := []string{"b", "c"}; !slices.Equal(a.ReachedBy, want) {
				t.Errorf("a: reachedBy %v, want %v", a.ReachedBy, want)
			}
			if len(b.ReachedBy)+len(c.ReachedBy) != 0 {
				t.Errorf("nothing connects to b or c, got %v and %v", b.ReachedBy, c.ReachedBy)
			}
			if !b.Kafka || a.Kafka {
				t.Errorf("kafka: a %v b %v, want only b (it waits for Kafka)", a.Kafka, b.Kafka)
			}
			// b waits for the external search: the last wave, after c.
			if a.Wave >= c.Wave || c.Wave >= b.Wave || v.Waves.Services > a.Wave {
				t.Errorf("waves: services %d, a %d, b %d, c %d: a must come before c, and c before b", v.Waves.Services, a.Wave, b.Wave, c.Wave)
			}
		},
	}, {
		name:     "a service's own pod labels (a partition's team label)",
		services: "    - {name: a, labels: {team: x}}\n    - {name: b}\n",
		check: func(t *testing.T, v *values) {
			if a, b := serviceNamed(t, v, "a"), serviceNamed(t, v, "b"); a.Labels["team"] != "x" || len(a.Labels) != 1 || b.Labels != nil {
				t.Errorf("labels: a %v b %v, want a team=x only", a.Labels, b.Labels)
			}
		},
	}, {
		name:     "defaults are not repeated per service",
		services: "    - {name: a}\n",
		check: func(t *testing.T, v *values) {
			a := serviceNamed(t, v, "a")
			if a.Replicas != nil || a.Image != "" || a.Resources != nil || a.StartupFailureThreshold != 0 || a.HTTP != nil || a.Kafka {
				t.Errorf("a service without overrides carries %+v", a)
			}
			if v.Replicas != 1 || v.StartupFailureThreshold != 24 || v.Wait.IntervalSeconds != 2 || v.Secrets.RefreshInterval != "1h0m0s" {
				t.Errorf("defaults: replicas %d, startup failure threshold %d, wait interval %d s, refresh %s",
					v.Replicas, v.StartupFailureThreshold, v.Wait.IntervalSeconds, v.Secrets.RefreshInterval)
			}
			if v.Wait.Scripts != (waitScripts{TCP: scripts.WaitForTCP, Postgres: scripts.WaitForPostgres}) {
				t.Errorf("the wait scripts are not novagen's: %+v", v.Wait.Scripts)
			}
			if _, ok := v.Endpoints["a"]; ok {
				t.Errorf("a service endpoint reached the chart's default way is listed: %v", v.Endpoints)
			}
		},
	}, {
		name: "what a service overrides",
		services: `    - name: a
      replicas: 3
      image: {tag: "2.0.0"}
      startupGrace: 30s
      resources: {limits: {memory: 0.5Gi}}
`,
		check: func(t *testing.T, v *values) {
			a := serviceNamed(t, v, "a")
			if a.Replicas == nil || *a.Replicas != 3 {
				t.Errorf("replicas %v, want 3", a.Replicas)
			}
			if a.Image != "registry.example/t/a:2.0.0" {
				t.Errorf("image %q", a.Image)
			}
			if a.StartupFailureThreshold != 6 {
				t.Errorf("startup failure threshold %d, want 6 (30 s in 5 s probes)", a.StartupFailureThreshold)
			}
			if a.Resources == nil || a.Resources.Limits["memory"] != "512Mi" || a.Resources.Requests["cpu"] != v.Resources.Requests["cpu"] {
				t.Errorf("resources %+v: want the default merged with memory 512Mi, as the API server writes it", a.Resources)
			}
		},
	}, {
		name:     "a Kafka client that does not wait for Kafka",
		services: "    - {name: a, produces: [events]}\n",
		check: func(t *testing.T, v *values) {
			if a := serviceNamed(t, v, "a"); !a.Kafka || len(a.DependsOn) != 0 {
				t.Errorf("kafka %v dependsOn %v, want a client that waits for nothing", a.Kafka, a.DependsOn)
			}
		},
	}, {
		name:     "an HTTP service",
		services: "    - {name: a, protocol: http, ports: {http: 8080}}\n",
		check: func(t *testing.T, v *values) {
			if a := serviceNamed(t, v, "a"); a.HTTP == nil || *a.HTTP != (httpValues{Port: 8080, HealthPath: "/healthz"}) {
				t.Errorf("http %+v", a.HTTP)
			}
			if e, ok := v.Endpoints["a"]; !ok || !slices.Equal(e.Ports, []int32{8080}) {
				t.Errorf("the endpoint of an HTTP service must be listed with its port: %+v", e)
			}
		},
	}, {
		name:     "dependency targets",
		services: "    - {name: a}\n",
		check: func(t *testing.T, v *values) {
			want := endpointsMap{
				"postgres": {Ports: []int32{5432}, PodLabels: nameLabel("postgres")},
				"redis":    {Ports: []int32{6379}, PodLabels: nameLabel("redis")},
				"kafka":    {Ports: []int32{9092}, PodLabels: nameLabel("kafka")},
				"search":   {Ports: []int32{9200}, CIDR: "10.0.0.7/32"},
			}
			if !reflect.DeepEqual(v.Endpoints, want) {
				t.Errorf("endpoints\n%+v\nwant\n%+v", v.Endpoints, want)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := helmValues(catalogWith(t, tc.services))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, v)
		})
	}
}

// TestHelmValuesRefuses: what the chart cannot render as novagen does is
// an error, never a silently different comparison.
func TestHelmValuesRefuses(t *testing.T) {
	for _, tc := range []struct{ services, want string }{
		{"    - {name: a, ports: {grpc: 6000}}\n", "ports.grpc only"},
		{"    - {name: a, ports: {metrics: 9100}}\n", "ports.metrics only"},
	} {
		_, err := helmValues(catalogWith(t, tc.services))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one saying %q", tc.services, err, tc.want)
		}
	}
}

// TestHelmValuesKeepEveryDependency: on a synthetic catalog, the values
// file (written and read back) keeps every service, its database and
// every dependency in order, and every service-to-service edge as an
// ingress source.
func TestHelmValuesKeepEveryDependency(t *testing.T) {
	data, err := synth.Catalog(synth.Options{Services: 200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "synth.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := load.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	file, err := valuesFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v values
	if err := yaml.Unmarshal(file, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Services) != len(cat.Spec.Services) {
		t.Fatalf("%d services in the values, %d in the catalog", len(v.Services), len(cat.Spec.Services))
	}
	edges, sources := 0, 0
	for i, s := range cat.Spec.Services {
		got := v.Services[i]
		if got.Name != s.Name || got.Database != s.Database || !slices.Equal(got.DependsOn, s.DependsOn) {
			t.Errorf("service %d: %s database %q dependsOn %v, want %s %q %v", i, got.Name, got.Database, got.DependsOn, s.Name, s.Database, s.DependsOn)
		}
		for _, d := range s.DependsOn {
			if _, ok := cat.Service(d); ok {
				edges++
			}
		}
		sources += len(got.ReachedBy)
	}
	if edges == 0 || sources != edges {
		t.Errorf("%d service-to-service edges, %d ingress sources in the values", edges, sources)
	}
}
