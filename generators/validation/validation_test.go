package validation

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

func loadCatalog(t *testing.T, path string) *catalog.Catalog {
	t.Helper()
	cat, err := load.Load(path)
	require.NoError(t, err)
	return cat
}

// job is the validation Job of cat, and its policies by name.
func job(t *testing.T, cat *catalog.Catalog) (*batchv1.Job, map[string]*networkingv1.NetworkPolicy) {
	t.Helper()
	objs, err := Generate(cat)
	require.NoError(t, err)
	var j *batchv1.Job
	pols := map[string]*networkingv1.NetworkPolicy{}
	for _, o := range objs {
		switch v := o.(type) {
		case *batchv1.Job:
			require.Nil(t, j, "one Job")
			j = v
		case *networkingv1.NetworkPolicy:
			pols[v.Name] = v
		default:
			t.Fatalf("unexpected %T", o)
		}
	}
	require.NotNil(t, j)
	return j, pols
}

func env(c corev1.Container) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		out[e.Name] = e
	}
	return out
}

// TestEverythingFromTheCatalog: the staging catalog's databases, topics,
// tables and services reach the checks, nothing else does, credentials
// come from Secrets, and the Job is an ordinary resource (no Argo CD
// hook: it runs once per change of its spec).
func TestEverythingFromTheCatalog(t *testing.T) {
	cat := loadCatalog(t, "../../services.yaml")
	j, pols := job(t, cat)
	assert.Equal(t, map[string]string{kube.AnnotationGenerator: Name}, j.Annotations)

	spec := j.Spec.Template.Spec
	var names []string
	for _, c := range spec.InitContainers {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{CheckPostgres, CheckRedis, CheckKafka, CheckClickHouse, CheckExternal, CheckEntryPoints, shellVolume, CheckGRPC}, names)
	require.Len(t, spec.Containers, 1)
	assert.Equal(t, "postgres redis kafka clickhouse external entry-points grpc", env(spec.Containers[0])["VALIDATION_CHECKS"].Value)

	byName := map[string]corev1.Container{}
	for _, c := range spec.InitContainers {
		byName[c.Name] = c
	}
	var dbs, topics, tables, services []string
	for _, d := range cat.Spec.Databases {
		dbs = append(dbs, d.Name)
	}
	slices.Sort(dbs)
	for _, tp := range cat.Spec.Topics {
		topics = append(topics, tp.Name)
	}
	for _, tb := range cat.Spec.Infrastructure.ClickHouse.Tables {
		tables = append(tables, tb.Name)
	}
	for _, s := range cat.Spec.Services {
		services = append(services, s.Name)
	}
	require.NotEmpty(t, dbs)
	require.NotEmpty(t, topics)
	require.NotEmpty(t, tables)
	assert.Equal(t, strings.Join(dbs, " "), env(byName[CheckPostgres])["VALIDATION_DATABASES"].Value)
	assert.Equal(t, topics, firstWords(env(byName[CheckKafka])["VALIDATION_TOPICS"].Value))
	assert.Equal(t, strings.Join(tables, " "), env(byName[CheckClickHouse])["VALIDATION_TABLES"].Value)
	assert.Equal(t, services, firstWords(env(byName[CheckGRPC])["VALIDATION_SERVICES"].Value))

	secrets := map[string]string{}
	for _, c := range spec.InitContainers {
		for _, e := range c.Env {
			if strings.Contains(e.Name, "PASSWORD") || strings.Contains(e.Name, "AUTH") {
				require.NotNil(t, e.ValueFrom, "%s %s comes from a Secret", c.Name, e.Name)
				secrets[c.Name] = e.ValueFrom.SecretKeyRef.Name
			}
		}
	}
	assert.Equal(t, map[string]string{CheckPostgres: naming.AdminSecret, CheckRedis: naming.RedisSecret, CheckClickHouse: naming.ClickHouseSchemaSecret}, secrets)

	// The Job's pods reach every checked endpoint, the external
	// components, the services by their shared labels on their ports, and
	// DNS; every managed component and the services admit them.
	egress := pols[naming.ValidationPolicy]
	require.NotNil(t, egress)
	require.Len(t, egress.Spec.Egress, 4+2+1+1)
	toServices := egress.Spec.Egress[6]
	assert.Equal(t, kube.GRPCPodSelector(cat), toServices.To[0].PodSelector.MatchLabels)
	assert.Equal(t, []int32{8080, 50051}, portsOf(toServices.Ports))
	assert.Equal(t, []int32{9200}, portsOf(egress.Spec.Egress[4].Ports), "elasticsearch, anywhere on its port")
	for _, c := range []string{"postgres", "redis", "kafka", "clickhouse"} {
		assert.Contains(t, pols, naming.FromValidation(c))
	}
	svc := pols[naming.ServicesFromValidation]
	require.NotNil(t, svc)
	assert.Equal(t, kube.GRPCPodSelector(cat), svc.Spec.PodSelector.MatchLabels)
	assert.Equal(t, kube.JobPodSelector(cat, Component), svc.Spec.Ingress[0].From[0].PodSelector.MatchLabels)
	for k, v := range kube.JobPodSelector(cat, Component) {
		assert.Equal(t, v, j.Spec.Template.Labels[k], "the policies select the Job's pods: %s", k)
	}
}

// TestSettleSecondsDoNotOverflow: the longest waits the loader accepts
// give the settle time they mean, not a wrapped one.
func TestSettleSecondsDoNotOverflow(t *testing.T) {
	tests := []struct {
		wait string
		want int64
	}{
		{"{retries: 30, interval: 2s}", 60 + 120},
		{"{retries: 1000, interval: 2000000h}", 1000*2000000*3600 + 120},
		{"{retries: 1000, interval: 2562047h}", 1000*2562047*3600 + 120},
	}
	for _, tt := range tests {
		cat, err := load.Parse("c.yaml", []byte(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults: {image: {registry: r.example/t, tag: "1"}, wait: `+tt.wait+`}
  infrastructure:
    external: [{name: ext, host: ext.example.com, port: 443}]
  services: [{name: a, dependsOn: [ext]}]
`))
		require.NoError(t, err, tt.wait)
		assert.Equal(t, tt.want, SettleSeconds(cat), tt.wait)
	}
}

// TestWaitingChecks: the checks that run beside the last wave wait up to
// the settle time, 2 levels (search-service, then graphql-gateway
// waiting for it) of 30 × 2 s plus the 2 min startupGrace, within the
// Job's deadline; the external components are tried at their catalog
// addresses, naming who waits for them; the gateway's certificate is
// looked for in its Secret, mounted optional with tls.crt only.
func TestWaitingChecks(t *testing.T) {
	cat := loadCatalog(t, "../../services.yaml")
	j, _ := job(t, cat)
	spec := j.Spec.Template.Spec
	byName := map[string]corev1.Container{}
	for _, c := range spec.InitContainers {
		byName[c.Name] = c
	}
	assert.Equal(t, int64(240), SettleSeconds(cat))
	assert.Equal(t, int64(240+DeadlineSeconds), *j.Spec.ActiveDeadlineSeconds)
	for _, c := range []string{CheckExternal, CheckEntryPoints, CheckGRPC} {
		assert.Equal(t, "240", env(byName[c])[scripts.EnvValidationSettle].Value, c)
		assert.NotEmpty(t, env(byName[c])[scripts.EnvBusybox].Value, c)
	}
	assert.Equal(t, "elasticsearch elasticsearch.nova-search.svc.cluster.local 9200 search-service, graphql-gateway\n"+
		"neo4j neo4j.nova-graph.svc.cluster.local 7687 graph-service\n", env(byName[CheckExternal])[scripts.EnvValidationExternals].Value)
	assert.Equal(t, "api.staging.nova.example graphql-gateway-tls /entry-points/graphql-gateway-tls/tls.crt\n",
		env(byName[CheckEntryPoints])[scripts.EnvValidationEntries].Value)

	var secrets []corev1.Volume
	for _, v := range spec.Volumes {
		if v.Secret != nil {
			secrets = append(secrets, v)
		}
	}
	require.Len(t, secrets, 1)
	assert.Equal(t, corev1.SecretVolumeSource{SecretName: "graphql-gateway-tls", Optional: kube.Ptr(true),
		Items: []corev1.KeyToPath{{Key: "tls.crt", Path: "tls.crt"}}}, *secrets[0].Secret, "the certificate, never the key")
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		for _, m := range c.VolumeMounts {
			if m.Name == secrets[0].Name {
				assert.Equal(t, CheckEntryPoints, c.Name, "only the entry points' check mounts it")
				assert.True(t, m.ReadOnly)
			}
		}
	}
}

// TestManyDependentsNamed: an external component many services wait for
// names the first of them and counts the rest, so the Job stays bounded.
func TestManyDependentsNamed(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Replace(catalogText(t, "testdata/minimal/catalog.yaml"), "  services:\n",
		"  infrastructure:\n    external: [{name: search, host: 10.0.0.9, port: 9200}]\n  services:\n", 1))
	for i := range 8 {
		fmt.Fprintf(&b, "    - {name: s%d, dependsOn: [search]}\n", i)
	}
	cat, err := load.Parse("many.yaml", []byte(b.String()))
	require.NoError(t, err)
	ext := &cat.Spec.Infrastructure.External[0]
	assert.Equal(t, "search 10.0.0.9 9200 s0, s1, s2, s3, s4 and 3 more\n", ExternalLines(cat, []*catalog.External{ext}))
}

// TestAddingAServiceKeepsThePolicies: a new service with the default
// ports changes neither the validation's egress policy nor the one that
// lets the services admit it (the Job itself checks it, so it changes).
func TestAddingAServiceKeepsThePolicies(t *testing.T) {
	text := catalogText(t, "testdata/minimal/catalog.yaml")
	before, err := load.Parse("before.yaml", []byte(text))
	require.NoError(t, err)
	after, err := load.Parse("after.yaml", []byte(text+"    - name: billing\n      dependsOn: [api]\n"))
	require.NoError(t, err)
	_, was := job(t, before)
	_, is := job(t, after)
	require.NotEmpty(t, was)
	assert.Equal(t, was, is)
}

func catalogText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func portsOf(ps []networkingv1.NetworkPolicyPort) []int32 {
	var out []int32
	for _, p := range ps {
		out = append(out, p.Port.IntVal)
	}
	return out
}

func firstWords(lines string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		out = append(out, strings.Fields(l)[0])
	}
	return out
}

// TestProvidedComponents: components outside the namespace get no
// ingress policy (no pods here to select), and a catalog without
// infrastructure checks only the services.
func TestProvidedComponents(t *testing.T) {
	_, pols := job(t, loadCatalog(t, "testdata/provided/catalog.yaml"))
	assert.ElementsMatch(t, []string{naming.ValidationPolicy, naming.ServicesFromValidation}, mapKeys(pols))

	j, pols := job(t, loadCatalog(t, "testdata/minimal/catalog.yaml"))
	assert.ElementsMatch(t, []string{naming.ValidationPolicy, naming.ServicesFromValidation}, mapKeys(pols))
	assert.Len(t, j.Spec.Template.Spec.InitContainers, 2, "the shell and the gRPC check")
	assert.Equal(t, []int32{6000, 50051}, ports(pols[naming.ServicesFromValidation]))
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func ports(p *networkingv1.NetworkPolicy) []int32 { return portsOf(p.Spec.Ingress[0].Ports) }

// TestGroups: a partitioned catalog of 300 services is validated by
// Jobs of at most GroupSize targets, each of one partition; every
// service, database and topic is checked by exactly one, the
// components by the infrastructure partition's; each Job's pods reach
// only what it checks and its services admit only them. The partitions
// add up to the whole render.
func TestGroups(t *testing.T) {
	cat := generatortest.Synth(t, 300, 3)
	generatortest.PartitionsAddUp(t, Generate, cat)
	objs, err := Generate(cat)
	require.NoError(t, err)
	checked := map[string]int{}
	jobs := 0
	pols := map[string]*networkingv1.NetworkPolicy{}
	for _, o := range objs {
		if p, ok := o.(*networkingv1.NetworkPolicy); ok {
			pols[p.Name] = p
		}
	}
	for _, o := range objs {
		j, ok := o.(*batchv1.Job)
		if !ok {
			continue
		}
		jobs++
		base := j.Spec.Template.Labels[kube.LabelName]
		suffix := strings.TrimPrefix(base, naming.ValidationJob+"-")
		require.NotEqual(t, base, suffix, "a group's Job is named validate-deployment-<partition>-<k>")
		partition := suffix[:strings.LastIndex(suffix, "-")]
		targets := 0
		var services []string
		for _, c := range j.Spec.Template.Spec.InitContainers {
			e := env(c)
			switch c.Name {
			case CheckPostgres:
				for _, db := range strings.Fields(e[scripts.EnvValidationDatabases].Value) {
					checked["database "+db]++
					want := catalog.InfrastructurePartition // a database without owner: with the server
					if owner, ok := cat.DatabaseOwner(db); ok {
						want = cat.PartitionOf(owner.Name)
					}
					assert.Equal(t, want, partition, "%s checks %s with its owner", base, db)
				}
			case CheckKafka:
				topics := firstWords(e[scripts.EnvValidationTopics].Value)
				targets += len(topics)
				for _, tp := range topics {
					checked["topic "+tp]++
				}
			case CheckGRPC:
				services = firstWords(e[scripts.EnvValidationServices].Value)
				targets += len(services)
				for _, s := range services {
					checked["service "+s]++
					assert.Equal(t, partition, cat.PartitionOf(s), "%s checks %s", base, s)
				}
			}
			if slices.Contains([]string{CheckPostgres, CheckRedis, CheckKafka, CheckClickHouse}, c.Name) {
				checked["component "+c.Name]++
				if c.Name != CheckPostgres {
					assert.Equal(t, catalog.InfrastructurePartition, partition, "%s checks %s", base, c.Name)
				}
			}
		}
		assert.LessOrEqual(t, targets, GroupSize, base)
		// Its policies: egress from its own pods to what it checks (and
		// DNS); its services admit its pods only.
		egress := pols[base]
		require.NotNil(t, egress, "egress policy of %s", base)
		assert.Equal(t, base, egress.Spec.PodSelector.MatchLabels[kube.LabelName])
		wantEgress := 1 // DNS
		if len(services) > 0 {
			wantEgress++ // the services, by their shared labels
		}
		for _, c := range j.Spec.Template.Spec.InitContainers {
			switch c.Name {
			case CheckPostgres, CheckRedis, CheckKafka, CheckClickHouse:
				wantEgress++
			case CheckExternal:
				wantEgress += len(cat.Spec.Infrastructure.External)
				assert.Equal(t, catalog.InfrastructurePartition, partition, "%s checks the external components", base)
			}
		}
		assert.Len(t, egress.Spec.Egress, wantEgress, "egress of %s", base)
		if len(services) > 0 {
			admit := pols[naming.Grouped(naming.ServicesFromValidation, suffix)]
			require.NotNil(t, admit, "services of %s admit it", base)
			assert.Equal(t, kube.GRPCPodSelector(cat), admit.Spec.PodSelector.MatchLabels, "the catalog's services, none else")
			assert.Empty(t, admit.Spec.PodSelector.MatchExpressions)
			assert.Equal(t, base, admit.Spec.Ingress[0].From[0].PodSelector.MatchLabels[kube.LabelName])
		}
	}
	assert.Greater(t, jobs, 4, "several Jobs")
	for _, s := range cat.Spec.Services {
		assert.Equal(t, 1, checked["service "+s.Name], s.Name)
	}
	for _, d := range cat.Databases() {
		assert.Equal(t, 1, checked["database "+d.Name], d.Name)
	}
	for _, tp := range cat.Spec.Topics {
		assert.Equal(t, 1, checked["topic "+tp.Name], tp.Name)
	}
	assert.Equal(t, 1, checked["component "+CheckKafka])
	assert.Equal(t, 1, checked["component "+CheckRedis])
	assert.Equal(t, 1, checked["component "+CheckClickHouse])
	assert.Greater(t, checked["component "+CheckPostgres], 1, "every partition with databases checks postgres")
}
