package output

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/rendertest"
)

// MaxForeignChanges is how many objects that are not its own adding one
// service to the staging catalog may change: each is an object Argo CD
// applies (and a pod template it may roll) on a sync that should only
// bring the new service up.
const MaxForeignChanges = 8

// foreignChanges are the objects (Kind name; a Job without its spec hash)
// that adding newService changes besides its own, each with why. Update
// the list when a change makes one of them independent of the list of
// services (or makes another depend on it: then say why it must).
var foreignChanges = []string{
	"ConfigMap nova-service-registry", // lists every service: its purpose
	"ConfigMap postgres-init-scripts", // the new database and login role
	"CronJob postgres-password-sync",  // the new login's password variable
	"Job postgres-db-init",            // runs the changed scripts, with that variable
	"Job sqlx-migrate",                // one init container per service
	"Job validate-deployment",         // checks every service's health
	"NetworkPolicy postgres",          // admits the new database owner
	"NetworkPolicy user-service",      // admits its new client
}

const newService = "billing-service"

// jobHashSuffix is what kube.Job appends to a Job's name: a hash of its
// spec, which changes with any change of the Job.
var jobHashSuffix = regexp.MustCompile(`-[0-9a-f]{10}$`)

// objectKey names an object across renders: Kind and name, a Job's name
// without its spec hash.
func objectKey(n *yaml.RNode) string {
	name := n.GetName()
	if n.GetKind() == "Job" {
		name = jobHashSuffix.ReplaceAllString(name, "")
	}
	return n.GetKind() + " " + name
}

// byKey is a render's objects' YAML by objectKey.
func byKey(t *testing.T, nodes []*yaml.RNode) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range nodes {
		k := objectKey(n)
		if _, dup := out[k]; dup {
			t.Fatalf("two objects are %s", k)
		}
		out[k] = n.MustString()
	}
	return out
}

// ownedBy says whether the object key is named for service svc (<svc>,
// <svc>-db, <svc>-tls...).
func ownedBy(key, svc string) bool {
	_, name, _ := strings.Cut(key, " ")
	return name == svc || strings.HasPrefix(name, svc+"-")
}

// TestAddingAServiceChangesFewForeignObjects: one new service (its own
// database, dependsOn [postgres, user-service], the default ports)
// appended to the staging catalog changes exactly foreignChanges among
// the objects that are not its own, and adds or removes none of them.
func TestAddingAServiceChangesFewForeignObjects(t *testing.T) {
	b, err := os.ReadFile("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	before := string(b)
	after := insertAfter(t, before, "    - name: nova_realtime_chat\n", "    - name: nova_billing\n")
	after = insertAfter(t, after, "      expose: {host: api.staging.nova.example, path: /, tls: true}\n", `    - name: `+newService+`
      description: billing
      database: nova_billing
      dependsOn: [postgres, user-service]
`)
	_, oldNodes := rendertest.Text(t, before)
	_, newNodes := rendertest.Text(t, after)
	old, now := byKey(t, oldNodes), byKey(t, newNodes)

	var changed, own []string
	for k, text := range now {
		switch prev, ok := old[k]; {
		case ownedBy(k, newService):
			own = append(own, k)
			if ok {
				t.Errorf("%s exists before the service does", k)
			}
		case !ok:
			t.Errorf("%s is added but is not %s's own", k, newService)
		case prev != text:
			changed = append(changed, k)
		}
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			t.Errorf("%s is removed", k)
		}
	}
	slices.Sort(changed)
	slices.Sort(own)
	want := slices.Sorted(slices.Values(foreignChanges))
	if !slices.Equal(changed, want) {
		t.Errorf("adding %s changes foreign objects\n  %s\nwant\n  %s", newService, strings.Join(changed, "\n  "), strings.Join(want, "\n  "))
	}
	if len(changed) > MaxForeignChanges {
		t.Errorf("%d foreign objects change, at most %d may", len(changed), MaxForeignChanges)
	}
	if len(own) < 4 {
		t.Errorf("only %v are the new service's", own)
	}
	t.Logf("%s's own objects: %v", newService, own)
}

// insertAfter inserts text after the first occurrence of anchor in s.
func insertAfter(t *testing.T, s, anchor, text string) string {
	t.Helper()
	i := strings.Index(s, anchor)
	if i < 0 {
		t.Fatalf("the catalog has no %q", anchor)
	}
	i += len(anchor)
	return s[:i] + text + s[i:]
}
