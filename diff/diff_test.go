package diff

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/internal/rendertest"
	"github.com/novagen/novagen/naming"
)

// staging is services.yaml's text, the base every case edits.
func staging(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replace is strings.Replace that fails when old is not in s.
func replace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("the catalog has no %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

// compare renders both catalogs and compares them, as `novagen diff`
// does.
func compare(t *testing.T, oldText, newText string) (Report, *catalog.Catalog, *catalog.Catalog) {
	t.Helper()
	oldCat, oldNodes := rendertest.Text(t, oldText)
	newCat, newNodes := rendertest.Text(t, newText)
	return Compare(oldCat, newCat, oldNodes, newNodes), oldCat, newCat
}

func rendered(t *testing.T, text string) []*yaml.RNode {
	t.Helper()
	_, nodes := rendertest.Text(t, text)
	return nodes
}

// objects lists "op Kind/name" of group's changes.
func objects(r Report, group string) []string {
	var out []string
	for _, g := range r.Groups {
		if g.Name == group {
			for _, c := range g.Changes {
				out = append(out, string(c.Op)+" "+c.Object)
			}
		}
	}
	return out
}

// assertBlastRadius: adding or removing service svc (as cat declares
// it) adds or removes objects only in svc's own group, and changes
// objects only of the nodes svc connects to (their NetworkPolicies let
// it in, PostgreSQL gets its role) and shared ones; a shared object that
// changes names svc (its role or database) in the render where svc
// exists.
func assertBlastRadius(t *testing.T, r Report, cat *catalog.Catalog, withSvc []*yaml.RNode, svc string) {
	t.Helper()
	s, ok := cat.Service(svc)
	if !ok {
		t.Fatalf("%s is not in the catalog", svc)
	}
	allowed := append([]string{svc, Shared}, cat.Reaches(svc)...)
	mentions := []string{svc, naming.Role(svc)}
	if s.Database != "" {
		mentions = append(mentions, s.Database)
	}
	// A serving port only it has (the HTTP gateway's) goes with it from
	// the shared policy that admits the validation Job to every service.
	if !slices.ContainsFunc(cat.Spec.Services, func(o catalog.Service) bool { return o.Name != svc && o.Port() == s.Port() }) {
		mentions = append(mentions, strconv.Itoa(int(s.Port())))
	}
	// The policy admitting the ingress controller to cert-manager's
	// HTTP-01 solver exists while some service has TLS.
	onlyTLS := s.Expose != nil && s.Expose.TLS && !slices.ContainsFunc(cat.Exposed(), func(o *catalog.Service) bool { return o.Name != svc && o.Expose.TLS })
	for _, g := range r.Groups {
		for _, c := range g.Changes {
			switch {
			case onlyTLS && g.Name == Shared && c.Object == "NetworkPolicy/"+naming.ACMESolverPolicy && c.Op != Changed:
				t.Logf("%s %s: %s was the only service with TLS", c.Op, c.Object, svc)
			case c.Op == Changed && len(c.Paths) == 1 && strings.Contains(c.Paths[0], "sync-wave"):
				// Only its place in the startup order moved: adding or
				// removing the deepest service moves every later phase.
				t.Logf("%s %s: %v", c.Op, c.Object, c.Paths)
			case c.Op != Changed && g.Name != svc:
				t.Errorf("%s %s in group %s: only %s's own objects may come or go", c.Op, c.Object, g.Name, svc)
			case !slices.Contains(allowed, g.Name):
				t.Errorf("%s %s in group %s, which %s does not reach (allowed: %v)", c.Op, c.Object, g.Name, svc, allowed)
			case g.Name == Shared && !mentionsAny(t, withSvc, c.Object, mentions):
				t.Errorf("shared %s changed but does not name %v", c.Object, mentions)
			}
		}
	}
}

// mentionsAny says whether the object of change name (Kind/name, or a
// renamed Job's "Kind/old → new") names any of words.
func mentionsAny(t *testing.T, nodes []*yaml.RNode, object string, words []string) bool {
	t.Helper()
	kind, name, _ := strings.Cut(object, "/")
	names := []string{name}
	if before, after, ok := strings.Cut(name, " → "); ok {
		names = []string{before, after} // a Job: either side's render
	}
	for _, n := range nodes {
		if n.GetKind() == kind && slices.Contains(names, n.GetName()) {
			text := n.MustString()
			return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(text, w) })
		}
	}
	t.Fatalf("%s is not in the render", object)
	return false
}

// TestAddingAServiceChangesLittle: one new service on the staging
// catalog, with a database, dependencies on a service and on Redis, and
// a topic it produces.
func TestAddingAServiceChangesLittle(t *testing.T) {
	old := staging(t)
	added := replace(t, old, "  services:\n", `  services:
    - name: billing-service
      description: billing
      database: nova_billing
      dependsOn: [postgres, user-service, redis]
      produces: [analytics-events]
`)
	added = replace(t, added, "  databases:\n", "  databases:\n    - name: nova_billing\n")
	r, _, cat := compare(t, old, added)
	assertBlastRadius(t, r, cat, rendered(t, added), "billing-service")

	want := []string{"added Deployment/billing-service", "added " + "ExternalSecret/" + naming.DBSecret("billing-service"), "added NetworkPolicy/billing-service", "added PrometheusRule/billing-service", "added Service/billing-service", "added ServiceMonitor/billing-service"}
	if got := objects(r, "billing-service"); !slices.Equal(got, want) {
		t.Errorf("billing-service's group: got %v, want %v", got, want)
	}
	// Each dependency lets it in: its NetworkPolicy changes.
	for _, dep := range cat.Reaches("billing-service") {
		if !slices.Contains(objects(r, dep), "changed NetworkPolicy/"+dep) {
			t.Errorf("%s's NetworkPolicy does not change: %v", dep, objects(r, dep))
		}
	}
	if r.Count(Removed) != 0 {
		t.Errorf("%d objects removed", r.Count(Removed))
	}
	t.Logf("%s", r.Summary())
}

// TestRemovingAService: the gateway goes; its objects are reported
// removed in its group, the services it fronted no longer let it in.
func TestRemovingAService(t *testing.T) {
	old := staging(t)
	i := strings.Index(old, "    - name: graphql-gateway\n")
	if i < 0 {
		t.Fatal("no graphql-gateway in the catalog")
	}
	removed := old[:i]
	r, cat, _ := compare(t, old, removed)
	assertBlastRadius(t, r, cat, rendered(t, old), "graphql-gateway")
	want := []string{"removed Certificate/graphql-gateway-tls", "removed Deployment/graphql-gateway", "removed Ingress/graphql-gateway", "removed NetworkPolicy/graphql-gateway", "removed PrometheusRule/graphql-gateway", "removed Service/graphql-gateway", "removed ServiceMonitor/graphql-gateway"}
	if got := objects(r, "graphql-gateway"); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if r.Count(Added) != 0 || r.Count(Removed) != len(want)+1 { // and the HTTP-01 solver's policy
		t.Errorf("%s", r.Summary())
	}
}

// TestFieldChanges: a change reports exactly the objects and field paths
// it touches; a Job whose spec (and so name) changes is one Job changed.
func TestFieldChanges(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		group    string
		object   string
		paths    []string
	}{
		// Below the catalog's largest grace, which the validation's settle
		// time follows: only the service's Deployment changes.
		{"startup grace of one service", "      dependsOn: [neo4j]\n", "      dependsOn: [neo4j]\n      startupGrace: 1m\n",
			"graph-service", "Deployment/graph-service", []string{"spec.template.spec.containers[name=graph-service].startupProbe.failureThreshold: 24 → 12"}},
		{"migration deadline", "activeDeadline: 30m", "activeDeadline: 45m",
			Shared, "Job/sqlx-migrate-", []string{"metadata.name: sqlx-migrate-747c24cb1c → sqlx-migrate-f4ba713c0f", "spec.activeDeadlineSeconds: 1800 → 2700"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := staging(t)
			r, _, _ := compare(t, old, replace(t, old, tc.old, tc.new))
			if r.Count(Added)+r.Count(Removed) != 0 || r.Count(Changed) != 1 || len(r.Groups) != 1 {
				t.Fatalf("want one changed object, got %s: %+v", r.Summary(), r.Groups)
			}
			g := r.Groups[0]
			c := g.Changes[0]
			if g.Name != tc.group || !strings.HasPrefix(c.Object, tc.object) || !slices.Equal(c.Paths, tc.paths) {
				t.Errorf("got %s %s %v, want %s %s… %v", g.Name, c.Object, c.Paths, tc.group, tc.object, tc.paths)
			}
		})
	}
}

// TestNoChange: the same catalog twice is no change.
func TestNoChange(t *testing.T) {
	r, _, _ := compare(t, staging(t), staging(t))
	if len(r.Groups) != 0 || r.Summary() != "no object changes" {
		t.Fatalf("%s: %+v", r.Summary(), r.Groups)
	}
}

// TestSecretValuesNeverShown: a Secret's data and stringData show which
// keys changed, never their values, in either format; another kind's
// values show.
func TestSecretValuesNeverShown(t *testing.T) {
	cat, _ := rendertest.Text(t, staging(t))
	object := func(kind, value string) *yaml.RNode {
		return yaml.MustParse("{apiVersion: v1, kind: " + kind + ", metadata: {name: s}, data: {password: " + value + "}, stringData: {token: t-" + value + "}}")
	}
	for _, tc := range []struct {
		kind  string
		shown bool
	}{{"Secret", false}, {"ConfigMap", true}} {
		r := Compare(cat, cat, []*yaml.RNode{object(tc.kind, "oldsecretvalue")}, []*yaml.RNode{object(tc.kind, "newsecretvalue")})
		var text, md strings.Builder
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{text.String(), md.String()} {
			if !strings.Contains(out, "data.password") || !strings.Contains(out, "stringData.token") {
				t.Errorf("%s: the changed keys are not named:\n%s", tc.kind, out)
			}
			if got := strings.Contains(out, "secretvalue"); got != tc.shown {
				t.Errorf("%s: values shown %v, want %v:\n%s", tc.kind, got, tc.shown, out)
			}
		}
	}
}
