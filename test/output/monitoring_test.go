package output

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/generators/validation"
	"github.com/novagen/novagen/internal/rendertest"
	"github.com/novagen/novagen/naming"
)

// rendered holds the objects of one render that monitoring concerns.
type rendered struct {
	services    []corev1.Service
	deployments []appsv1.Deployment
	jobs        []batchv1.Job
	monitors    []promoperator.ServiceMonitor
	rules       []promoperator.PrometheusRule
}

func decode[T any](t *testing.T, n *yaml.RNode) T {
	t.Helper()
	var v T
	s, err := n.String()
	if err != nil {
		t.Fatal(err)
	}
	if err := k8syaml.UnmarshalStrict([]byte(s), &v); err != nil {
		t.Fatalf("%s/%s: %v", n.GetKind(), n.GetName(), err)
	}
	return v
}

func collect(t *testing.T, nodes []*yaml.RNode) rendered {
	var r rendered
	for _, n := range nodes {
		switch n.GetKind() {
		case "Service":
			r.services = append(r.services, decode[corev1.Service](t, n))
		case "Deployment":
			r.deployments = append(r.deployments, decode[appsv1.Deployment](t, n))
		case "Job":
			r.jobs = append(r.jobs, decode[batchv1.Job](t, n))
		case promoperator.KindServiceMonitor:
			r.monitors = append(r.monitors, decode[promoperator.ServiceMonitor](t, n))
		case promoperator.KindPrometheusRule:
			r.rules = append(r.rules, decode[promoperator.PrometheusRule](t, n))
		}
	}
	return r
}

func matches(t *testing.T, sel *metav1.LabelSelector, set map[string]string) bool {
	t.Helper()
	if sel == nil {
		return true // an absent selector selects everything
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Fatal(err)
	}
	return s.Matches(labels.Set(set))
}

// scrape is one port of one Deployment's pods.
type scrape struct {
	deployment string
	port       int32
}

// scraped: where the ServiceMonitors send Prometheus, followed through
// the rendered Services (selector, port name, targetPort) to the pods.
func (r rendered) scraped(t *testing.T) []scrape {
	var out []scrape
	for _, sm := range r.monitors {
		namespaces := []string{}
		if ns := sm.Spec.NamespaceSelector; ns != nil {
			namespaces = ns.MatchNames
		}
		if len(namespaces) == 0 {
			namespaces = []string{sm.Namespace} // the operator's default
		}
		for _, svc := range r.services {
			if !slices.Contains(namespaces, svc.Namespace) || !matches(t, &sm.Spec.Selector, svc.Labels) {
				continue
			}
			for _, ep := range sm.Spec.Endpoints {
				var port *corev1.ServicePort
				for i := range svc.Spec.Ports {
					if svc.Spec.Ports[i].Name == ep.Port {
						port = &svc.Spec.Ports[i]
					}
				}
				if port == nil {
					t.Errorf("ServiceMonitor %s: Service %s has no port %q", sm.Name, svc.Name, ep.Port)
					continue
				}
				for _, d := range r.deployments {
					if d.Namespace == svc.Namespace && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
						out = append(out, scrape{d.Name, port.TargetPort.IntVal})
					}
				}
			}
		}
	}
	return out
}

// admitted: the container ports of the Deployments' pods that the
// rendered NetworkPolicies (check's evaluator, Kubernetes semantics) let
// a pod with labels podLabels in namespace ns reach.
func (r rendered) admitted(t *testing.T, ps *check.Policies, ns string, podLabels map[string]string) []scrape {
	prometheus := check.Peer{Namespace: ns, Labels: podLabels}
	var out []scrape
	for _, d := range r.deployments {
		pod := check.Peer{Namespace: d.Namespace, Labels: d.Spec.Template.Labels}
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, p := range c.Ports {
				if ps.Allows(prometheus, pod, p.ContainerPort) {
					out = append(out, scrape{d.Name, p.ContainerPort})
				}
			}
		}
	}
	return out
}

func sorted(s []scrape) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%s:%d", x.deployment, x.port)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestServiceMonitorsAgreeWithPolicies: in every catalog that enables the
// Prometheus Operator, the ports the ServiceMonitors make Prometheus
// scrape are exactly the ports the NetworkPolicies admit the monitoring
// pods to, computed from the rendered objects alone.
func TestServiceMonitorsAgreeWithPolicies(t *testing.T) {
	checked := 0
	for _, path := range testCatalogs(t) {
		cat, err := load.Load(path)
		if err != nil {
			continue // the error cases of the golden tests
		}
		m := cat.Spec.Monitoring
		if !m.PrometheusOperator.Enabled {
			continue
		}
		t.Run(path, func(t *testing.T) {
			nodes := rendertest.Catalog(t, cat)
			ps, err := check.NewPolicies(nodes)
			if err != nil {
				t.Fatal(err)
			}
			r := collect(t, nodes)
			scraped, admitted := sorted(r.scraped(t)), sorted(r.admitted(t, ps, m.Namespace, m.PodLabels))
			if len(scraped) == 0 || len(scraped) != len(r.monitors) {
				t.Fatalf("%d ServiceMonitors reach %d ports: %v", len(r.monitors), len(scraped), scraped)
			}
			if !slices.Equal(scraped, admitted) {
				t.Errorf("ServiceMonitors scrape %v\nNetworkPolicies admit the monitoring pods to %v", scraped, admitted)
			}
		})
		checked++
	}
	if checked < 2 {
		t.Fatalf("only %d catalogs enable the Prometheus Operator", checked)
	}
}

// TestAlertsNameRenderedObjects: the alert rules watch exactly the
// rendered Deployments (and their containers), each in the PrometheusRule
// named like it, and every rendered Sync Job, under the names
// kube-state-metrics reports them by.
func TestAlertsNameRenderedObjects(t *testing.T) {
	deploymentRe := regexp.MustCompile(`deployment="([^"]+)"`)
	containerRe := regexp.MustCompile(`container="([^"]+)"`)
	jobRe := regexp.MustCompile(`job_name=~"([^"]+)"`)
	for _, path := range []string{"../../services.yaml", "../../generators/monitoring/testdata/full/catalog.yaml"} {
		t.Run(path, func(t *testing.T) {
			r := collect(t, rendertest.File(t, path))
			// The services' Deployments; the exporters' have no alerts.
			r.deployments = slices.DeleteFunc(r.deployments, func(d appsv1.Deployment) bool {
				return d.Labels[kube.LabelComponent] != kube.ComponentGRPCService
			})
			if len(r.rules) != len(r.deployments)+1 {
				t.Fatalf("%d PrometheusRules, want one per Deployment and the Sync Jobs'", len(r.rules))
			}
			containers := map[string][]string{}
			for _, d := range r.deployments {
				for _, c := range d.Spec.Template.Spec.Containers {
					containers[d.Name] = append(containers[d.Name], c.Name)
				}
			}
			watched := map[string]bool{}
			var jobPatterns []*regexp.Regexp
			for _, pr := range r.rules {
				for _, g := range pr.Spec.Groups {
					for _, rule := range g.Rules {
						for _, m := range deploymentRe.FindAllStringSubmatch(rule.Expr, -1) {
							watched[m[1]] = true
							if _, ok := containers[m[1]]; !ok {
								t.Errorf("%s: no Deployment %s", rule.Alert, m[1])
							}
							if m[1] != pr.Name {
								t.Errorf("PrometheusRule %s watches Deployment %s", pr.Name, m[1])
							}
						}
						for _, m := range containerRe.FindAllStringSubmatch(rule.Expr, -1) {
							if !slices.Contains(containers[rule.Labels["service"]], m[1]) {
								t.Errorf("%s: Deployment %s has no container %s", rule.Alert, rule.Labels["service"], m[1])
							}
						}
						for _, m := range jobRe.FindAllStringSubmatch(rule.Expr, -1) {
							jobPatterns = append(jobPatterns, regexp.MustCompile("^(?:"+m[1]+")$")) // Prometheus anchors
						}
					}
				}
			}
			if got, want := slices.Sorted(maps.Keys(watched)), slices.Sorted(maps.Keys(containers)); !slices.Equal(got, want) {
				t.Errorf("alerts watch Deployments %v, rendered %v", got, want)
			}
			if len(jobPatterns) != 1 || len(r.jobs) == 0 {
				t.Fatalf("%d job patterns, %d Jobs", len(jobPatterns), len(r.jobs))
			}
			for _, j := range r.jobs {
				// Every Job that sets the environment up; the validation
				// only reports.
				setUp := j.Labels[kube.LabelComponent] != validation.Component
				if got := jobPatterns[0].MatchString(j.Name); got != setUp {
					t.Errorf("Job %s (%s): the failed-Job alert watches it: %v", j.Name, j.Labels[kube.LabelComponent], got)
				}
			}
		})
	}
}

// TestRedisExporterScrapesEveryNode: the Redis exporter's ServiceMonitor
// names, as scrape targets, exactly the pods of the rendered Redis
// StatefulSet, by the DNS names its headless Service gives them, on the
// port the pods serve.
func TestRedisExporterScrapesEveryNode(t *testing.T) {
	var (
		sts     *appsv1.StatefulSet
		monitor *promoperator.ServiceMonitor
	)
	for _, n := range rendertest.File(t, "../../services.yaml") {
		switch {
		case n.GetKind() == "StatefulSet" && n.GetName() == "redis":
			s := decode[appsv1.StatefulSet](t, n)
			sts = &s
		case n.GetKind() == promoperator.KindServiceMonitor && n.GetName() == naming.Exporter("redis"):
			m := decode[promoperator.ServiceMonitor](t, n)
			monitor = &m
		}
	}
	if sts == nil || monitor == nil {
		t.Fatalf("StatefulSet redis: %v, ServiceMonitor %s: %v", sts != nil, naming.Exporter("redis"), monitor != nil)
	}
	port := sts.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort
	var want, got []string
	for i := range *sts.Spec.Replicas {
		// <pod>.<headless Service>, which the exporter's pod in the same
		// namespace resolves through its DNS search path.
		want = append(want, fmt.Sprintf("%s-%d.%s:%d", sts.Name, i, sts.Spec.ServiceName, port))
	}
	for _, e := range monitor.Spec.Endpoints {
		got = append(got, e.Params["target"]...)
	}
	if !slices.Equal(want, got) {
		t.Errorf("the exporter scrapes %v\nthe Redis pods are %v", got, want)
	}
}

// TestClickHousePodMonitorReachesItsPods: with monitoring on, the
// ClickHouse PodMonitor selects the pods of the installation's pod
// template, names a container port that template declares, on the port
// ClickHouse's <prometheus> setting serves, and the NetworkPolicies admit
// the monitoring pods to exactly that port of those pods beyond what
// they admitted before (nothing but the metrics port is opened).
func TestClickHousePodMonitorReachesItsPods(t *testing.T) {
	type chi struct {
		Spec struct {
			Configuration struct {
				Settings map[string]string `json:"settings"`
			} `json:"configuration"`
			Templates struct {
				PodTemplates []struct {
					Metadata struct {
						Labels map[string]string `json:"labels"`
					} `json:"metadata"`
					Spec corev1.PodSpec `json:"spec"`
				} `json:"podTemplates"`
			} `json:"templates"`
		} `json:"spec"`
	}
	cat, err := load.Load("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	nodes := rendertest.Catalog(t, cat)
	var (
		installation *chi
		monitor      *promoperator.PodMonitor
	)
	for _, n := range nodes {
		switch n.GetKind() {
		case "ClickHouseInstallation":
			s, err := n.String()
			if err != nil {
				t.Fatal(err)
			}
			var c chi
			if err := k8syaml.Unmarshal([]byte(s), &c); err != nil {
				t.Fatal(err)
			}
			installation = &c
		case promoperator.KindPodMonitor:
			m := decode[promoperator.PodMonitor](t, n)
			monitor = &m
		}
	}
	if installation == nil || monitor == nil || len(installation.Spec.Templates.PodTemplates) != 1 || len(monitor.Spec.PodMetricsEndpoints) != 1 {
		t.Fatalf("ClickHouseInstallation %v, PodMonitor %v", installation != nil, monitor != nil)
	}
	tmpl := installation.Spec.Templates.PodTemplates[0]
	if !matches(t, &monitor.Spec.Selector, tmpl.Metadata.Labels) {
		t.Errorf("PodMonitor %s selects %v, the ClickHouse pods are labelled %v", monitor.Name, monitor.Spec.Selector, tmpl.Metadata.Labels)
	}
	ep := monitor.Spec.PodMetricsEndpoints[0]
	var port int32
	for _, c := range tmpl.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == ep.Port {
				port = p.ContainerPort
			}
		}
	}
	settings := installation.Spec.Configuration.Settings
	if port == 0 || settings["prometheus/port"] != fmt.Sprint(port) || settings["prometheus/endpoint"] != ep.Path {
		t.Fatalf("PodMonitor scrapes port %q (container port %d) at %s; ClickHouse serves %v", ep.Port, port, ep.Path, settings)
	}
	ps, err := check.NewPolicies(nodes)
	if err != nil {
		t.Fatal(err)
	}
	m := cat.Spec.Monitoring
	prometheus, pod := check.Peer{Namespace: m.Namespace, Labels: m.PodLabels}, check.Peer{Namespace: cat.Spec.Namespace, Labels: tmpl.Metadata.Labels}
	for _, p := range []int32{port, cat.Spec.Infrastructure.ClickHouse.Port, cat.Spec.Infrastructure.ClickHouse.HTTPPort} {
		if got, want := ps.Allows(prometheus, pod, p), p == port; got != want {
			t.Errorf("the policies admit the monitoring pods to ClickHouse's port %d: %v, want %v", p, got, want)
		}
	}
}
