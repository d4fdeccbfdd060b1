// Package backup is the generator postgres-backup: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail. It also makes the restore Job
// that novagen restore prints (RestoreJob).
//
// Backups are logical: pg_dump -Fc of every catalog database and the
// roles without their passwords (pg_dumpall --globals-only
// --no-role-passwords), uploaded to S3-compatible storage at
// <prefix>/<UTC stamp>/ with a COMPLETE marker written last (the scripts
// are generators/scripts' BackupDump and BackupUpload). The official
// postgres image has no WAL archiver, so point-in-time recovery, which
// needs one in the server's own container, is not offered.
//
//   - CronJob postgres-backup (concurrencyPolicy Forbid): an init container
//     in images.postgres dumps into an emptyDir as the admin of Secret
//     postgres-admin; the container in images.awsCli uploads, writes
//     COMPLETE, and deletes the complete backups beyond retention. Both
//     run as defaults.runAsUser with HOME on an emptyDir. The database
//     list is the catalog's, so a new database changes this CronJob and
//     nothing else.
//   - NetworkPolicy postgres-backup: its pods (and the restore Job's) reach
//     PostgreSQL, DNS and the storage endpoint's port, and accept nothing;
//     postgres-from-backup lets the PostgreSQL pods accept them.
//
// The S3 keys come from Secret postgres-backup-s3, which generator secrets
// makes with External Secrets.
package backup

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "postgres-backup"

// Component labels the backup and restore pods, which the policies select.
const Component = naming.BackupComponent

// Volumes and where they are mounted.
const (
	dataVolume = "backup"
	dataDir    = "/backup"
	homeVolume = "home"
	homeDir    = "/home/backup"
	caVolume   = "s3-ca"
	caDir      = "/etc/novagen/s3-ca"
	caKey      = "ca.crt"
)

// Generate returns the CronJob and the two NetworkPolicies; nothing
// unless the catalog's managed PostgreSQL has backups on, or for a
// partition's render other than the infrastructure's.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	pg := cat.Spec.Infrastructure.Postgres
	ep, ok := cat.DatabaseServer()
	if pg == nil || !pg.Backup.On() || !ok || ep.Outside() || !cat.OwnsShared() || len(cat.Spec.Databases) == 0 {
		return nil, nil
	}
	return []kube.Object{cronJob(cat, pg, ep), egressPolicy(cat, pg, ep), kube.JobIngressPolicy(cat, Name, naming.PostgresFromBackup, Component, ep)}, nil
}

// cronJob dumps (init container) and uploads (container) on the schedule.
func cronJob(cat *catalog.Catalog, pg *catalog.Postgres, ep catalog.Endpoint) *batchv1.CronJob {
	b := pg.Backup
	dump := corev1.Container{
		Name:    "dump",
		Image:   cat.Spec.Images.Postgres,
		Command: []string{"/bin/sh", "-c", scripts.BackupDump},
		Env: append(postgresEnv(ep, naming.BackupJob),
			corev1.EnvVar{Name: scripts.EnvBackupDir, Value: dataDir},
			corev1.EnvVar{Name: scripts.EnvBackupDatabases, Value: strings.Join(databaseNames(cat), " ")},
		),
		VolumeMounts: []corev1.VolumeMount{{Name: dataVolume, MountPath: dataDir}, {Name: homeVolume, MountPath: homeDir}},
		Resources:    resources(),
	}
	upload := s3Container(cat, b, "upload", scripts.BackupUpload,
		corev1.EnvVar{Name: scripts.EnvBackupDir, Value: dataDir},
		corev1.EnvVar{Name: scripts.EnvBackupRetention, Value: strconv.Itoa(b.Retention)},
	)
	pod := corev1.PodSpec{
		InitContainers: []corev1.Container{dump},
		Containers:     []corev1.Container{upload},
		Volumes:        volumes(b),
	}
	spec := kube.ScheduledJobSpec(cat, naming.BackupJob, Component, pod, kube.JobOptions{})
	// A failed backup is retried by the next schedule, not hammered.
	spec.BackoffLimit = kube.Ptr(int32(1))
	return kube.CronJob(cat, Name, naming.BackupJob, Component, b.Schedule, 3, spec)
}

// postgresEnv connects libpq to the server as the admin; HOME is the
// pod's writable emptyDir (the UID has no passwd entry).
func postgresEnv(ep catalog.Endpoint, app string) []corev1.EnvVar {
	return append(kube.PostgresAdminEnv(ep, app), corev1.EnvVar{Name: "HOME", Value: homeDir})
}

// s3Container runs script in the AWS CLI image against the catalog's
// storage, with the keys of Secret postgres-backup-s3 and extra.
func s3Container(cat *catalog.Catalog, b *catalog.PostgresBackup, name, script string, extra ...corev1.EnvVar) corev1.Container {
	s := b.Storage
	env := []corev1.EnvVar{
		{Name: "HOME", Value: homeDir},
		{Name: scripts.EnvS3Endpoint, Value: s.Endpoint},
		{Name: scripts.EnvS3Bucket, Value: s.Bucket},
		{Name: scripts.EnvS3Prefix, Value: s.Prefix},
		{Name: scripts.EnvS3PathStyle, Value: strconv.FormatBool(s.PathStyle)},
		{Name: "AWS_DEFAULT_REGION", Value: s.Region},
		// Only the checksums S3 requires: servers other than AWS may
		// not know the newer CLIs' default ones.
		{Name: "AWS_REQUEST_CHECKSUM_CALCULATION", Value: "when_required"},
		{Name: "AWS_RESPONSE_CHECKSUM_VALIDATION", Value: "when_required"},
		{Name: "AWS_PAGER", Value: ""},
		kube.SecretEnv("AWS_ACCESS_KEY_ID", naming.BackupS3Secret, naming.KeyS3AccessKey),
		kube.SecretEnv("AWS_SECRET_ACCESS_KEY", naming.BackupS3Secret, naming.KeyS3SecretKey),
	}
	mounts := []corev1.VolumeMount{{Name: dataVolume, MountPath: dataDir}, {Name: homeVolume, MountPath: homeDir}}
	if s.CAConfigMap != "" {
		env = append(env, corev1.EnvVar{Name: "AWS_CA_BUNDLE", Value: caDir + "/" + caKey})
		mounts = append(mounts, corev1.VolumeMount{Name: caVolume, MountPath: caDir, ReadOnly: true})
	}
	return corev1.Container{
		Name:         name,
		Image:        cat.Spec.Images.AWSCLI,
		Command:      []string{"/bin/sh", "-c", script},
		Env:          append(env, extra...),
		VolumeMounts: mounts,
		Resources:    resources(),
	}
}

// volumes are the dumps' and HOME's emptyDirs and the CA bundle's
// ConfigMap.
func volumes(b *catalog.PostgresBackup) []corev1.Volume {
	out := []corev1.Volume{kube.EmptyDir(dataVolume), kube.EmptyDir(homeVolume)}
	if cm := b.Storage.CAConfigMap; cm != "" {
		out = append(out, corev1.Volume{Name: caVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: cm},
			Items:                []corev1.KeyToPath{{Key: caKey, Path: caKey}},
		}}})
	}
	return out
}

// resources of the backup and restore containers: pg_dump and the AWS
// CLI stream, so memory stays small whatever the databases' size.
func resources() corev1.ResourceRequirements {
	return kube.Resources(catalog.Resources{
		Requests: map[string]string{"cpu": "50m", "memory": "128Mi"},
		Limits:   map[string]string{"cpu": "1", "memory": "512Mi"},
	})
}

// egressPolicy: the backup and restore pods reach PostgreSQL, DNS and the
// storage endpoint's port (anywhere: its address is not known here), and
// accept nothing.
func egressPolicy(cat *catalog.Catalog, pg *catalog.Postgres, ep catalog.Endpoint) *networkingv1.NetworkPolicy {
	p := kube.JobEgressPolicy(cat, Name, naming.BackupJob, Component, ep)
	p.Spec.Egress = append(p.Spec.Egress, networkingv1.NetworkPolicyEgressRule{Ports: kube.TCP(pg.Backup.Storage.EndpointPort())})
	return p
}

// databaseNames are the catalog's databases, in catalog order.
func databaseNames(cat *catalog.Catalog) []string {
	out := make([]string, 0, len(cat.Spec.Databases))
	for _, d := range cat.Spec.Databases {
		out = append(out, d.Name)
	}
	return out
}

// RestoreOptions say what a restore Job restores.
type RestoreOptions struct {
	// Backup is a stamp (20261205T020000Z) or "latest", the newest
	// complete backup.
	Backup string
	// Databases are the ones to restore; none: every database of the
	// backup, and the roles.
	Databases []string
	// Into is the target of the one database; "": <db>_restored, or the
	// database itself with Replace.
	Into string
	// Replace restores over the target (pg_restore --clean --if-exists).
	Replace bool
}

// Targets are the databases a restore of named databases writes, by
// source database (none for the whole server, whose databases only the
// backup knows).
func (o RestoreOptions) Targets() map[string]string {
	out := map[string]string{}
	for _, db := range o.Databases {
		switch {
		case o.Into != "":
			out[db] = o.Into
		case o.Replace:
			out[db] = db
		default:
			out[db] = db + scripts.RestoredSuffix
		}
	}
	return out
}

// RestoreJob is the Job that restores a backup: an init container in the
// AWS CLI image downloads it, the container in the postgres image
// restores it (generators/scripts' RestoreDownload and Restore). Its pods
// are the backup's component, so the same policies admit them. It checks
// what the catalog can: that backups are configured, the databases are
// the catalog's and the names fit.
func RestoreJob(cat *catalog.Catalog, o RestoreOptions) (*batchv1.Job, error) {
	pg := cat.Spec.Infrastructure.Postgres
	ep, ok := cat.DatabaseServer()
	if pg == nil || pg.Backup == nil || !ok || ep.Outside() {
		return nil, fmt.Errorf("catalog %s has no backups to restore: spec.infrastructure.postgres.backup is not set on a managed PostgreSQL", cat.Metadata.Name)
	}
	if err := checkRestore(cat, o); err != nil {
		return nil, err
	}
	download := s3Container(cat, pg.Backup, "download", scripts.RestoreDownload,
		corev1.EnvVar{Name: scripts.EnvRestoreDir, Value: dataDir},
		corev1.EnvVar{Name: scripts.EnvBackupStamp, Value: o.Backup},
		corev1.EnvVar{Name: scripts.EnvRestoreDBs, Value: strings.Join(o.Databases, " ")},
	)
	restore := corev1.Container{
		Name:    "restore",
		Image:   cat.Spec.Images.Postgres,
		Command: []string{"/bin/sh", "-c", scripts.Restore},
		Env: append(postgresEnv(ep, naming.RestoreJob),
			corev1.EnvVar{Name: scripts.EnvRestoreDir, Value: dataDir},
			corev1.EnvVar{Name: scripts.EnvRestoreReplace, Value: strconv.FormatBool(o.Replace)},
			corev1.EnvVar{Name: scripts.EnvRestoreInto, Value: o.Into},
		),
		VolumeMounts: []corev1.VolumeMount{{Name: dataVolume, MountPath: dataDir}, {Name: homeVolume, MountPath: homeDir}},
		Resources:    resources(),
	}
	pod := corev1.PodSpec{
		InitContainers: []corev1.Container{download},
		Containers:     []corev1.Container{restore},
		Volumes:        volumes(pg.Backup),
	}
	job, err := kube.Job(cat, Name, naming.RestoreJob, Component, pod, kube.JobOptions{})
	if err != nil {
		return nil, err
	}
	// A restore that fails says why; running it again is the user's call.
	job.Spec.BackoffLimit = kube.Ptr(int32(0))
	return job, nil
}

// checkRestore refuses what the Job would fail on: an unknown database, a
// malformed stamp, --into without exactly one database, a target name
// PostgreSQL would cut.
func checkRestore(cat *catalog.Catalog, o RestoreOptions) error {
	if o.Backup != "latest" && !isStamp(o.Backup) {
		return fmt.Errorf("backup %q: expected latest or a stamp such as 20261205T020000Z (the folder of the backup in the bucket)", o.Backup)
	}
	known := databaseNames(cat)
	seen := map[string]bool{}
	for _, db := range o.Databases {
		if !slices.Contains(known, db) {
			return fmt.Errorf("database %q is not in catalog %s: expected one of %s", db, cat.Metadata.Name, strings.Join(known, ", "))
		}
		if seen[db] {
			return fmt.Errorf("database %q is named twice", db)
		}
		seen[db] = true
	}
	if o.Into != "" && len(o.Databases) != 1 {
		return fmt.Errorf("--into %s names the target of one database: name exactly one with --database", o.Into)
	}
	for db, target := range o.Targets() {
		if !isIdentifier(target) {
			return fmt.Errorf("database %s would be restored into %q, which is not a lower-case SQL identifier of at most 63 characters: choose a name with --into", db, target)
		}
	}
	return nil
}

// isStamp matches the backups' UTC stamps, 20261205T020000Z.
func isStamp(s string) bool {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' {
		return false
	}
	for i, r := range s {
		if i != 8 && i != 15 && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// isIdentifier is the catalog's sqlIdentifier rule, which the scripts
// check too.
func isIdentifier(s string) bool {
	if s == "" || len(s) > 63 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
