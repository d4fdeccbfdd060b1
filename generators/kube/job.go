package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/naming"
	catalog "github.com/novagen/novagen/schema"
)

// Argo CD hook annotations of every generated Job.
//
// A Job is a run, not a desired state. As an ordinary resource, Argo CD
// would see it vanish when ttlSecondsAfterFinished deletes it, report the
// application OutOfSync and (with self-heal) create it again: the
// migrations would re-run every hour. As a Sync hook it runs once per
// sync; BeforeHookCreation deletes the previous run just before the next
// one is created, so a finished Job stays readable until then.
const (
	AnnotationArgoHook             = "argocd.argoproj.io/hook"
	AnnotationArgoHookDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	ArgoHookSync                   = "Sync"
	ArgoHookPostSync               = "PostSync" // after every resource is synced and healthy
	ArgoHookBeforeCreation         = "BeforeHookCreation"
)

// The seed's policy for one-off Jobs: three retries, cleaned up an hour
// after they finish.
const (
	JobBackoffLimit = 3
	JobTTLSeconds   = 3600
)

// JobHashLength is how many hex digits of the spec's SHA-256 end a Job's
// name: 40 bits, so two specs of one Job never share a name in practice.
const JobHashLength = 10

// JobOptions are what differs between the generated Jobs.
type JobOptions struct {
	// ActiveDeadlineSeconds bounds the whole run, retries included; 0
	// means no bound.
	ActiveDeadlineSeconds int64
	// PodAnnotations go on the pod template. Put a checksum of anything
	// the pod reads but does not embed (a ConfigMap) here, so a change to
	// it changes the Job's name too.
	PodAnnotations map[string]string
	// Hook is the Argo CD hook the Job runs as: ArgoHookSync when empty.
	Hook string
}

// Job is the skeleton every generated Job shares: restricted pod security
// (Harden), restartPolicy Never, the seed's retries and TTL, Argo CD hook
// annotations, recommended labels on the Job and its pods, and a name
// that ends in a hash of the Job's spec.
//
// The hash makes the name change whenever the spec does. A Job's pod
// template is immutable, so re-applying a changed Job under the same name
// fails (kubectl apply, Argo CD without hooks); under a new name it is a
// new run, and the old one expires by its TTL. The same spec always
// gives the same name, so an unchanged catalog re-renders identically.
//
// base names the Job without its hash; it is the app.kubernetes.io/name
// of the Job and its pods, so selectors never depend on the hash.
func Job(cat *catalog.Catalog, generator, base, component string, pod corev1.PodSpec, o JobOptions) (*batchv1.Job, error) {
	spec := JobSpec(cat, base, component, pod, o)
	hash, err := specHash(spec)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", base, err)
	}
	meta := Meta(cat, generator, base, component)
	meta.Name = naming.Suffixed(base, hash)
	meta.Annotations[AnnotationArgoHook] = ArgoHookSync
	if o.Hook != "" {
		meta.Annotations[AnnotationArgoHook] = o.Hook
	}
	meta.Annotations[AnnotationArgoHookDeletePolicy] = ArgoHookBeforeCreation
	return &batchv1.Job{
		TypeMeta:   TypeMeta("batch/v1", "Job"),
		ObjectMeta: meta,
		Spec:       spec,
	}, nil
}

// JobSpec is the spec every generated Job (and CronJob's Job) shares:
// restricted pod security, restartPolicy Never, the seed's retries and
// TTL, recommended labels on the pods (named base, of component).
func JobSpec(cat *catalog.Catalog, base, component string, pod corev1.PodSpec, o JobOptions) batchv1.JobSpec {
	Harden(cat, &pod)
	pod.RestartPolicy = corev1.RestartPolicyNever
	spec := batchv1.JobSpec{
		BackoffLimit:            Ptr(int32(JobBackoffLimit)),
		TTLSecondsAfterFinished: Ptr(int32(JobTTLSeconds)),
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: Labels(cat, base, component), Annotations: o.PodAnnotations},
			Spec:       pod,
		},
	}
	if o.ActiveDeadlineSeconds > 0 {
		spec.ActiveDeadlineSeconds = Ptr(o.ActiveDeadlineSeconds)
	}
	return spec
}

// specHash is the hex SHA-256 of the spec's JSON, which encoding/json
// makes deterministic (struct fields in order, map keys sorted).
func specHash(spec batchv1.JobSpec) (string, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:JobHashLength], nil
}

// ContentHash is the hex SHA-256 of named contents (a ConfigMap's data),
// independent of map order; for JobOptions.PodAnnotations.
func ContentHash(data map[string]string) string {
	b, _ := json.Marshal(data) // a map[string]string always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PasswordEnvVars are the variables the db-init scripts read the role
// passwords from (naming.PasswordEnv), each from its role's Secret: the
// db-init Job and the password-sync CronJob set them (never the
// PostgreSQL server, whose spec must not change with the logins).
func PasswordEnvVars(cat *catalog.Catalog) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, l := range cat.Logins() {
		out = append(out, SecretEnv(naming.PasswordEnv(l.Role), l.Secret, naming.KeyPassword))
	}
	return out
}

// SecretEnv is an environment variable read from key of Secret secret;
// the Job pods get every credential this way, never as a value.
func SecretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret},
		Key:                  key,
	}}}
}
