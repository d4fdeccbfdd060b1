package postgres_test

// The backup CronJob and the restore Job of generator postgres-backup, run
// from their rendered objects (scripts, environment, volumes, UID) against
// the real PostgreSQL 15 and the real S3 server (versitygw) that
// test/backup/run.sh (make backup-test) starts.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/backup"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/pipeline"
)

// s3Server is the S3 server run.sh started.
type s3Server struct {
	endpoint, bucket, ca string
	access, secret       string
	awsDir               string // holds an aws the pods' UID can run
}

func connectS3(t *testing.T) *s3Server {
	t.Helper()
	if os.Getenv("NOVAGEN_BACKUP_TEST") != "1" {
		t.Skip("needs PostgreSQL 15 and an S3 server: run test/backup/run.sh (make backup-test)")
	}
	return &s3Server{
		endpoint: os.Getenv("NOVAGEN_S3_ENDPOINT"),
		bucket:   os.Getenv("NOVAGEN_S3_BUCKET"),
		ca:       os.Getenv("NOVAGEN_S3_CA"),
		access:   os.Getenv("NOVAGEN_S3_ACCESS_KEY"),
		secret:   os.Getenv("NOVAGEN_S3_SECRET_KEY"),
		awsDir:   os.Getenv("NOVAGEN_AWS_DIR"),
	}
}

// aws runs the AWS CLI as the test (not a pod) against the server.
func (s *s3Server) aws(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.awsDir, "aws"), append([]string{"--endpoint-url", s.endpoint}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_ACCESS_KEY_ID=" + s.access, "AWS_SECRET_ACCESS_KEY=" + s.secret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CA_BUNDLE=" + s.ca, "AWS_PAGER="}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// keys lists the object keys under prefix.
func (s *s3Server) keys(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := s.aws(t, "s3api", "list-objects-v2", "--bucket", s.bucket, "--prefix", prefix+"/", "--query", "Contents[].Key", "--output", "text")
	require.NoError(t, err, out)
	var keys []string
	for _, k := range strings.Fields(out) {
		if k != "None" {
			keys = append(keys, k)
		}
	}
	return keys
}

// completeStamps are the stamps with a COMPLETE marker under prefix, as
// the S3 server lists them.
func (s *s3Server) completeStamps(t *testing.T, prefix string) []string {
	var out []string
	for _, k := range s.keys(t, prefix) {
		if rest, ok := strings.CutSuffix(strings.TrimPrefix(k, prefix+"/"), "/COMPLETE"); ok {
			out = append(out, rest)
		}
	}
	return out
}

// backupCatalog is a catalog with two databases (extensions in each, a
// reader on one), backed up to the test's
// S3 server under prefix (path-style, its CA from a ConfigMap), keeping
// retention backups.
func backupCatalog(t *testing.T, s3 *s3Server, prefix string, retention int) *catalog.Catalog {
	t.Helper()
	src := fmt.Sprintf(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: shop}
spec:
  namespace: shop
  defaults:
    image: {registry: registry.example/shop, tag: "1.0.0"}
  infrastructure:
    postgres:
      extensions: [pgcrypto, uuid-ossp]
      backup:
        retention: %d
        storage:
          endpoint: %s
          bucket: %s
          prefix: %s
          pathStyle: true
          caConfigMap: s3-ca
  databases:
    - name: bk_orders
      readerRole: bk_orders_reader
    - name: bk_users
  services:
    - name: orders
      database: bk_orders
      dependsOn: [postgres]
    - name: users
      database: bk_users
      dependsOn: [postgres]
`, retention, s3.endpoint, s3.bucket, prefix)
	cat, err := pipeline.Loader(generators.Default()).Parse("backup.yaml", []byte(src))
	require.NoError(t, err)
	return cat
}

// podRunner runs a rendered pod's containers in order, each as the pod's
// UID under busybox sh with the tools of its image from this machine.
type podRunner struct {
	srv *server
	s3  *s3Server
	// secrets are the values of Secret keys, by Secret and key.
	secrets map[string]map[string]string
}

func newPodRunner(t *testing.T, srv *server, s3 *s3Server) *podRunner {
	t.Helper()
	newRunner(t) // root, busybox, setpriv
	return &podRunner{srv: srv, s3: s3, secrets: map[string]map[string]string{
		naming.AdminSecret:    {naming.KeyUsername: srv.admin, naming.KeyPassword: srv.pass},
		naming.BackupS3Secret: {naming.KeyS3AccessKey: s3.access, naming.KeyS3SecretKey: s3.secret},
	}}
}

// run runs the pod's init containers, then its containers, and stops at
// the first that fails: what they printed, and the failed one's name.
// Every volume is a directory of its own (the CA's ConfigMap holds the
// server's certificate); an environment value under a mount path points
// into that directory; PGHOST and PGPORT at the test's server; overrides
// replace variables.
func (p *podRunner) run(t *testing.T, pod corev1.PodSpec, overrides map[string]string) (string, string) {
	t.Helper()
	uid := *pod.SecurityContext.RunAsUser
	requireUnlisted(t, uid)
	dirs := map[string]string{}
	for _, v := range pod.Volumes {
		dirs[v.Name] = testtool.SharedDir(t)
		if v.ConfigMap != nil {
			cert, err := os.ReadFile(p.s3.ca)
			require.NoError(t, err)
			for _, it := range v.ConfigMap.Items {
				require.NoError(t, os.WriteFile(filepath.Join(dirs[v.Name], it.Path), cert, 0o644))
			}
		}
	}
	var logs strings.Builder
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		path := "/usr/bin:/bin"
		if strings.Contains(c.Image, "aws-cli") {
			path = p.s3.awsDir + ":" + path
		} else {
			path = filepath.Dir(testtool.Require(t, "pg_dump")) + ":" + path
		}
		env := []string{"PATH=" + path}
		for _, e := range c.Env {
			v := e.Value
			if e.ValueFrom != nil {
				ref := e.ValueFrom.SecretKeyRef
				val, ok := p.secrets[ref.Name][ref.Key]
				require.True(t, ok, "%s reads key %s of Secret %s, which the test does not know", c.Name, ref.Key, ref.Name)
				v = val
			}
			for _, m := range c.VolumeMounts {
				if v == m.MountPath || strings.HasPrefix(v, m.MountPath+"/") {
					v = dirs[m.Name] + strings.TrimPrefix(v, m.MountPath)
					break // a directory of this machine: no mount path
				}
			}
			switch e.Name {
			case "PGHOST":
				v = p.srv.host
			case "PGPORT":
				v = p.srv.port
			}
			if o, ok := overrides[e.Name]; ok {
				v = o
			}
			env = append(env, e.Name+"="+v)
		}
		require.Equal(t, []string{"/bin/sh", "-c"}, c.Command[:2], c.Name)
		stdout, stderr, code := testtool.AsUID(t, uid, c.Command[2], nil, env)
		fmt.Fprintf(&logs, "--- %s (exit %d)\n%s%s", c.Name, code, stdout, stderr)
		if code != 0 {
			return logs.String(), c.Name
		}
	}
	return logs.String(), ""
}

// cronJobPod is the backup CronJob's pod of cat.
func cronJobPod(t *testing.T, cat *catalog.Catalog) corev1.PodSpec {
	t.Helper()
	objs, err := backup.Generate(cat)
	require.NoError(t, err)
	for _, o := range objs {
		if cj, ok := o.(*batchv1.CronJob); ok {
			return cj.Spec.JobTemplate.Spec.Template.Spec
		}
	}
	t.Fatal("no backup CronJob")
	return corev1.PodSpec{}
}

// restorePod is the pod of the restore Job novagen restore prints.
func restorePod(t *testing.T, cat *catalog.Catalog, o backup.RestoreOptions) corev1.PodSpec {
	t.Helper()
	job, err := backup.RestoreJob(cat, o)
	require.NoError(t, err)
	return job.Spec.Template.Spec
}

// backupFixture is a catalog whose databases exist (its db-init Jobs ran)
// with a table t in each, owned by the database's service.
type backupFixture struct {
	srv    *server
	cat    *catalog.Catalog
	runner *podRunner
	dbs    []string
	owner  map[string]string // database -> role
}

func newBackupFixture(t *testing.T, prefix string, retention int) (*backupFixture, *s3Server) {
	t.Helper()
	srv := connect(t)
	s3 := connectS3(t)
	cat := backupCatalog(t, s3, prefix, retention)
	f := &backupFixture{srv: srv, cat: cat, runner: newPodRunner(t, srv, s3), owner: map[string]string{}}
	jobs, _ := groupRuns(t, cat)
	for _, j := range jobs {
		r := j.run(t, srv, cat, password)
		require.NoError(t, r.err, "db-init: %s", r)
	}
	for _, l := range cat.Logins() {
		f.owner[l.Database] = l.Role
	}
	for _, d := range cat.Spec.Databases {
		f.dbs = append(f.dbs, d.Name)
		f.ownerSQL(t, d.Name, "CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, phase text NOT NULL)")
		f.srv.adminSQL(t, d.Name, "TRUNCATE t")
	}
	return f, s3
}

// ownerSQL runs SQL as the database's owning service, as its migrations
// and writes do.
func (f *backupFixture) ownerSQL(t *testing.T, db, sql string) string {
	t.Helper()
	role := f.owner[db]
	r := f.srv.as(role, password(role), db, sql)
	require.NoError(t, r.err, "as %s on %s: %s\n%s", role, db, sql, r)
	return r.stdout
}

// write adds n rows of phase to every database.
func (f *backupFixture) write(t *testing.T, phase string, n int) {
	t.Helper()
	for _, db := range f.dbs {
		f.ownerSQL(t, db, fmt.Sprintf("INSERT INTO t (phase) SELECT '%s' FROM generate_series(1, %d)", phase, n))
	}
}

// phases counts db's rows by phase: "A=3 B=2".
func (f *backupFixture) phases(t *testing.T, db string) string {
	t.Helper()
	out := f.srv.adminSQL(t, db, "SELECT string_agg(phase || '=' || n, ' ' ORDER BY phase) FROM (SELECT phase, count(*) AS n FROM t GROUP BY phase) c")
	return strings.TrimSpace(out)
}

// backup runs the CronJob's pod once and fails the test if it fails.
func (f *backupFixture) backup(t *testing.T) string {
	t.Helper()
	logs, failed := f.runner.run(t, cronJobPod(t, f.cat), nil)
	require.Empty(t, failed, "backup failed:\n%s", logs)
	return logs
}

// restore runs a restore Job's pod.
func (f *backupFixture) restore(t *testing.T, o backup.RestoreOptions) (string, string) {
	t.Helper()
	return f.runner.run(t, restorePod(t, f.cat, o), nil)
}

// TestBackupAndRestore: rows A, a backup, rows B; restoring one database
// into <db>_restored and into a name of its own gives A only beside the
// live A and B; restoring the whole server over itself (--replace) takes
// every database back to A, its owner keeps its table.
func TestBackupAndRestore(t *testing.T) {
	f, s3 := newBackupFixture(t, "restore", 7)
	f.write(t, "A", 3)
	logs := f.backup(t)
	t.Log(logs)
	assert.Contains(t, logs, "backup: 2 databases and the roles dumped as")
	stamps := s3.completeStamps(t, "restore")
	require.Len(t, stamps, 1, "one complete backup")
	f.write(t, "B", 2)
	for _, db := range f.dbs {
		require.Equal(t, "A=3 B=2", f.phases(t, db))
	}

	logs, failed := f.restore(t, backup.RestoreOptions{Backup: "latest", Databases: []string{"bk_orders"}})
	require.Empty(t, failed, logs)
	t.Log(logs)
	assert.Contains(t, logs, "bk_orders of backup "+stamps[0]+" restored into bk_orders_restored")
	assert.Equal(t, "A=3", f.phases(t, "bk_orders_restored"), "the backup's rows")
	assert.Equal(t, "A=3 B=2", f.phases(t, "bk_orders"), "the live database untouched")
	assert.Equal(t, "pgcrypto uuid-ossp", strings.TrimSpace(f.srv.adminSQL(t, "bk_orders_restored",
		"SELECT string_agg(extname, ' ' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'")), "the extensions come back")

	logs, failed = f.restore(t, backup.RestoreOptions{Backup: stamps[0], Databases: []string{"bk_users"}, Into: "bk_users_copy"})
	require.Empty(t, failed, logs)
	assert.Equal(t, "A=3", f.phases(t, "bk_users_copy"))

	// Restoring into a database that exists, without --replace, is refused.
	logs, failed = f.restore(t, backup.RestoreOptions{Backup: "latest", Databases: []string{"bk_orders"}})
	assert.Equal(t, "restore", failed, logs)
	assert.Contains(t, logs, "database bk_orders_restored exists already")

	logs, failed = f.restore(t, backup.RestoreOptions{Backup: "latest", Replace: true})
	require.Empty(t, failed, logs)
	t.Log(logs)
	for _, db := range f.dbs {
		assert.Equal(t, "A=3", f.phases(t, db), "%s back to the backup", db)
		// The service still owns and writes its table.
		f.ownerSQL(t, db, "INSERT INTO t (phase) VALUES ('C')")
	}
	// The reader keeps its SELECT on the restored table.
	r := f.srv.as("bk_orders_reader", password("bk_orders_reader"), "bk_orders", "SELECT count(*) FROM t WHERE phase = 'C'")
	require.NoError(t, r.err, "the reader reads the restored table: %s", r)
	assert.Equal(t, "1", strings.TrimSpace(r.stdout))

	f.srv.adminSQL(t, "postgres", "DROP DATABASE bk_orders_restored")
	f.srv.adminSQL(t, "postgres", "DROP DATABASE bk_users_copy")
}

// TestBackupRetentionAndIncomplete: with retention 2, three backups leave
// the newest two; an incomplete backup (no COMPLETE), even the newest, is
// never restored as latest, refused by its stamp, and never deleted.
func TestBackupRetentionAndIncomplete(t *testing.T) {
	f, s3 := newBackupFixture(t, "retention", 2)
	f.write(t, "A", 1)
	// An incomplete backup newer than any: a dump without its marker.
	const incomplete = "29991231T235959Z"
	out, err := s3.aws(t, "s3", "cp", "-", "s3://"+s3.bucket+"/retention/"+incomplete+"/bk_orders.dump")
	require.NoError(t, err, out)
	for range 3 {
		f.backup(t)
		time.Sleep(1100 * time.Millisecond) // stamps are whole seconds
	}
	complete := s3.completeStamps(t, "retention")
	require.Len(t, complete, 2, "retention 2 keeps two: %v", s3.keys(t, "retention"))
	assert.Contains(t, s3.keys(t, "retention"), "retention/"+incomplete+"/bk_orders.dump", "an incomplete backup is never deleted")
	var dirs []string
	for _, k := range s3.keys(t, "retention") {
		dirs = append(dirs, strings.Split(k, "/")[1])
	}
	assert.Len(t, slices.Compact(dirs), 3, "the two complete backups and the incomplete one, no leftover of the deleted one")

	logs, failed := f.restore(t, backup.RestoreOptions{Backup: "latest", Databases: []string{"bk_orders"}})
	require.Empty(t, failed, logs)
	assert.Contains(t, logs, "restore: downloaded backup "+complete[1]+":", "latest is the newest complete one")
	f.srv.adminSQL(t, "postgres", "DROP DATABASE bk_orders_restored")

	logs, failed = f.restore(t, backup.RestoreOptions{Backup: incomplete})
	assert.Equal(t, "download", failed, logs)
	assert.Contains(t, logs, "backup "+incomplete+" does not exist or is incomplete")
}

// TestBackupFailures: a wrong S3 secret fails the backup (non-zero, no
// COMPLETE); a database the backup lacks fails the restore naming what it
// has; a hostile database name never reaches a command, and the catalog
// refuses it in the first place.
func TestBackupFailures(t *testing.T) {
	f, s3 := newBackupFixture(t, "failures", 2)
	f.runner.secrets[naming.BackupS3Secret][naming.KeyS3SecretKey] = "wrong" + s3.secret
	logs, failed := f.runner.run(t, cronJobPod(t, f.cat), nil)
	assert.Equal(t, "upload", failed, logs)
	assert.Contains(t, logs, "SignatureDoesNotMatch")
	assert.Empty(t, s3.completeStamps(t, "failures"))
	f.runner.secrets[naming.BackupS3Secret][naming.KeyS3SecretKey] = s3.secret

	// A backup of bk_orders only, then a restore that asks for bk_users.
	logs, failed = f.runner.run(t, cronJobPod(t, f.cat), map[string]string{"BACKUP_DATABASES": "bk_orders"})
	require.Empty(t, failed, logs)
	logs, failed = f.restore(t, backup.RestoreOptions{Backup: "latest", Databases: []string{"bk_users"}})
	assert.Equal(t, "download", failed, logs)
	assert.Contains(t, logs, "has no database bk_users; it has: bk_orders")

	marker := filepath.Join(testtool.SharedDir(t), "pwned")
	for _, hostile := range []string{"bk_orders;touch${IFS}" + marker, "$(touch " + marker + ")", "dbname=bk_orders host=evil", "-fbk_orders"} {
		logs, failed = f.runner.run(t, cronJobPod(t, f.cat), map[string]string{"BACKUP_DATABASES": hostile})
		assert.Equal(t, "dump", failed, logs)
		assert.Contains(t, logs, "not a lower-case SQL identifier")
		assert.NoFileExists(t, marker)
	}
	_, err := load.Parse("hostile.yaml", []byte(strings.Replace(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: shop}
spec:
  namespace: shop
  defaults: {image: {registry: r.example/shop, tag: "1"}}
  infrastructure:
    postgres: {backup: {storage: {endpoint: "https://s3.example.com", bucket: backups}}}
  databases: [{name: "NAME"}]
  services: [{name: a}]
`, "NAME", `x;touch /tmp/pwned`, 1)))
	require.ErrorContains(t, err, "hostile.yaml:9:")
}
