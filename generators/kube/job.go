package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

// JobBackoffLimit is the seed's policy for one-off Jobs: three retries.
const JobBackoffLimit = 3

// ScheduledJobTTLSeconds is how long a CronJob's finished Job stays
// readable before Kubernetes deletes it. Only a CronJob's Jobs have a
// TTL: Job says why the others have none.
const ScheduledJobTTLSeconds = 3600

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
}

// Job is the skeleton every generated Job shares: restricted pod security
// (Harden), restartPolicy Never, the seed's retries, recommended labels on
// the Job and its pods, and a name that ends in a hash of the Job's spec.
//
// A Job is an ordinary resource of its sync wave, not an Argo CD hook: a
// hook runs again on every sync, so every re-sync with nothing changed
// would re-run db-init, the migrations and the rest. The hash makes the
// name follow the spec instead. The same spec always gives the same name,
// so an unchanged Job is left alone (it is in sync, and stays complete);
// a changed input gives a new name, so a new run, and Argo CD's prune
// removes the old Job. (A Job's pod template is immutable, so a changed spec under the
// old name could not be applied anyway.) Its wave waits for it as for any
// resource: Argo CD reports a running Job Progressing, a complete one
// Healthy and a failed one Degraded, which fails the sync naming the Job.
//
// So it has no ttlSecondsAfterFinished: a Job that Kubernetes deleted
// after its run would be missing from the cluster, OutOfSync, and created
// (run) again by the next sync or self-heal. A finished Job stays until
// the spec changes; to run an unchanged Job again, delete it and sync.
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
	return &batchv1.Job{
		TypeMeta:   TypeMeta("batch/v1", "Job"),
		ObjectMeta: meta,
		Spec:       spec,
	}, nil
}

// JobSpec is the spec every generated Job (and CronJob's Job) shares:
// restricted pod security, restartPolicy Never, the seed's retries,
// recommended labels on the pods (named base, of component).
func JobSpec(cat *catalog.Catalog, base, component string, pod corev1.PodSpec, o JobOptions) batchv1.JobSpec {
	Harden(cat, &pod)
	pod.RestartPolicy = corev1.RestartPolicyNever
	spec := batchv1.JobSpec{
		BackoffLimit: Ptr(int32(JobBackoffLimit)),
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

// ScheduledJobSpec is JobSpec for a CronJob's jobTemplate, with a TTL:
// those Jobs belong to the CronJob (Argo CD neither applies nor compares
// them), so deleting them an hour after they finish makes nothing
// OutOfSync; it only bounds what piles up beside the history limits.
func ScheduledJobSpec(cat *catalog.Catalog, base, component string, pod corev1.PodSpec, o JobOptions) batchv1.JobSpec {
	spec := JobSpec(cat, base, component, pod, o)
	spec.TTLSecondsAfterFinished = Ptr(int32(ScheduledJobTTLSeconds))
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

// PostgresAdminEnv connects libpq to the server at ep as the admin of
// Secret postgres-admin, in the maintenance database, naming itself app;
// a connection attempt gives up after 10 s.
func PostgresAdminEnv(ep catalog.Endpoint, app string) []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: "PGHOST", Value: ep.Host},
		{Name: "PGPORT", Value: strconv.Itoa(int(ep.Port))},
		{Name: "PGDATABASE", Value: naming.MaintenanceDB},
		SecretEnv("PGUSER", naming.AdminSecret, naming.KeyUsername),
		SecretEnv("PGPASSWORD", naming.AdminSecret, naming.KeyPassword),
		{Name: "PGAPPNAME", Value: app},
		{Name: "PGCONNECT_TIMEOUT", Value: "10"},
	}
}

// CronJob runs spec (ScheduledJobSpec) on schedule, one run at a time,
// keeping the last keepSucceeded successful Jobs and three failed ones.
func CronJob(cat *catalog.Catalog, generator, name, component, schedule string, keepSucceeded int32, spec batchv1.JobSpec) *batchv1.CronJob {
	return &batchv1.CronJob{
		TypeMeta:   TypeMeta("batch/v1", "CronJob"),
		ObjectMeta: Meta(cat, generator, name, component),
		Spec: batchv1.CronJobSpec{
			Schedule:                   schedule,
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			SuccessfulJobsHistoryLimit: Ptr(keepSucceeded),
			FailedJobsHistoryLimit:     Ptr(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: Labels(cat, name, component)},
				Spec:       spec,
			},
		},
	}
}

// SecretEnv is an environment variable read from key of Secret secret;
// the Job pods get every credential this way, never as a value.
func SecretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret},
		Key:                  key,
	}}}
}
