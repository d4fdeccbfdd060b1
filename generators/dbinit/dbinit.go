// Package dbinit generates what turns a PostgreSQL server into the
// catalog's databases: the ConfigMap postgres-init-scripts with three
// idempotent psql scripts and a readable database mapping, and the Job
// postgres-db-init-<hash> that runs them.
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
// Two ways to run them, both with the same ConfigMap:
//
//   - a server that is already initialised (the usual case, and every
//     catalog change): the Job of this package, a Sync hook that waits
//     for PostgreSQL, then runs the scripts against it;
//   - an empty data directory: mount the ConfigMap at
//     /docker-entrypoint-initdb.d of the postgres image and give the
//     container the variables of PasswordEnvVars; the image runs *.sql
//     there in name order with ON_ERROR_STOP, once.
//
// README.md beside this file shows both. The package also emits the
// NetworkPolicy of the Job's pods: PostgreSQL and DNS, nothing else.
package dbinit

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/schema"
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
const MaintenanceDB = "postgres"

const (
	scriptsVolume = "init-scripts"
	scriptsDir    = "/sql"
	// AnnotationScripts is the SHA-256 of the ConfigMap's data on the Job's
	// pods: changed scripts change the Job spec, hence the Job's name, so
	// they run again even outside Argo CD.
	AnnotationScripts = "novagen.nova.dev/init-scripts-sha256"
)

// Generate returns the ConfigMap, the Job and the Job's NetworkPolicy;
// nothing for a catalog without PostgreSQL or databases.
func Generate(cat *schema.Catalog) ([]kube.Object, error) {
	pg := cat.Spec.Infrastructure.Postgres
	ep, ok := cat.DatabaseServer()
	if pg == nil || !ok || len(cat.Spec.Databases) == 0 {
		return nil, nil
	}
	p := newPlan(cat)
	cm := &corev1.ConfigMap{
		TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
		ObjectMeta: kube.Meta(cat, Name, ConfigMapName, kube.ComponentDBInit),
		Data:       configData(p),
	}
	job, err := initJob(cat, pg, ep, kube.ContentHash(cm.Data))
	if err != nil {
		return nil, err
	}
	policy := kube.NetworkPolicy(cat, Name, naming.DBInitComponent, kube.JobPodSelector(cat, kube.ComponentDBInit),
		nil, []networkingv1.NetworkPolicyEgressRule{kube.EgressTo(ep), kube.DNSEgress()})
	return []kube.Object{cm, job, policy}, nil
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

// Scripts is the ConfigMap's data for a catalog, for tests that run the
// scripts.
func Scripts(cat *schema.Catalog) map[string]string { return configData(newPlan(cat)) }

// PasswordEnvVars are the password variables the scripts read, each from
// its role's Secret. The Job has them; a postgres container running the
// scripts from /docker-entrypoint-initdb.d needs them too.
func PasswordEnvVars(cat *schema.Catalog) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, l := range cat.Logins() {
		out = append(out, kube.SecretEnv(naming.PasswordEnv(l.Role), l.Secret, naming.KeyPassword))
	}
	return out
}

// initJob waits for PostgreSQL, then runs the scripts as the admin.
func initJob(cat *schema.Catalog, pg *schema.Postgres, ep schema.Endpoint, scriptsHash string) (kube.Object, error) {
	env := []corev1.EnvVar{
		{Name: "PGHOST", Value: ep.Host},
		{Name: "PGPORT", Value: strconv.Itoa(int(ep.Port))},
		{Name: "PGDATABASE", Value: MaintenanceDB},
		kube.SecretEnv("PGUSER", naming.AdminSecret, naming.KeyUsername),
		kube.SecretEnv("PGPASSWORD", naming.AdminSecret, naming.KeyPassword),
		{Name: "PGAPPNAME", Value: JobName},
		{Name: "PGCONNECT_TIMEOUT", Value: "10"},
		{Name: scripts.EnvSQLDir, Value: scriptsDir},
	}
	run := corev1.Container{
		Name:         "db-init",
		Image:        cat.Spec.Images.Postgres,
		Command:      []string{"/bin/sh", "-c", scripts.RunSQLFiles},
		Env:          append(env, PasswordEnvVars(cat)...),
		VolumeMounts: []corev1.VolumeMount{{Name: scriptsVolume, MountPath: scriptsDir, ReadOnly: true}},
		Resources:    kube.HelperResources(),
	}
	pod := corev1.PodSpec{
		InitContainers: []corev1.Container{kube.WaitContainer(cat, ep)},
		Containers:     []corev1.Container{run},
		Volumes: []corev1.Volume{{
			Name: scriptsVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName},
			}},
		}},
	}
	return kube.Job(cat, Name, JobName, kube.ComponentDBInit, pod, kube.JobOptions{
		PodAnnotations: map[string]string{AnnotationScripts: scriptsHash},
	})
}

// mapping is database-mapping.txt: which service owns which database and
// who else may read it, for people.
func mapping(p *plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# PostgreSQL databases of catalog %s, generated by novagen from services.yaml.\n", p.catalog)
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
