package check

import (
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/rendertest"
)

// find returns the object kind/name of nodes.
func find(t *testing.T, nodes []*yaml.RNode, kind, name string) *yaml.RNode {
	t.Helper()
	for _, n := range nodes {
		if n.GetKind() == kind && (n.GetName() == name || kind == "Job" && strings.HasPrefix(n.GetName(), name+"-")) {
			return n
		}
	}
	t.Fatalf("no %s/%s in the render", kind, name)
	return nil
}

// edit applies filters to kind/name.
func edit(kind, name string, filters ...yaml.Filter) func(*testing.T, []*yaml.RNode) []*yaml.RNode {
	return func(t *testing.T, nodes []*yaml.RNode) []*yaml.RNode {
		t.Helper()
		if _, err := find(t, nodes, kind, name).Pipe(filters...); err != nil {
			t.Fatalf("edit %s/%s: %v", kind, name, err)
		}
		return nodes
	}
}

// without drops kind/name.
func without(kind, name string) func(*testing.T, []*yaml.RNode) []*yaml.RNode {
	return func(t *testing.T, nodes []*yaml.RNode) []*yaml.RNode {
		drop := find(t, nodes, kind, name)
		var out []*yaml.RNode
		for _, n := range nodes {
			if n != drop {
				out = append(out, n)
			}
		}
		return out
	}
}

// with adds the object doc.
func with(doc string) func(*testing.T, []*yaml.RNode) []*yaml.RNode {
	return func(t *testing.T, nodes []*yaml.RNode) []*yaml.RNode {
		return append(nodes, yaml.MustParse(doc))
	}
}

var (
	app      = []string{"spec", "template", "spec", "containers", "[name=auth-service]"}
	waitPG   = []string{"spec", "template", "spec", "initContainers", "[name=wait-for-postgres]"}
	lookupIn = func(path []string, more ...string) yaml.Filter {
		return yaml.LookupCreate(yaml.MappingNode, append(path, more...)...)
	}
)

// TestEachCheckCanFail: the staging render passes every check; each case
// breaks it in one way, and exactly the check for that fails (or warns),
// naming the object and field.
func TestEachCheckCanFail(t *testing.T) {
	staging := rendertest.File(t, "../services.yaml")
	cases := []struct {
		name   string
		break_ func(*testing.T, []*yaml.RNode) []*yaml.RNode
		check  string
		status Severity
		want   string   // in the finding: object field: message
		also   []string // checks the break fails as well
	}{
		{"no memory limit", edit("Deployment", "auth-service", yaml.Lookup(append(app, "resources", "limits")...), yaml.Clear("memory")),
			"resources", Fail, "Deployment/auth-service spec.template.spec.containers[auth-service].resources: needs limits.memory", nil},
		{"init container without requests", edit("Deployment", "auth-service", yaml.Lookup(waitPG...), yaml.Clear("resources")),
			"resources", Fail, "initContainers[wait-for-postgres].resources: needs requests.cpu, requests.memory, limits.memory", nil},
		{"no liveness probe", edit("Deployment", "auth-service", yaml.Lookup(app...), yaml.Clear("livenessProbe")),
			"probes", Fail, "containers[auth-service].livenessProbe: missing", nil},
		{"no readiness probe on a StatefulSet", edit("StatefulSet", "postgres", yaml.Lookup("spec", "template", "spec", "containers", "[name=postgres]"), yaml.Clear("readinessProbe")),
			"probes", Fail, "StatefulSet/postgres spec.template.spec.containers[postgres].readinessProbe: missing", nil},
		{"latest image", edit("Deployment", "auth-service", yaml.Lookup(app...), yaml.SetField("image", yaml.NewScalarRNode("registry.nova.internal/nova/auth-service:latest"))),
			"images", Fail, "containers[auth-service].image", nil},
		{"untagged image in a Job", edit("Job", "sqlx-migrate", yaml.Lookup("spec", "template", "spec", "containers", "[name=done]"), yaml.SetField("image", yaml.NewScalarRNode("busybox"))),
			"images", Fail, `containers[done].image: "busybox": no tag`, nil},
		{"Secret with data", with("apiVersion: v1\nkind: Secret\nmetadata: {name: leaked, namespace: nova-staging}\nstringData: {password: hunter2}\n"),
			"secrets", Fail, "Secret/leaked stringData: holds secret values (password)", nil},
		{"literal password in env", edit("Deployment", "auth-service", yaml.Lookup(app...), yaml.Lookup("env"), yaml.Append(yaml.MustParse("{name: DB_PASSWORD, value: hunter2}").YNode())),
			"secrets", Fail, "env[DB_PASSWORD].value: a secret-named variable has a literal value", nil},
		{"password in a URL", edit("Deployment", "auth-service", yaml.Lookup(app...), yaml.Lookup("env"), yaml.Append(yaml.MustParse("{name: UPSTREAM, value: 'https://bob:s3cret@api.example/'}").YNode())),
			"secrets", Fail, "env[UPSTREAM].value: a URL with a password", nil},
		{"literal ClickHouse password", edit("ClickHouseInstallation", "clickhouse", yaml.Lookup("spec", "configuration", "users"), yaml.SetField("analytics_service/password", yaml.NewScalarRNode("hunter2"))),
			"secrets", Fail, "ClickHouseInstallation/clickhouse spec.configuration.users.analytics_service/password: a literal password", nil},
		{"privileged", edit("Deployment", "auth-service", lookupIn(app, "securityContext"), yaml.SetField("privileged", yaml.NewScalarRNode("true"))),
			"pod-security", Fail, "containers[auth-service].securityContext.privileged", nil},
		{"ClickHouse pod runs as root", edit("ClickHouseInstallation", "clickhouse", yaml.Lookup("spec", "templates", "podTemplates", "[name=pod]", "spec", "containers", "[name=clickhouse]", "securityContext"), yaml.SetField("runAsUser", yaml.NewScalarRNode("0"))),
			"pod-security", Fail, "ClickHouseInstallation/clickhouse spec.templates.podTemplates[0].spec.containers[clickhouse].securityContext.runAsUser", nil},
		{"Service selects nothing", edit("Service", "auth-service", yaml.Lookup("spec", "selector"), yaml.SetField("app.kubernetes.io/name", yaml.NewScalarRNode("auth-svc"))),
			"service-selectors", Fail, "Service/auth-service spec.selector: selects no pod: app.kubernetes.io/name=auth-svc", nil},
		{"Service whose Deployment is gone", without("Deployment", "auth-service"),
			"service-selectors", Fail, "Service/auth-service spec.selector: selects no pod", []string{"networkpolicy-selectors"}},
		{"selector-less Service without an EndpointSlice", with("apiVersion: v1\nkind: Service\nmetadata: {name: ledger, namespace: nova-staging}\nspec: {ports: [{port: 80}]}\n"),
			"service-selectors", Fail, "Service/ledger spec.selector: no selector and no EndpointSlice", nil},
		{"NetworkPolicy selects nothing", edit("NetworkPolicy", "redis", yaml.Lookup("spec", "podSelector", "matchLabels"), yaml.SetField("app.kubernetes.io/name", yaml.NewScalarRNode("rediss"))),
			"networkpolicy-selectors", Fail, "NetworkPolicy/redis spec.podSelector: selects no pod", []string{"policy-reachability"}},
		{"NetworkPolicy for ClickHouse without its installation", without("ClickHouseInstallation", "clickhouse"),
			"networkpolicy-selectors", Fail, "NetworkPolicy/clickhouse spec.podSelector", []string{"wait-for-targets", "servicemonitor-targets"}},
		{"HTTP-01 solver policy without a Certificate", without("Certificate", "graphql-gateway-tls"),
			"networkpolicy-selectors", Fail, "NetworkPolicy/acme-http01-solver spec.podSelector: selects no pod: {acme.cert-manager.io/http01-solver=true}", nil},
		{"ServiceMonitor names a port the Service lacks", edit("ServiceMonitor", "auth-service", yaml.Lookup("spec", "endpoints", "[port=http-metrics]"), yaml.SetField("port", yaml.NewScalarRNode("metrics"))),
			"servicemonitor-targets", Fail, `ServiceMonitor/auth-service spec.endpoints[0].port: selects no Service with a port named "metrics"`, nil},
		{"metrics port no NetworkPolicy admits", edit("Service", "auth-service", yaml.Lookup("spec", "ports", "[name=http-metrics]"), yaml.SetField("targetPort", yaml.NewScalarRNode("9999"))),
			"servicemonitor-targets", Fail, "ServiceMonitor/auth-service spec.endpoints[0].port: Service/auth-service port http-metrics reaches Deployment/auth-service on 9999, which no NetworkPolicy admits", nil},
		{"PodMonitor names a port the ClickHouse pods lack", edit("PodMonitor", "clickhouse", yaml.Lookup("spec", "podMetricsEndpoints", "[port=metrics]"), yaml.SetField("port", yaml.NewScalarRNode("prometheus"))),
			"servicemonitor-targets", Fail, `PodMonitor/clickhouse spec.podMetricsEndpoints[0].port: selects no pod with a container port named "prometheus"`, nil},
		{"wait for a Service that is gone", without("Service", "postgres"),
			"wait-for-targets", Fail, `initContainers[wait-for-postgres].env[WAIT_HOST]: waits for Service "postgres"`, nil},
		{"wait for a misspelt host", edit("Deployment", "auth-service", yaml.Lookup(waitPG...), yaml.Lookup("env", "[name=WAIT_HOST]"), yaml.SetField("value", yaml.NewScalarRNode("postgress"))),
			"wait-for-targets", Fail, `waits for Service "postgress"`, nil},
		{"a Service's pods without their allow-list", without("NetworkPolicy", "user-service"),
			"policy-reachability", Fail, `initContainers[wait-for-user-service]: waits for Service "user-service" on port 50051, but the NetworkPolicies block it`, []string{"servicemonitor-targets"}},
		{"route backend admitting only its own namespace", edit("NetworkPolicy", "graphql-gateway", yaml.FilterFunc(func(n *yaml.RNode) (*yaml.RNode, error) {
			// The controller's rule, last: its pods now in the gateway's namespace.
			rules, err := n.Pipe(yaml.Lookup("spec", "ingress"))
			if err != nil {
				return nil, err
			}
			elems, _ := rules.Elements()
			return elems[len(elems)-1].Pipe(yaml.Lookup("from"), yaml.FilterFunc(func(f *yaml.RNode) (*yaml.RNode, error) {
				peers, _ := f.Elements()
				return peers[0].Pipe(yaml.SetField("namespaceSelector", yaml.MustParse("{matchLabels: {kubernetes.io/metadata.name: nova-staging}}")))
			}))
		})),
			"policy-reachability", Fail, `Ingress/graphql-gateway spec.rules[0].http.paths[0].backend: routes to Service "graphql-gateway" port 8080, but the NetworkPolicies of Deployment/graphql-gateway spec.template.spec admit no pod from outside namespace nova-staging on port 8080`, nil},
		{"wait on a port only the monitoring may use", edit("Deployment", "graphql-gateway", yaml.Lookup("spec", "template", "spec", "initContainers", "[name=wait-for-user-service]", "env", "[name=WAIT_PORT]"), yaml.SetField("value", yaml.NewScalarRNode("9090"))),
			"policy-reachability", Fail, `Deployment/graphql-gateway spec.template.spec.initContainers[wait-for-user-service]: waits for Service "user-service" on port 9090`, nil},
		{"object over 256 KiB", with(configMapOf(WarnObjectBytes)),
			"object-size", Warn, "ConfigMap/blob (whole object): is 262", nil},
		{"object over 1 MiB", with(configMapOf(MaxObjectBytes)),
			"object-size", Fail, "ConfigMap/blob (whole object): is 1048", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nodes := tc.break_(t, copyNodes(staging))
			results, err := Run("render", nodes)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				findings := describe(r)
				if r.Name != tc.check {
					if r.Status() != Pass && !slices.Contains(tc.also, r.Name) {
						t.Errorf("check %s also %s:\n%s", r.Name, r.Status(), findings)
					}
					continue
				}
				if r.Status() != tc.status {
					t.Errorf("check %s is %s, want %s:\n%s", r.Name, r.Status(), tc.status, findings)
				}
				if !strings.Contains(findings, tc.want) {
					t.Errorf("check %s: want a finding containing %q, got:\n%s", r.Name, tc.want, findings)
				}
			}
		})
	}
}

// TestStagingPasses: the unbroken fixture passes, and every check looked
// at something (a check that saw nothing proves nothing).
func TestStagingPasses(t *testing.T) {
	results, err := Run("services.yaml", rendertest.File(t, "../services.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(Names()) {
		t.Fatalf("%d results for %d checks", len(results), len(Names()))
	}
	for _, r := range results {
		if r.Status() != Pass || r.Checked == 0 {
			t.Errorf("%s: %s after %d %s:\n%s", r.Name, r.Status(), r.Checked, r.Unit, describe(r))
		}
	}
	if Failed(results) {
		t.Error("Failed on a passing render")
	}
}

// TestEndpointSliceBacksASelectorlessService: an external IP is a
// selector-less Service and its EndpointSlice; without the slice the
// Service points nowhere.
func TestEndpointSliceBacksASelectorlessService(t *testing.T) {
	nodes := rendertest.File(t, "../generators/externalservices/testdata/dns-and-ip/catalog.yaml")
	r := mustRun(t, nodes)[5]
	if r.Name != "service-selectors" || r.Status() != Pass {
		t.Fatalf("%s: %s\n%s", r.Name, r.Status(), describe(r))
	}
	var kept []*yaml.RNode
	for _, n := range nodes {
		if n.GetKind() != "EndpointSlice" {
			kept = append(kept, n)
		}
	}
	if len(kept) == len(nodes) {
		t.Fatal("the render has no EndpointSlice")
	}
	r = mustRun(t, kept)[5]
	if r.Status() != Fail || !strings.Contains(describe(r), "no selector and no EndpointSlice labelled kubernetes.io/service-name=ledger") {
		t.Fatalf("%s: %s\n%s", r.Name, r.Status(), describe(r))
	}
}

// TestPartialRenderWarns: Services without any pod in the input (the
// grpc-services generator alone) are a partial render: WARN, not FAIL.
func TestPartialRenderWarns(t *testing.T) {
	var services []*yaml.RNode
	for _, n := range rendertest.File(t, "../services.yaml") {
		if n.GetKind() == "Service" {
			services = append(services, n)
		}
	}
	results := mustRun(t, services)
	if Failed(results) {
		t.Fatalf("a partial render failed:\n%s", describeAll(results))
	}
	if r := results[5]; r.Status() != Warn || !strings.Contains(describe(r), "the input has no pods") {
		t.Fatalf("%s: %s\n%s", r.Name, r.Status(), describe(r))
	}
}

// TestUnreadablePodSpec: a pod spec that is not one is an error naming
// the object and field, not a pass.
func TestUnreadablePodSpec(t *testing.T) {
	nodes := edit("Deployment", "auth-service", yaml.Lookup(app...), yaml.SetField("imagePullPolisy", yaml.NewScalarRNode("Always")))(t, copyNodes(rendertest.File(t, "../services.yaml")))
	_, err := Run("render", nodes)
	if err == nil || !strings.Contains(err.Error(), "Deployment/auth-service: spec.template.spec") || !strings.Contains(err.Error(), "imagePullPolisy") {
		t.Fatalf("want an error naming Deployment/auth-service and the field, got %v", err)
	}
}

func mustRun(t *testing.T, nodes []*yaml.RNode) []Result {
	t.Helper()
	results, err := Run("render", nodes)
	if err != nil {
		t.Fatal(err)
	}
	return results
}

func copyNodes(nodes []*yaml.RNode) []*yaml.RNode {
	out := make([]*yaml.RNode, len(nodes))
	for i, n := range nodes {
		out[i] = n.Copy()
	}
	return out
}

func describe(r Result) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.Severity.String() + " " + f.Object + " " + f.Field + ": " + f.Message + "\n")
	}
	return b.String()
}

func describeAll(results []Result) string {
	var b strings.Builder
	for _, r := range results {
		b.WriteString(r.Name + " " + r.Status().String() + "\n" + describe(r))
	}
	return b.String()
}

// configMapOf is a ConfigMap of just over size bytes of YAML.
func configMapOf(size int) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob, namespace: nova-staging}\ndata: {blob: " + strings.Repeat("x", size) + "}\n"
}
