// Package validation is the generator deployment-validation: its
// description in the registry (generators/registry.go; novagen generators
// prints it) says what it emits, and this is the detail. The Job goes in
// the sync's last wave, which Argo CD applies after every earlier wave is
// healthy and does not wait for: a FAIL shows in the Application's health,
// the sync has already succeeded. Like every generated Job it runs once
// per change of its spec (kube.Job). README.md beside this file shows the
// output and how to run it by hand.
//
// It runs beside the services of that wave, which may still be starting:
// the checks that wait (services, external components, entry points)
// retry what fails until a settle deadline (SettleSeconds) before they
// report it, and an entry point whose certificate is not issued yet is a
// warning. They report what is broken; they block nothing.
//
// No single image holds psql, redis-cli, kafka-topics, clickhouse-client
// and grpc_health_probe, so each check is an init container in its
// component's own pinned image (the client that matches the server),
// writing its results to a shared emptyDir and always exiting 0: an init
// container that failed would stop the pod before the report. The last
// container (busybox) prints the report and sets the exit status. The
// probe's image is distroless, without a shell: an init container copies
// busybox's static binary into an emptyDir for the gRPC check to run
// under.
//
// Objects: the Job validate-deployment-<hash>; NetworkPolicy
// validate-deployment (its pods reach what they check, the catalog's
// services by their shared labels on the services' distinct ports, and
// DNS); for each component whose pods are in the namespace
// <component>-from-validation, and services-from-validation for the
// services' serving ports (they admit only their dependents otherwise).
// Neither policy lists the services, so adding one with the default
// ports changes neither. Policies add up, so no other generator knows
// about this one.
package validation

import (
	"fmt"
	"math"
	"net"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "deployment-validation"

// Names and paths of what this package emits.
const (
	// Component is the app.kubernetes.io/component of the Job and its
	// pods (kube.JobPodSelector).
	Component = "validation"
	// ReportDir is where the checks write their results.
	ReportDir = "/report"
	// ShellDir holds the busybox binary the gRPC check runs under.
	ShellDir = "/shell"
	// ProbePath is grpc_health_probe in the grpc-ecosystem image (built
	// with ko, which puts the binary in /ko-app).
	ProbePath = "/ko-app/grpc-health-probe"
	// EntryPointsDir holds a directory per certificate Secret, with its
	// tls.crt once issued.
	EntryPointsDir = "/entry-points"
	// DeadlineSeconds bounds a run beyond the settle time (the Job's
	// activeDeadlineSeconds is both): every client call has its own
	// timeout (60 s, 5 s a probe, 2 s a connection), so this is only the
	// last resort.
	DeadlineSeconds = 900
	// MaxNamedDependents is how many of the services waiting for an
	// external component its failure names; the rest are counted.
	MaxNamedDependents = 5

	reportVolume = "report"
	shellVolume  = "shell"
	kafkaHeap    = "-Xms64m -Xmx256m" // a JVM per call, as the topic Job's
)

// Check names: the init containers and the report's sections.
const (
	CheckPostgres    = "postgres"
	CheckRedis       = "redis"
	CheckKafka       = "kafka"
	CheckClickHouse  = "clickhouse"
	CheckExternal    = "external"
	CheckEntryPoints = "entry-points"
	CheckGRPC        = "grpc"
)

// GroupSize is how many targets (components, topics, services) one
// validation Job checks. A target costs at most about 700 bytes of the
// Job and its policies (a service's line, its database and its egress
// rule with the longest names the loader allows), so a full group stays
// near 100 KiB; a synthetic service costs about 200.
const GroupSize = 150

// target is one thing a validation Job checks: a shared component (its
// check: postgres, redis, kafka, clickhouse), a topic, an external
// component, or a service (its health, its database and, exposed with
// TLS, its certificate).
type target struct {
	check    string
	topic    *catalog.Topic
	external *catalog.External
	service  *catalog.Service
}

// targets lists what the catalog's validation checks: the components,
// the topics, the external components, then the services, in catalog
// order.
func targets(cat *catalog.Catalog) []target {
	var out []target
	if _, ok := cat.DatabaseServer(); ok {
		out = append(out, target{check: CheckPostgres})
	}
	if _, ok := cat.Endpoint(CheckRedis); ok && cat.Spec.Infrastructure.Redis != nil {
		out = append(out, target{check: CheckRedis})
	}
	if cat.Spec.Infrastructure.Kafka != nil {
		out = append(out, target{check: CheckKafka})
		for i := range cat.Spec.Topics {
			out = append(out, target{topic: &cat.Spec.Topics[i]})
		}
	}
	if cat.Spec.Infrastructure.ClickHouse != nil {
		out = append(out, target{check: CheckClickHouse})
	}
	for i := range cat.Spec.Infrastructure.External {
		out = append(out, target{external: &cat.Spec.Infrastructure.External[i]})
	}
	for i := range cat.Spec.Services {
		out = append(out, target{service: &cat.Spec.Services[i]})
	}
	return out
}

// Generate returns the validation Jobs and their NetworkPolicies: one Job
// per group of GroupSize targets (catalog.Groups), each partition's
// services checked by its own Jobs, the shared components and topics by
// the infrastructure partition's. A catalog that fits in one group has
// one Job, validate-deployment, checking everything.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	partition := func(t target) string {
		if t.service != nil {
			return cat.PartitionOf(t.service.Name)
		}
		return catalog.InfrastructurePartition
	}
	var out []kube.Object
	for _, g := range catalog.Groups(cat, targets(cat), partition, GroupSize) {
		objs, err := groupObjects(cat, g)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	if !cat.OwnsShared() {
		return out, nil
	}
	// Every group's Job may check postgres (its services' databases);
	// the other components admit the validation pods too, whose own
	// egress says which may reach them.
	for _, t := range targets(cat) {
		if ep, ok := cat.Endpoint(t.check); ok && t.check != "" && !ep.Outside() {
			out = append(out, kube.JobIngressPolicy(cat, Name, naming.FromValidation(ep.Name), Component, ep))
		}
	}
	return out, nil
}

// groupObjects are one group's Job, its egress policy and the policy
// that lets its services admit it.
func groupObjects(cat *catalog.Catalog, g catalog.Group[target]) ([]kube.Object, error) {
	has := map[string]bool{}
	var topics []catalog.Topic
	var externals []*catalog.External
	var services []*catalog.Service
	owned := map[string]bool{}
	for _, t := range g.Members {
		switch {
		case t.check != "":
			has[t.check] = true
		case t.topic != nil:
			topics = append(topics, *t.topic)
		case t.external != nil:
			externals = append(externals, t.external)
		default:
			services = append(services, t.service)
			owned[t.service.Name] = true
		}
	}
	// A database is checked with its owner; one without an owner with
	// the server.
	var dbs []string
	for _, d := range cat.Databases() {
		if owner, ok := cat.DatabaseOwner(d.Name); ok && owned[owner.Name] || !ok && has[CheckPostgres] {
			dbs = append(dbs, d.Name)
		}
	}
	var checks []corev1.Container
	var servers []catalog.Endpoint
	add := func(c corev1.Container, ep catalog.Endpoint) {
		checks = append(checks, c)
		servers = append(servers, ep)
	}
	if ep, ok := cat.DatabaseServer(); ok && (has[CheckPostgres] || len(dbs) > 0) {
		add(postgresCheck(cat, ep, dbs), ep)
	}
	if has[CheckRedis] {
		ep, _ := cat.Endpoint(CheckRedis)
		add(redisCheck(cat, ep), ep)
	}
	if k := cat.Spec.Infrastructure.Kafka; k != nil && (has[CheckKafka] || len(topics) > 0) {
		ep, _ := cat.Endpoint(CheckKafka)
		add(kafkaCheck(cat, k, ep, topics), ep)
	}
	if ch := cat.Spec.Infrastructure.ClickHouse; ch != nil && has[CheckClickHouse] {
		ep, _ := cat.Endpoint(CheckClickHouse)
		add(clickhouseCheck(cat, ch, ep), ep)
	}
	if len(externals) > 0 {
		c := externalCheck(cat, externals)
		checks = append(checks, c)
		for _, e := range externals {
			ep, _ := cat.Endpoint(e.Name)
			servers = append(servers, ep)
		}
	}
	var certs []corev1.Volume
	if c, vols := entryPointsCheck(cat, services); len(vols) > 0 {
		checks = append(checks, c)
		certs = vols
	}
	var ports []int32
	for _, s := range services {
		if !slices.Contains(ports, s.Port()) {
			ports = append(ports, s.Port())
		}
	}
	slices.Sort(ports)
	if len(services) > 0 {
		checks = append(checks, grpcCheck(cat, services))
	}
	var names []string
	for _, c := range checks {
		names = append(names, c.Name)
	}
	if len(services) > 0 {
		// The shell goes just before the check that needs it.
		checks = slices.Insert(checks, len(checks)-1, shellCopy(cat))
	}

	base := naming.Grouped(naming.ValidationJob, g.Suffix)
	p := pod(cat, g.Suffix, checks, names)
	p.Volumes = append(p.Volumes, certs...)
	job, err := kube.Job(cat, Name, base, Component, p, kube.JobOptions{
		ActiveDeadlineSeconds: SettleSeconds(cat) + DeadlineSeconds,
	})
	if err != nil {
		return nil, err
	}
	// One group's pods: the whole catalog's validation pods when it is
	// one group.
	pods := kube.JobPodSelector(cat, Component)
	if g.Suffix != "" {
		pods[kube.LabelName] = base
	}
	egress := kube.JobEgressPolicy(cat, Name, naming.Grouped(naming.ValidationPolicy, g.Suffix), Component, servers...)
	egress.Spec.PodSelector = *kube.Selector(pods)
	out := []kube.Object{job, egress}
	if len(services) == 0 {
		return out, nil
	}
	// The services by the labels every service pod shares, on the
	// group's serving ports: no rule per service, so a new service with
	// the ports of the others changes neither policy. The group's pods
	// may so reach any catalog service on those ports, never a pod that
	// is not a catalog service.
	egress.Spec.Egress = slices.Insert(egress.Spec.Egress, len(egress.Spec.Egress)-1, networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{PodSelector: kube.Selector(kube.GRPCPodSelector(cat))}},
		Ports: kube.TCP(ports...),
	})
	admit := kube.IngressFrom(cat, Name, naming.Grouped(naming.ServicesFromValidation, g.Suffix), kube.GRPCPodSelector(cat),
		kube.PeerIn("", pods), ports...)
	return append(out, admit), nil
}

// SettleSeconds is how long the waiting checks keep trying what fails
// before they report it (VALIDATION_SETTLE_SECONDS, for the pod's checks
// together). The Job runs beside the sync's last wave, whose services
// start as it runs, so it is long enough for them to start in a healthy
// environment:
//
//	ExternalWaitLevels × wait.retries × wait.interval + the largest startupGrace
//
// The last wave's services are those that wait for an external
// component, some for others of them: one wait budget (what an init
// container spends waiting for its dependency before it gives up) per
// level of that chain, then as long as the slowest service may take to
// start. The Job's activeDeadlineSeconds is this plus DeadlineSeconds.
func SettleSeconds(cat *catalog.Catalog) int64 {
	w := cat.Spec.Defaults.Wait
	var grace time.Duration
	for i := range cat.Spec.Services {
		grace = max(grace, cat.Spec.Services[i].StartupGrace.Duration)
	}
	// In seconds, which the loader makes every interval and grace whole:
	// as a Duration, a long interval times many retries and levels would
	// overflow; in seconds it cannot (a level is at most 1000 retries of
	// 2562047h, 9.2e12 s: a million levels would be needed, and a 16 MiB
	// catalog has far fewer services).
	settle := int64(cat.ExternalWaitLevels()) * int64(w.Retries) * int64(w.Interval.Seconds())
	return settle + int64(math.Ceil(grace.Seconds()))
}

// pod runs the init containers, in order, then the report of the named
// checks; the title names the group (suffix) when there are several.
func pod(cat *catalog.Catalog, suffix string, inits []corev1.Container, names []string) corev1.PodSpec {
	title := fmt.Sprintf("Validation of %s in namespace %s", cat.Metadata.Name, cat.Spec.Namespace)
	if suffix != "" {
		title += ", part " + suffix
	}
	report := corev1.Container{
		Name:    "report",
		Image:   cat.Spec.Images.Busybox,
		Command: []string{"/bin/sh", "-c", scripts.ValidationReport},
		Env: []corev1.EnvVar{
			{Name: scripts.EnvValidationTitle, Value: title},
			{Name: scripts.EnvValidationChecks, Value: strings.Join(names, " ")},
			{Name: scripts.EnvReportDir, Value: ReportDir},
		},
		VolumeMounts: []corev1.VolumeMount{{Name: reportVolume, MountPath: ReportDir, ReadOnly: true}},
		Resources:    kube.HelperResources(),
	}
	return corev1.PodSpec{
		InitContainers: inits,
		Containers:     []corev1.Container{report},
		Volumes:        []corev1.Volume{kube.EmptyDir(reportVolume), kube.EmptyDir(shellVolume)},
	}
}

// settling is the environment of a check that waits: the settle time,
// and busybox for its date and sleep.
func settling(cat *catalog.Catalog, busybox string) []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: scripts.EnvBusybox, Value: busybox},
		{Name: scripts.EnvValidationSettle, Value: strconv.FormatInt(SettleSeconds(cat), 10)},
	}
}

// ExternalLines is VALIDATION_EXTERNALS: "name host port" and the
// services that wait for the component (at most MaxNamedDependents
// named, the rest counted), a component a line, in catalog order.
func ExternalLines(cat *catalog.Catalog, externals []*catalog.External) string {
	var b strings.Builder
	for _, e := range externals {
		fmt.Fprintf(&b, "%s %s %d", e.Name, e.Host, e.Port)
		deps := cat.ExternalDependents(e.Name)
		if n := min(len(deps), MaxNamedDependents); n > 0 {
			b.WriteString(" " + strings.Join(deps[:n], ", "))
		}
		if more := len(deps) - MaxNamedDependents; more > 0 {
			fmt.Fprintf(&b, " and %d more", more)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// externalCheck tries each external component's address with busybox nc.
func externalCheck(cat *catalog.Catalog, externals []*catalog.External) corev1.Container {
	busybox := cat.Spec.Images.Busybox
	return check(CheckExternal, busybox, scripts.ValidateExternal, kube.HelperResources(), append(settling(cat, "/bin/busybox"),
		corev1.EnvVar{Name: scripts.EnvValidationExternals, Value: ExternalLines(cat, externals)})...)
}

// entryPointsCheck looks for the certificate of each service exposed with
// TLS: its Secret is mounted, optional (it exists once cert-manager has
// issued the certificate; kubelet then fills the volume) and with tls.crt
// only, never the private key. It returns the volumes too, none when no
// service needs one.
func entryPointsCheck(cat *catalog.Catalog, services []*catalog.Service) (corev1.Container, []corev1.Volume) {
	var vols []corev1.Volume
	var mounts []corev1.VolumeMount
	var lines strings.Builder
	for _, s := range services {
		if s.Expose == nil || !s.Expose.TLS {
			continue
		}
		secret := naming.TLSSecret(s.Name)
		dir := path.Join(EntryPointsDir, secret)
		vols = append(vols, corev1.Volume{Name: secret, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: secret,
			Items:      []corev1.KeyToPath{{Key: corev1.TLSCertKey, Path: corev1.TLSCertKey}},
			Optional:   kube.Ptr(true),
		}}})
		mounts = append(mounts, corev1.VolumeMount{Name: secret, MountPath: dir, ReadOnly: true})
		fmt.Fprintf(&lines, "%s %s %s\n", s.Expose.Host, secret, path.Join(dir, corev1.TLSCertKey))
	}
	c := check(CheckEntryPoints, cat.Spec.Images.Busybox, scripts.ValidateEntryPoints, kube.HelperResources(), append(settling(cat, "/bin/busybox"),
		corev1.EnvVar{Name: scripts.EnvValidationEntries, Value: lines.String()})...)
	c.VolumeMounts = append(c.VolumeMounts, mounts...)
	return c, vols
}

// check is a check's container: its script under /bin/sh in image, the
// report directory, HOME in /tmp (clients look for dot files there), and
// env after the check's name.
func check(name, image, script string, res corev1.ResourceRequirements, env ...corev1.EnvVar) corev1.Container {
	return corev1.Container{
		Name:    name,
		Image:   image,
		Command: []string{"/bin/sh", "-c", script},
		Env: append([]corev1.EnvVar{
			{Name: scripts.EnvCheckName, Value: name},
			{Name: scripts.EnvReportDir, Value: ReportDir},
			{Name: "HOME", Value: "/tmp"},
		}, env...),
		VolumeMounts: []corev1.VolumeMount{{Name: reportVolume, MountPath: ReportDir}},
		Resources:    res,
	}
}

// clientResources are those of a check with a native client (psql,
// redis-cli, clickhouse-client).
func clientResources() corev1.ResourceRequirements {
	return kube.Resources(catalog.Resources{
		Requests: map[string]string{"cpu": "20m", "memory": "32Mi"},
		Limits:   map[string]string{"cpu": "200m", "memory": "256Mi"},
	})
}

// postgresCheck connects as the admin, to the maintenance database, and
// looks for dbs.
func postgresCheck(cat *catalog.Catalog, ep catalog.Endpoint, dbs []string) corev1.Container {
	return check(CheckPostgres, cat.Spec.Images.Postgres, scripts.ValidatePostgres, clientResources(),
		corev1.EnvVar{Name: "PGHOST", Value: ep.Host},
		corev1.EnvVar{Name: "PGPORT", Value: strconv.Itoa(int(ep.Port))},
		corev1.EnvVar{Name: "PGDATABASE", Value: naming.MaintenanceDB},
		corev1.EnvVar{Name: "PGAPPNAME", Value: naming.ValidationJob},
		corev1.EnvVar{Name: "PGCONNECT_TIMEOUT", Value: "10"},
		kube.SecretEnv("PGUSER", naming.AdminSecret, naming.KeyUsername),
		kube.SecretEnv("PGPASSWORD", naming.AdminSecret, naming.KeyPassword),
		corev1.EnvVar{Name: scripts.EnvValidationDatabases, Value: strings.Join(dbs, " ")},
	)
}

// redisCheck asks the client Service for CLUSTER INFO.
func redisCheck(cat *catalog.Catalog, ep catalog.Endpoint) corev1.Container {
	return check(CheckRedis, cat.Spec.Images.Redis, scripts.ValidateRedis, clientResources(),
		corev1.EnvVar{Name: scripts.EnvRedisHost, Value: ep.Host},
		corev1.EnvVar{Name: scripts.EnvRedisPort, Value: strconv.Itoa(int(ep.Port))},
		kube.SecretEnv(scripts.EnvRedisCLIAuth, naming.RedisSecret, naming.KeyPassword),
	)
}

// TopicLines is VALIDATION_TOPICS: "name partitions", a topic a line, in
// catalog order.
func TopicLines(topics []catalog.Topic) string {
	var b strings.Builder
	for _, t := range topics {
		fmt.Fprintf(&b, "%s %d\n", t.Name, t.Partitions)
	}
	return b.String()
}

// kafkaCheck describes the topics with the mode's kafka-topics.
func kafkaCheck(cat *catalog.Catalog, k *catalog.Kafka, ep catalog.Endpoint, topics []catalog.Topic) corev1.Container {
	dir, suffix := k.Tools()
	return check(CheckKafka, cat.KafkaImage(), scripts.ValidateKafka,
		kube.Resources(catalog.Resources{
			Requests: map[string]string{"cpu": "100m", "memory": "384Mi"},
			Limits:   map[string]string{"cpu": "1", "memory": "512Mi"},
		}),
		corev1.EnvVar{Name: naming.EnvKafkaBootstrap, Value: net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port)))},
		corev1.EnvVar{Name: scripts.EnvKafkaToolsDir, Value: dir},
		corev1.EnvVar{Name: scripts.EnvKafkaToolsSuffix, Value: suffix},
		corev1.EnvVar{Name: scripts.EnvKafkaHeapOpts, Value: kafkaHeap},
		corev1.EnvVar{Name: scripts.EnvKafkaLogDir, Value: "/tmp"},
		corev1.EnvVar{Name: scripts.EnvValidationTopics, Value: TopicLines(topics)},
	)
}

// clickhouseCheck logs in as the schema Job, which may SHOW TABLES.
func clickhouseCheck(cat *catalog.Catalog, ch *catalog.ClickHouse, ep catalog.Endpoint) corev1.Container {
	var tables []string
	for _, t := range ch.Tables {
		tables = append(tables, t.Name)
	}
	return check(CheckClickHouse, cat.Spec.Images.ClickHouse, scripts.ValidateClickHouse, clientResources(),
		corev1.EnvVar{Name: scripts.EnvClickHouseHost, Value: ep.Host},
		corev1.EnvVar{Name: scripts.EnvClickHousePort, Value: strconv.Itoa(int(ch.Port))},
		corev1.EnvVar{Name: scripts.EnvClickHouseDatabase, Value: ch.Database},
		kube.SecretEnv(scripts.EnvClickHouseUser, naming.ClickHouseSchemaSecret, naming.KeyUsername),
		kube.SecretEnv(scripts.EnvClickHousePassword, naming.ClickHouseSchemaSecret, naming.KeyPassword),
		corev1.EnvVar{Name: scripts.EnvValidationTables, Value: strings.Join(tables, " ")},
	)
}

// shellCopy puts busybox (a static binary) where the gRPC check, in the
// shell-less probe image, runs it.
func shellCopy(cat *catalog.Catalog) corev1.Container {
	return corev1.Container{
		Name:         shellVolume,
		Image:        cat.Spec.Images.Busybox,
		Command:      []string{"/bin/cp", "/bin/busybox", ShellDir + "/busybox"},
		VolumeMounts: []corev1.VolumeMount{{Name: shellVolume, MountPath: ShellDir}},
		Resources:    kube.HelperResources(),
	}
}

// ServiceLines is VALIDATION_SERVICES: "name host:port", and for an
// http service its health path, a service a line, in catalog order.
func ServiceLines(services []*catalog.Service) string {
	var b strings.Builder
	for _, s := range services {
		fmt.Fprintf(&b, "%s %s", s.Name, net.JoinHostPort(s.Name, strconv.Itoa(int(s.Port()))))
		if s.HTTP() {
			b.WriteString(" " + s.HealthPath)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// grpcCheck probes services under the copied busybox sh.
func grpcCheck(cat *catalog.Catalog, services []*catalog.Service) corev1.Container {
	c := check(CheckGRPC, cat.Spec.Images.GRPCHealthProbe, scripts.ValidateGRPC, kube.HelperResources(), append(settling(cat, ShellDir+"/busybox"),
		corev1.EnvVar{Name: scripts.EnvGRPCHealthProbe, Value: ProbePath},
		corev1.EnvVar{Name: scripts.EnvValidationServices, Value: ServiceLines(services)},
	)...)
	c.Command = []string{ShellDir + "/busybox", "sh", "-c", scripts.ValidateGRPC}
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: shellVolume, MountPath: ShellDir, ReadOnly: true})
	return c
}
