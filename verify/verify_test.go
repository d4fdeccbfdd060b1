package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/pipeline"
)

// render loads and renders a catalog as novagen verify does.
func render(t *testing.T, path string) (*catalog.Catalog, *Expect) {
	t.Helper()
	reg := generators.Default()
	cat, err := pipeline.Loader(reg).LoadEnv(path, "")
	require.NoError(t, err)
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: reg}, nil)
	require.NoError(t, err)
	e, err := NewExpect(cat.Spec.Namespace, nodes)
	require.NoError(t, err)
	return cat, e
}

func TestExpectFromCatalog(t *testing.T) {
	cat, e := render(t, "../services.yaml")
	// Every service has its gRPC (or http) Service; the grpc ones are
	// what discovery checks.
	var grpc []string
	for _, s := range cat.Spec.Services {
		if s.Protocol == "" || s.Protocol == catalog.ProtocolGRPC {
			grpc = append(grpc, s.Name)
		}
	}
	var got []string
	for _, s := range e.GRPCServices() {
		got = append(got, s.Name)
		assert.Equal(t, "grpc", s.Port)
	}
	assert.Subset(t, got, grpc)
	// A Deployment per service and per exporter of the data tier, and
	// no other.
	var deployments, want []string
	for _, w := range e.Workloads() {
		if w.Kind == "Deployment" {
			deployments = append(deployments, w.Name)
		}
	}
	for _, s := range cat.Spec.Services {
		want = append(want, s.Name)
	}
	for _, x := range cat.Exporters() {
		want = append(want, x.Name)
	}
	require.NotEmpty(t, cat.Exporters(), "services.yaml scrapes its data tier")
	assert.ElementsMatch(t, want, deployments)

	// Jobs: this render's names (a hash suffix), the validation's apart.
	jobs := e.InitJobs()
	require.NotEmpty(t, jobs)
	for _, j := range jobs {
		assert.Regexp(t, `-[0-9a-f]{10}$`, j)
		assert.NotContains(t, j, "validate-deployment")
	}
	vj := e.ValidationJobs()
	require.Len(t, vj, 1)
	assert.Regexp(t, `^validate-deployment-[0-9a-f]{10}$`, vj[0].Name)
	assert.Equal(t, []string{CheckPostgres, CheckRedis, CheckKafka, CheckClickHouse, CheckGRPC}, vj[0].Checks)

	// Every ExternalSecret's target; every claim names no class, so a
	// default one must exist.
	for _, st := range e.SecretTargets() {
		assert.NotEmpty(t, st.Secret)
		assert.Equal(t, "external-secrets.io", st.gvr.Group)
		assert.Equal(t, "externalsecrets", st.gvr.Resource)
	}
	assert.Contains(t, e.SecretTargets(), SecretTarget{"redis-auth", "redis-auth", e.SecretTargets()[0].gvr})
	named, needDefault, claims := e.StorageClasses()
	assert.Empty(t, named)
	assert.True(t, needDefault)
	assert.Positive(t, claims)
	for _, c := range []string{CheckPostgres, CheckRedis, CheckKafka, CheckClickHouse} {
		assert.True(t, e.hasComponent(c), c)
	}
	assert.NotEmpty(t, e.Contracts())
	assert.Equal(t, cat.Metadata.Name, e.PartOf())
}

// The generators a component's check reads must be registered: a
// rename there would make verify skip the component silently.
func TestComponentGeneratorsRegistered(t *testing.T) {
	names := map[string]bool{}
	for _, g := range generators.Default().All() {
		names[g.Name] = true
	}
	for check, gens := range componentGenerators {
		for _, g := range append(gens, "api-contracts", "grpc-services") {
			assert.True(t, names[g], "check %s reads generator %s, which is not registered", check, g)
		}
	}
}

func TestParseReport(t *testing.T) {
	log := "Validation of nova in namespace nova-staging\n" +
		"\x1b[32mPASS\x1b[0m postgres: database nova_users exists\n" +
		"FAIL postgres: database nova_missing is missing\n" +
		"PASS redis: cluster_state:ok\n" +
		"WARN kafka: topic clicks has 8 partitions\n" +
		"PASS clickhouse: table analytics.events exists\n" +
		"FAIL external: neo4j accepts no connection\n" +
		"PASS grpc: service user-service SERVING\n" +
		"7 checks: 4 passed, 2 failed, 1 warnings\nvalidation failed\n"
	got := ParseReport("validate-deployment-abc", log)
	assert.Equal(t, []Fact{
		{CheckPostgres, Pass, "database nova_users exists (validation Job validate-deployment-abc)"},
		{CheckPostgres, Fail, "database nova_missing is missing (validation Job validate-deployment-abc)"},
	}, got[CheckPostgres])
	assert.Equal(t, Warn, got[CheckKafka][0].Status)
	assert.Equal(t, Pass, got[CheckRedis][0].Status)
	assert.Equal(t, Pass, got[CheckClickHouse][0].Status)
	assert.Equal(t, Pass, got[CheckGRPC][0].Status)
	assert.Equal(t, []Fact{{CheckValidation, Fail, "external: neo4j accepts no connection (validation Job validate-deployment-abc)"}}, got[CheckValidation])
	assert.Len(t, got, 6, "the title and totals are no check's")
	assert.Empty(t, ParseReport("j", "garbage\nPASS\nFAIL : x\n"))
}

func sample() Report {
	return Report{Namespace: "nova-staging", Facts: []Fact{
		{CheckNamespace, Pass, "namespace nova-staging exists"},
		{CheckSecrets, Fail, "Secret redis-auth does not exist"},
		{CheckLogs, Warn, "a line\nbroken"},
		{CheckKafka, Skip, "nothing of the catalog to check"},
	}}
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, sample(), false))
	assert.Equal(t, "PASS namespace: namespace nova-staging exists\n"+
		"FAIL secrets: Secret redis-auth does not exist\n"+
		"WARN error-logs: a line broken\n"+
		"SKIP kafka: nothing of the catalog to check\n"+
		"4 checks: 1 passed, 1 failed, 1 warnings, 1 skipped\n", b.String())
	assert.True(t, sample().Failed())
	b.Reset()
	require.NoError(t, WriteText(&b, sample(), true))
	assert.Contains(t, b.String(), "\x1b[31mFAIL\x1b[0m secrets:")
	assert.Contains(t, b.String(), "\x1b[32mPASS\x1b[0m namespace:")
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, sample()))
	var got map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, "nova-staging", got["namespace"])
	assert.Equal(t, true, got["failed"])
	assert.Equal(t, map[string]any{"checks": 4.0, "passed": 1.0, "failed": 1.0, "warnings": 1.0, "skipped": 1.0}, got["totals"])
	checks := got["checks"].([]any)
	assert.Equal(t, map[string]any{"check": "secrets", "status": "FAIL", "message": "Secret redis-auth does not exist"}, checks[1])
	b.Reset()
	require.NoError(t, WriteJSON(&b, Report{}))
	assert.Contains(t, b.String(), `"checks": []`)
	assert.Contains(t, b.String(), `"failed": false`)
}

// empty is a cluster with a namespace and nothing else, which grants
// everything.
type empty struct{}

func (empty) Get(_ context.Context, gvr schema.GroupVersionResource, _, name string) (*unstructured.Unstructured, error) {
	if gvr == gvrNamespace {
		return &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"phase": "Active"}}}, nil
	}
	return nil, apierrors.NewNotFound(gvr.GroupResource(), name)
}
func (empty) List(context.Context, schema.GroupVersionResource, string, string) ([]unstructured.Unstructured, error) {
	return nil, nil
}
func (empty) Create(_ context.Context, _ schema.GroupVersionResource, o *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	o = o.DeepCopy()
	o.Object["status"] = map[string]any{"allowed": true}
	return o, nil
}
func (empty) Logs(context.Context, string, string, string, int64, int64) (string, error) {
	return "", nil
}

// A catalog's render against an empty namespace: every expected object
// is a FAIL naming it; against a render with nothing, every check but
// the namespace's is skipped, not passed.
func TestRunAgainstEmptyNamespace(t *testing.T) {
	_, e := render(t, "../services.yaml")
	r := Run(context.Background(), empty{}, e, DefaultOptions)
	assert.True(t, r.Failed())
	text := func(check string) string {
		var b strings.Builder
		for _, f := range r.Facts {
			if f.Check == check {
				b.WriteString(string(f.Status) + " " + f.Message + "\n")
			}
		}
		return b.String()
	}
	assert.Contains(t, text(CheckNamespace), "PASS access")
	assert.Contains(t, text(CheckStorageClass), "FAIL no default StorageClass")
	assert.Contains(t, text(CheckSecrets), "FAIL Secret redis-auth (ExternalSecret redis-auth's target) does not exist")
	assert.Contains(t, text(CheckInitJobs), "FAIL Job "+e.InitJobs()[0])
	assert.Contains(t, text(CheckPostgres), "FAIL StatefulSet postgres does not exist")
	assert.Contains(t, text(CheckPostgres), "FAIL validation Job "+e.ValidationJobs()[0].Name)
	assert.Contains(t, text(CheckClickHouse), "FAIL ClickHouseInstallation clickhouse does not exist")
	assert.Contains(t, text(CheckPodsReady), "FAIL Deployment user-service does not exist")
	assert.Contains(t, text(CheckGRPC), "FAIL Service user-service has no ready endpoint")
	assert.Contains(t, text(CheckProtos), "FAIL ConfigMap "+e.Contracts()[0].GetName()+" does not exist")

	none := &Expect{Namespace: "x"}
	r = Run(context.Background(), empty{}, none, DefaultOptions)
	for _, f := range r.Facts {
		if f.Check != CheckNamespace {
			assert.Equal(t, Skip, f.Status, "%s: %s", f.Check, f.Message)
		}
	}
	assert.Equal(t, 12, r.Totals().Skipped)
	assert.False(t, r.Failed())
}

// jobCluster is a cluster with one Job (in a condition) and its pod,
// whose report log is log, or unreadable when logErr is set.
type jobCluster struct {
	empty
	job    *unstructured.Unstructured
	log    string
	logErr error
}

func (c jobCluster) Get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*unstructured.Unstructured, error) {
	if gvr == gvrJob && name == c.job.GetName() {
		return c.job, nil
	}
	return c.empty.Get(ctx, gvr, ns, name)
}

func (c jobCluster) List(_ context.Context, gvr schema.GroupVersionResource, _, _ string) ([]unstructured.Unstructured, error) {
	if gvr == gvrPod {
		return []unstructured.Unstructured{{Object: map[string]any{"metadata": map[string]any{"name": c.job.GetName() + "-x", "namespace": "ns"}}}}, nil
	}
	return nil, nil
}

func (c jobCluster) Logs(context.Context, string, string, string, int64, int64) (string, error) {
	return c.log, c.logErr
}

func jobIn(name, condition string) *unstructured.Unstructured {
	status := map[string]any{"active": int64(1)}
	if condition != "" {
		status = map[string]any{"conditions": []any{map[string]any{"type": condition, "status": "True", "reason": "BackoffLimitExceeded", "message": "limit"}}}
	}
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": name, "namespace": "ns"}, "status": status}}
}

// What the validation Job's state and report say, for each check it
// covers: its lines when readable; otherwise its state stands for them.
func TestValidationJobStates(t *testing.T) {
	_, e := render(t, "../services.yaml")
	vj := e.ValidationJobs()[0]
	unreadable := errors.New("pods/log: forbidden")
	cases := []struct {
		name      string
		c         jobCluster
		want      Status
		message   string
		validFail bool // a FAIL of CheckValidation too
	}{
		{"running", jobCluster{job: jobIn(vj.Name, "")}, Warn, "has not finished", false},
		{"complete, report unreadable", jobCluster{job: jobIn(vj.Name, "Complete"), logErr: unreadable}, Pass, "completed: its in-cluster checks passed (report unreadable: pods/log: forbidden)", false},
		{"failed, report unreadable", jobCluster{job: jobIn(vj.Name, "Failed"), logErr: unreadable}, Fail, "which check failed is not known", true},
		{"failed, report has no line", jobCluster{job: jobIn(vj.Name, "Failed"), log: "panic\n"}, Fail, "no check line", true},
		{"complete, report read", jobCluster{job: jobIn(vj.Name, "Complete"), log: "PASS postgres: up\nPASS redis: up\nPASS kafka: up\nPASS clickhouse: up\nPASS grpc: up\n"}, Pass, "up (validation Job " + vj.Name + ")", false},
		{"failed, report all PASS", jobCluster{job: jobIn(vj.Name, "Failed"), log: "PASS postgres: up\nPASS redis: up\nPASS kafka: up\nPASS clickhouse: up\nPASS grpc: up\n"}, Pass, "up", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{ctx: context.Background(), c: tc.c, e: e, opts: DefaultOptions}
			got := r.readValidation()
			for _, check := range vj.Checks {
				require.NotEmpty(t, got[check], check)
				assert.Equal(t, tc.want, got[check][0].Status, "%s: %s", check, got[check][0].Message)
				assert.Contains(t, got[check][0].Message, tc.message)
			}
			failed := slices.ContainsFunc(got[CheckValidation], func(f Fact) bool { return f.Status == Fail })
			assert.Equal(t, tc.validFail, failed, "%v", got[CheckValidation])
		})
	}
}

// A message from the cluster (a log line, a condition) reaches the
// terminal on one line and without control sequences or bidi overrides.
func TestWriteTextEscapes(t *testing.T) {
	var b bytes.Buffer
	r := Report{Facts: []Fact{{CheckLogs, Warn, "a\x1b[2Jb\u202ec\u009bd\r\ne\tf"}}}
	require.NoError(t, WriteText(&b, r, false))
	assert.Equal(t, `WARN error-logs: a\x1b[2Jb\u202ec\u009bd e f`+"\n", strings.SplitAfter(b.String(), "\n")[0])
}
