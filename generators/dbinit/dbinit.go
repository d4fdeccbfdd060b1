// Package dbinit is the generator db-init: its description in the registry
// (generators/registry.go; novagen generators prints it) says what it
// emits, and this is the detail.
//
// So that no object grows with the catalog, the databases are split into
// groups of at most DatabasesPerInitGroup (catalog.Groups), each
// with its own ConfigMap, Job and password-sync CronJob, named
// <name>-<suffix> (postgres-init-scripts-payments-0); a catalog that is
// one group keeps the plain names. A group holds whole databases with
// their logins (owner and reader), so its scripts and its pods' password
// variables are those of its databases only. A database belongs to its
// owning service's partition (catalog.Catalog.DatabasePartition), an
// ownerless one to the infrastructure partition; a partition's render
// gets its own groups, the infrastructure's also the NetworkPolicy all
// groups' pods share. Every group's Job is a resource of the database
// init wave, so all of them finish before any migration starts.
//
//   - 01-create-databases.sql: every catalog database, owned by the
//     superuser; PUBLIC loses its default CONNECT and TEMPORARY.
//   - 02-create-service-users.sql: one login role per database-owning
//     service and per readerRole, with no other attribute (NOSUPERUSER,
//     NOCREATEDB, NOCREATEROLE, NOINHERIT, NOREPLICATION, NOBYPASSRLS);
//     each may connect to its one database only. A service owns schema
//     public of its database, so its migrations (run as it) create tables
//     there; it does not own the database. A reader gets SELECT on every
//     table, now and later. A database without an owning service (the
//     read-only nova_messaging) is written by no role at all.
//   - 03-create-extensions.sql: the catalog's extensions in every database.
//
// The scripts run as the superuser with psql -v ON_ERROR_STOP=1, in
// order, each in its own session. Passwords are not in them: each role's
// password comes from the environment variable naming.PasswordEnv(role) (psql's
// \getenv), which the Job fills from that role's Secret (generator
// secrets). Running them again changes nothing but the salt of each
// password verifier, and brings a drifted server back to the catalog.
//
// The Job waits for PostgreSQL, then runs them, against a new data
// directory as against an initialised server; it is a new run whenever
// the scripts or their inputs change (their hash is in its name:
// kube.Job), and only then. The PostgreSQL server itself runs no init
// scripts (generator postgres mounts none), so its pod template never
// changes when a database or a login does, and the server is not
// restarted for a new service.
//
// README.md beside this file says more. The package also emits the
// password-sync CronJob (the roles script on a schedule, so rotated
// passwords reach PostgreSQL between syncs) and the NetworkPolicy of
// these pods: PostgreSQL and DNS, nothing else.
package dbinit

import (
	"fmt"
	"strings"
	"text/tabwriter"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "db-init"

// Object names.
const (
	ConfigMapName = naming.DBInitConfigMap
	JobName       = naming.DBInitJob // plus -<hash of the Job spec>
)

// ConfigMap keys: the scripts in the order they run, and the mapping.
const (
	ScriptDatabases  = "01-create-databases.sql"
	ScriptRoles      = "02-create-service-users.sql"
	ScriptExtensions = "03-create-extensions.sql"
	MappingKey       = "database-mapping.txt"
)

// MaintenanceDB is where the scripts start: the database every PostgreSQL
// cluster has for exactly this.
const MaintenanceDB = naming.MaintenanceDB

const (
	scriptsVolume = "init-scripts"
	scriptsDir    = "/sql"
	// AnnotationScripts is the SHA-256 of the ConfigMap's data on the Job's
	// pods: changed scripts change the Job spec, hence the Job's name, so
	// they run again even outside Argo CD.
	AnnotationScripts = "novagen.nova.dev/init-scripts-sha256"
)

// DatabasesPerInitGroup: databases per db-init group, i.e. per ConfigMap
// postgres-init-scripts[-<suffix>], its Job
// postgres-db-init[-<suffix>]-<hash> and its CronJob
// postgres-password-sync[-<suffix>]. The PostgreSQL layer's objects that
// would grow with the catalog are split into groups (catalog.Groups) of
// at most this many members each. A full group stays well inside the API
// server's and Argo CD's limits even when everything the loader bounds is
// at its limit (the longest names, a reader on every database, the most
// extensions: db-init 141 KiB; with names like synth's about 45 KiB),
// while the Nova staging catalog (15 databases) keeps room to grow in one
// group. The tests measure it.
const DatabasesPerInitGroup = 20

// Check: the grouped objects are named <name>-<partition>-<k>; each must
// still fit its Kubernetes limit (a CronJob name 52 characters, a label
// value 63), which a long partition name with many databases can break.
// It reads Spec and the partitions alone (the loader runs it before the
// index exists), grouping the databases as Generate will.
func Check(cat *catalog.Catalog) []catalog.Problem {
	if cat.Spec.Infrastructure.Postgres == nil || len(cat.Spec.Databases) == 0 {
		return nil
	}
	owner := map[string]string{}
	for _, s := range cat.Spec.Services {
		if s.Database != "" {
			owner[s.Database] = s.Name
		}
	}
	dbPartition := func(d catalog.Database) string {
		if s, ok := owner[d.Name]; ok {
			return cat.PartitionOf(s)
		}
		return catalog.InfrastructurePartition
	}
	names := kube.GroupNames{Catalog: cat, Objects: "PostgreSQL objects"}
	for _, g := range catalog.Groups(cat, cat.Spec.Databases, dbPartition, DatabasesPerInitGroup) {
		names.Fit(g.Partition, "ConfigMap", naming.Grouped(naming.DBInitConfigMap, g.Suffix), naming.MaxLabel)
		names.Fit(g.Partition, "Job", naming.Grouped(naming.DBInitJob, g.Suffix), naming.MaxLabel)
		names.Fit(g.Partition, "CronJob", naming.Grouped(naming.PasswordSyncJob, g.Suffix), naming.MaxCronJobName)
	}
	return names.Problems
}

// Generate returns, per group of databases (catalog.Groups of
// DatabasesPerInitGroup, partition-aligned), the ConfigMap, the
// Job and the password-sync CronJob, and once the NetworkPolicy of their
// pods; nothing for a catalog without PostgreSQL or databases.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	return generate(cat, DatabasesPerInitGroup)
}

// generate is Generate with groups of at most size databases.
func generate(cat *catalog.Catalog, size int) ([]kube.Object, error) {
	pg := cat.Spec.Infrastructure.Postgres
	ep, ok := cat.DatabaseServer()
	if pg == nil || !ok || len(cat.Spec.Databases) == 0 {
		return nil, nil
	}
	var out []kube.Object
	for _, g := range catalog.Groups(cat, cat.Databases(), databasePartition(cat), size) {
		objs, err := groupObjects(cat, pg, ep, g)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	if cat.OwnsShared() {
		// One policy for every group: it selects the pods by component.
		out = append(out, kube.JobEgressPolicy(cat, Name, naming.DBInitComponent, kube.ComponentDBInit, ep))
	}
	return out, nil
}

// databasePartition is catalog.Groups' partition of a database.
func databasePartition(cat *catalog.Catalog) func(catalog.Database) string {
	return func(d catalog.Database) string { return cat.DatabasePartition(d.Name) }
}

// group is one group's object names and plan.
type group struct {
	configMap, job, cronJob string
	plan                    *plan
}

func newGroup(cat *catalog.Catalog, g catalog.Group[catalog.Database]) group {
	p := newPlan(cat, g.Members)
	p.group = g.Suffix
	return group{
		configMap: naming.Grouped(ConfigMapName, g.Suffix),
		job:       naming.Grouped(JobName, g.Suffix),
		cronJob:   naming.Grouped(naming.PasswordSyncJob, g.Suffix),
		plan:      p,
	}
}

// groupObjects are one group's ConfigMap, Job and CronJob.
func groupObjects(cat *catalog.Catalog, pg *catalog.Postgres, ep catalog.Endpoint, sg catalog.Group[catalog.Database]) ([]kube.Object, error) {
	g := newGroup(cat, sg)
	cm := &corev1.ConfigMap{
		TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
		ObjectMeta: kube.Meta(cat, Name, g.configMap, kube.ComponentDBInit),
		Data:       configData(g.plan),
	}
	job, err := initJob(cat, ep, g, kube.ContentHash(cm.Data))
	if err != nil {
		return nil, err
	}
	return []kube.Object{cm, job, passwordSync(cat, pg, ep, g)}, nil
}

// configData is the ConfigMap's data.
func configData(p *plan) map[string]string {
	return map[string]string{
		ScriptDatabases:  createDatabases(p),
		ScriptRoles:      createRoles(p),
		ScriptExtensions: createExtensions(p),
		MappingKey:       mapping(p),
	}
}

// Scripts is the ConfigMap's data for every database of a catalog in one
// set (the one group's, when the catalog is one), for tests that run the
// scripts.
func Scripts(cat *catalog.Catalog) map[string]string {
	return configData(newPlan(cat, cat.Databases()))
}

// runPod waits for PostgreSQL, then runs the given scripts of the group's
// ConfigMap (all when none are named) as the admin, as app, with the
// passwords of the group's logins and no other.
func runPod(cat *catalog.Catalog, ep catalog.Endpoint, g group, app string, only ...string) corev1.PodSpec {
	env := append(kube.PostgresAdminEnv(ep, app), corev1.EnvVar{Name: scripts.EnvSQLDir, Value: scriptsDir})
	for _, l := range g.plan.logins {
		env = append(env, kube.SecretEnv(l.PasswordEnv, l.Secret, naming.KeyPassword))
	}
	run := corev1.Container{
		Name:         "db-init",
		Image:        cat.Spec.Images.Postgres,
		Command:      []string{"/bin/sh", "-c", scripts.RunSQLFiles},
		Env:          env,
		VolumeMounts: []corev1.VolumeMount{{Name: scriptsVolume, MountPath: scriptsDir, ReadOnly: true}},
		Resources:    kube.HelperResources(),
	}
	files := &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: g.configMap}}
	for _, key := range only {
		files.Items = append(files.Items, corev1.KeyToPath{Key: key, Path: key})
	}
	return corev1.PodSpec{
		InitContainers: []corev1.Container{kube.WaitContainer(cat, ep)},
		Containers:     []corev1.Container{run},
		Volumes:        []corev1.Volume{{Name: scriptsVolume, VolumeSource: corev1.VolumeSource{ConfigMap: files}}},
	}
}

// initJob runs every script of the group, once per change of the
// scripts (their hash is in the pod template, so in the Job's name).
func initJob(cat *catalog.Catalog, ep catalog.Endpoint, g group, scriptsHash string) (kube.Object, error) {
	return kube.Job(cat, Name, g.job, kube.ComponentDBInit, runPod(cat, ep, g, g.job), kube.JobOptions{
		PodAnnotations: map[string]string{AnnotationScripts: scriptsHash},
	})
}

// passwordSync runs the group's roles script on a schedule, so a password
// rotated in the secret store reaches PostgreSQL within one period of the
// ExternalSecret's refresh, without waiting for a sync. It runs the same
// idempotent script as the Job (which also puts grants back as the
// catalog says), from the same ConfigMap, with the same pods' labels, so
// the db-init NetworkPolicy applies to it.
func passwordSync(cat *catalog.Catalog, pg *catalog.Postgres, ep catalog.Endpoint, g group) *batchv1.CronJob {
	spec := kube.ScheduledJobSpec(cat, g.cronJob, kube.ComponentDBInit, runPod(cat, ep, g, g.cronJob, ScriptRoles), kube.JobOptions{})
	return kube.CronJob(cat, Name, g.cronJob, kube.ComponentDBInit, pg.PasswordSync.Schedule, 1, spec)
}

// mapping is database-mapping.txt: which service owns which database and
// who else may read it, for people.
func mapping(p *plan) string {
	var b strings.Builder
	of := p.catalog
	if p.group != "" {
		of += ", group " + p.group
	}
	fmt.Fprintf(&b, "# PostgreSQL databases of catalog %s, generated by novagen from services.yaml.\n", of)
	b.WriteString("# owner: the service whose role writes it (it owns schema public); reader: SELECT only.\n\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "DATABASE\tOWNER SERVICE\tROLE\tREADER ROLE\tNOTES")
	for _, d := range p.databases {
		owner, role, reader := "-", "-", "-"
		if d.Owner != nil {
			owner, role = d.Owner.Service.Name, d.Owner.Role
		}
		if d.Reader != nil {
			reader = d.Reader.Role
		}
		notes := d.Description
		if d.ReadOnly {
			notes = strings.TrimSpace("read-only. " + notes)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", d.Name, owner, role, reader, oneLine(notes))
	}
	w.Flush()
	// tabwriter pads the cell before an empty last one; trailing blanks
	// would make the YAML of the ConfigMap quote the whole text.
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
