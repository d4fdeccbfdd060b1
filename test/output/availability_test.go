package output

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog/load"
)

// workload is a rendered Deployment's or StatefulSet's pods.
type workload struct {
	name     string
	replicas int32
	pod      corev1.PodTemplateSpec
}

// TestWorkloadsSurviveANodeDrain, over every test catalog and the
// production environment: a Deployment with several replicas has exactly
// one PodDisruptionBudget (maxUnavailable 1) and spreads its pods over
// zones and nodes, as a preference, with selectors that match them; one
// with a single replica has neither (a budget would block every drain).
// Every PodDisruptionBudget selects one workload's pods, every
// StatefulSet retains its volumes, and one of several pods spreads them
// over zones.
func TestWorkloadsSurviveANodeDrain(t *testing.T) {
	prod, err := load.LoadEnv("../../services.yaml", "production")
	if err != nil {
		t.Fatal(err)
	}
	catalogs := append(loadTestCatalogs(t), namedCatalog{"services.yaml -e production", prod})
	replicated := 0
	for _, c := range catalogs {
		var workloads []workload
		var budgets []policyv1.PodDisruptionBudget
		deployments := map[string]bool{}
		for _, n := range c.render(t) {
			switch n.GetKind() {
			case "Deployment":
				d := decode[appsv1.Deployment](t, n)
				workloads = append(workloads, workload{d.Name, replicas(d.Spec.Replicas), d.Spec.Template})
				deployments[d.Name] = true
			case "StatefulSet":
				s := decode[appsv1.StatefulSet](t, n)
				workloads = append(workloads, workload{s.Name, replicas(s.Spec.Replicas), s.Spec.Template})
				checkStatefulSet(t, c.name, s)
			case "PodDisruptionBudget":
				budgets = append(budgets, decode[policyv1.PodDisruptionBudget](t, n))
			}
		}
		selected := map[string]int{}
		for _, b := range budgets {
			var of []string
			for _, w := range workloads {
				if matches(t, b.Spec.Selector, w.pod.Labels) {
					of = append(of, w.name)
					selected[w.name]++
				}
			}
			if len(of) != 1 {
				t.Errorf("%s: PodDisruptionBudget %s selects the pods of %v, want one workload's", c.name, b.Name, of)
			}
			if mu := b.Spec.MaxUnavailable; mu == nil || *mu != intstr.FromInt32(1) {
				t.Errorf("%s: PodDisruptionBudget %s: maxUnavailable %v, want 1", c.name, b.Name, mu)
			}
		}
		for _, w := range workloads {
			if !deployments[w.name] {
				continue
			}
			want := 0
			if w.replicas >= 2 {
				want = 1
				replicated++
			}
			if selected[w.name] != want {
				t.Errorf("%s: Deployment %s (%d replicas) has %d PodDisruptionBudgets, want %d", c.name, w.name, w.replicas, selected[w.name], want)
			}
			checkSpread(t, c.name+": Deployment "+w.name, w, want == 1, corev1.LabelTopologyZone, corev1.LabelHostname)
		}
	}
	if replicated < 10 {
		t.Fatalf("only %d Deployments with several replicas checked", replicated)
	}
}

// checkStatefulSet: its volumes outlive it, and several pods spread over
// zones.
func checkStatefulSet(t *testing.T, catalog string, s appsv1.StatefulSet) {
	t.Helper()
	if p := s.Spec.PersistentVolumeClaimRetentionPolicy; len(s.Spec.VolumeClaimTemplates) > 0 &&
		(p == nil || p.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType || p.WhenScaled != appsv1.RetainPersistentVolumeClaimRetentionPolicyType) {
		t.Errorf("%s: StatefulSet %s: persistentVolumeClaimRetentionPolicy %+v, want Retain, Retain", catalog, s.Name, p)
	}
	w := workload{s.Name, replicas(s.Spec.Replicas), s.Spec.Template}
	checkSpread(t, catalog+": StatefulSet "+s.Name, w, w.replicas >= 2, corev1.LabelTopologyZone)
}

// checkSpread: when spread, w's pods have exactly one topology spread
// constraint per key, maxSkew 1, ScheduleAnyway, selecting them; else
// none.
func checkSpread(t *testing.T, what string, w workload, spread bool, keys ...string) {
	t.Helper()
	cs := w.pod.Spec.TopologySpreadConstraints
	if !spread {
		if len(cs) > 0 {
			t.Errorf("%s (%d replicas): topology spread %v", what, w.replicas, cs)
		}
		return
	}
	if len(cs) != len(keys) {
		t.Errorf("%s: %d topology spread constraints, want one on each of %v", what, len(cs), keys)
		return
	}
	for i, c := range cs {
		if c.TopologyKey != keys[i] || c.MaxSkew != 1 || c.WhenUnsatisfiable != corev1.ScheduleAnyway ||
			c.LabelSelector == nil || !matches(t, c.LabelSelector, w.pod.Labels) {
			t.Errorf("%s: topology spread %+v: want %s, maxSkew 1, ScheduleAnyway, selecting its pods", what, c, keys[i])
		}
	}
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1 // the API's default
	}
	return *r
}
