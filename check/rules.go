package check

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// podProblems reports, per pod, the problems f finds in its spec.
func podProblems(in *input, r *Result, f func(Pod) []Problem) {
	for _, p := range in.pods {
		for _, pr := range f(p) {
			r.add(Fail, p.Object, join(p.Path, pr.Field), "%s", pr.Message)
		}
	}
}

func countContainers(in *input) int {
	n := 0
	for _, p := range in.pods {
		n += len(p.Containers())
	}
	return n
}

func checkResources(in *input, r *Result) {
	r.Checked = countContainers(in)
	podProblems(in, r, Resources)
}

func checkImages(in *input, r *Result) {
	r.Checked = countContainers(in)
	podProblems(in, r, Images)
}

func checkPodSecurity(in *input, r *Result) {
	r.Checked = len(in.pods)
	podProblems(in, r, Restricted)
}

// checkProbes wants readiness and liveness probes on the containers of
// pods that keep running. Init containers and the pods of Jobs and
// CronJobs finish, so they are exempt; so are ClickHouseInstallation pod
// templates, whose clickhouse container gets the operator's default
// probes.
func checkProbes(in *input, r *Result) {
	for _, p := range in.pods {
		if p.Completes() || p.ByOperator() {
			continue
		}
		for _, c := range p.Spec.Containers {
			r.Checked++
			field := p.Path + ".containers[" + c.Name + "]"
			if c.ReadinessProbe == nil {
				r.add(Fail, p.Object, field+".readinessProbe", "missing")
			}
			if c.LivenessProbe == nil {
				r.add(Fail, p.Object, field+".livenessProbe", "missing")
			}
		}
	}
}

// secretName matches environment variables whose value is a secret.
var secretName = regexp.MustCompile(`(?i)PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL`)

// urlCredentials matches a URL with a password in it (scheme://user:pass@host).
var urlCredentials = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)

// checkSecrets finds secret values written into manifests: a Secret's
// data or stringData (secrets come from ExternalSecrets instead), a
// literal value of a secret-named environment variable or one holding a
// URL with a password, and a ClickHouseInstallation user's literal
// password.
func checkSecrets(in *input, r *Result) {
	for _, s := range in.secrets {
		r.Checked++
		for _, f := range []struct {
			field string
			keys  []string
		}{{"data", s.data}, {"stringData", s.stringData}} {
			if len(f.keys) > 0 {
				r.add(Fail, s.object, f.field, "holds secret values (%s); deliver them with an ExternalSecret", strings.Join(f.keys, ", "))
			}
		}
	}
	for _, p := range in.passwords {
		r.Checked++
		if p.literal {
			r.add(Fail, p.object, p.field, "a literal password; use valueFrom.secretKeyRef")
		}
	}
	for _, p := range in.pods {
		eachContainer(p.Spec, func(field string, c corev1.Container) {
			for _, e := range c.Env {
				r.Checked++
				if e.Value == "" {
					continue
				}
				where := p.Path + "." + field + ".env[" + e.Name + "].value"
				switch {
				case secretName.MatchString(e.Name):
					r.add(Fail, p.Object, where, "a secret-named variable has a literal value; use valueFrom.secretKeyRef")
				case urlCredentials.MatchString(e.Value):
					r.add(Fail, p.Object, where, "a URL with a password; use valueFrom.secretKeyRef")
				}
			}
		})
	}
}

// secret is a Secret's data and stringData keys.
type secret struct {
	object           string
	data, stringData []string
}

// password is a password setting of a ClickHouseInstallation user:
// literal when written out rather than taken from a Secret (valueFrom).
type password struct {
	object, field string
	literal       bool
}

func (in *input) readSecret(o object) error {
	s := secret{object: o.String()}
	var err error
	if s.data, err = keysAt(o.root, "data"); err != nil {
		return err
	}
	if s.stringData, err = keysAt(o.root, "stringData"); err != nil {
		return err
	}
	in.secrets = append(in.secrets, s)
	return nil
}

// keysAt are the keys of the mapping field of p; none when absent.
func keysAt(p place, field string) ([]string, error) {
	m, err := p.get(yaml.MappingNode, field)
	if m == nil {
		return nil, err
	}
	return m.keys()
}

// readPasswords reads the <user>/password settings of a
// ClickHouseInstallation's spec.configuration.users.
func (in *input) readPasswords(o object) error {
	users, err := o.root.get(yaml.MappingNode, "spec", "configuration", "users")
	if users == nil {
		return err
	}
	keys, err := users.keys()
	if err != nil {
		return err
	}
	for i, k := range keys {
		if !strings.HasSuffix(k, "/password") && !strings.Contains(k, "/password_") {
			continue
		}
		v := users.y.Content[2*i+1]
		literal := v.Kind == yaml.ScalarNode && !isNull(v) && v.Value != ""
		in.passwords = append(in.passwords, password{o.String(), users.below(k), literal})
	}
	return nil
}

// selectorSeverity: a render with no pod at all is a partial one (only
// Services, say, for Deployments kept elsewhere), where selecting nothing
// is expected; then an empty selection only warns.
func selectorSeverity(in *input) (Severity, string) {
	if len(in.pods) == 0 {
		return Warn, " (the input has no pods: a partial render?)"
	}
	return Fail, ""
}

// selects says whether any pod in namespace ns matches sel, the input's
// own or one an operator runs for it.
func (in *input) selects(ns string, sel labels.Selector) bool {
	return slices.ContainsFunc(in.pods, func(p Pod) bool { return p.Namespace == ns && sel.Matches(labels.Set(p.Labels)) }) ||
		slices.ContainsFunc(in.operatorPods, func(p operatorPod) bool { return p.ns == ns && sel.Matches(labels.Set(p.labels)) })
}

func checkServices(in *input, r *Result) {
	sev, why := selectorSeverity(in)
	for _, s := range in.services {
		r.Checked++
		name := strings.TrimPrefix(s.object, "Service/")
		switch {
		case s.spec.Type == corev1.ServiceTypeExternalName:
			if s.spec.ExternalName == "" {
				r.add(Fail, s.object, "spec.externalName", "an ExternalName Service without a name")
			}
		case len(s.spec.Selector) == 0:
			if !in.sliced[nsName{s.ns, name}] {
				r.add(Fail, s.object, "spec.selector", "no selector and no EndpointSlice labelled %s=%s", serviceNameLabel, name)
			}
		case !in.selects(s.ns, labels.SelectorFromSet(s.spec.Selector)):
			r.add(sev, s.object, "spec.selector", "selects no pod: %s%s", labels.Set(s.spec.Selector), why)
		}
	}
}

func checkNetworkPolicies(in *input, r *Result) {
	sev, why := selectorSeverity(in)
	for _, p := range in.policies {
		r.Checked++
		sel, err := metav1.LabelSelectorAsSelector(&p.spec.PodSelector)
		if err != nil {
			r.add(Fail, p.object, "spec.podSelector", "%v", err)
			continue
		}
		if !in.selects(p.ns, sel) {
			r.add(sev, p.object, "spec.podSelector", "selects no pod: {%s}%s", sel, why)
		}
	}
}

// checkWaits: a wait-for-<x> init container dials WAIT_HOST (the
// generated ones set it), else x; either must be a Service that exists.
func checkWaits(in *input, r *Result) {
	for _, p := range in.pods {
		for _, c := range p.Spec.InitContainers {
			if !strings.HasPrefix(c.Name, naming.WaitContainerPrefix) {
				continue
			}
			r.Checked++
			target, field := strings.TrimPrefix(c.Name, naming.WaitContainerPrefix), "name"
			for _, e := range c.Env {
				if e.Name == scripts.EnvHost && e.Value != "" {
					// A Service name, or its DNS name in the cluster.
					target, field = strings.SplitN(e.Value, ".", 2)[0], "env[WAIT_HOST]"
				}
			}
			if !in.serviceNames[nsName{p.Namespace, target}] {
				r.add(Fail, p.Object, p.Path+".initContainers["+c.Name+"]."+field, "waits for Service %q, which is not in the output (known: %s)", target, in.knownServices(p.Namespace))
			}
		}
	}
}

// knownServices lists the Service names of ns, for a failure message.
func (in *input) knownServices(ns string) string {
	var names []string
	for k := range maps.Keys(in.serviceNames) {
		if k.ns == ns {
			names = append(names, k.name)
		}
	}
	slices.Sort(names)
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
