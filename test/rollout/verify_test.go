package rollout

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
)

// verifyReport is novagen verify -o json's schema, as the test reads it.
type verifyReport struct {
	Checks []struct{ Check, Status, Message string }
	Totals struct{ Failed int }
}

// has says whether the report has a fact of check with status whose
// message contains text.
func (r verifyReport) has(check, status, text string) bool {
	for _, f := range r.Checks {
		if f.Check == check && f.Status == status && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

func (r verifyReport) String() string {
	var b strings.Builder
	for _, f := range r.Checks {
		fmt.Fprintf(&b, "%s %s: %s\n", f.Status, f.Check, f.Message)
	}
	return b.String()
}

// The 13 checks.
var thirteen = []string{"namespace", "storage-class", "secrets", "init-jobs", "postgres", "redis", "kafka", "clickhouse",
	"pods-ready", "grpc-discovery", "proto-definitions", "resource-limits", "error-logs"}

// writeLog writes lines to path as a container runtime's log file (CRI
// format, stamped now), which kwok serves as the containers' log.
func writeLog(t *testing.T, path string, lines ...string) {
	t.Helper()
	var b strings.Builder
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, l := range lines {
		fmt.Fprintf(&b, "%s stdout F %s\n", now, l)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// validationReport is what the validation Job's report container
// prints (generators/validation): a line per check it runs (its init
// containers but the busybox copy), each status given.
func validationReport(t *testing.T, job *unstructured.Unstructured, status func(check string) string) []string {
	t.Helper()
	inits, _, _ := unstructured.NestedSlice(job.Object, "spec", "template", "spec", "initContainers")
	lines := []string{"Validation of nova in namespace nova-staging"}
	for _, c := range inits {
		name, _, _ := unstructured.NestedString(c.(map[string]any), "name")
		if name == "shell" {
			continue
		}
		st := status(name)
		msg := name + " answers"
		if st == "FAIL" {
			msg = "injected failure"
		}
		lines = append(lines, st+" "+name+": "+msg)
	}
	if len(lines) == 1 {
		t.Fatalf("validation Job %s has no check", job.GetName())
	}
	return append(lines, fmt.Sprintf("%d checks", len(lines)-1))
}

// TestVerify brings services.yaml's render up on a simulated cluster (the
// controllers, kwok and the stand-ins give the objects their status),
// checks that novagen verify passes all 13 checks, then injects one fault
// per check and checks that verify reports it as a FAIL naming the object.
func TestVerify(t *testing.T) {
	if os.Getenv("NOVAGEN_VERIFY_TEST") != "1" {
		t.Skip("set NOVAGEN_VERIFY_TEST=1 (see test/rollout/verify.sh) to verify a simulated cluster")
	}
	getenv := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("%s must be set (test/rollout/verify.sh sets it)", k)
		}
		return v
	}
	bin := Binaries{Etcd: getenv("ETCD"), APIServer: getenv("KUBE_APISERVER"), ControllerManager: getenv("KUBE_CONTROLLER_MANAGER"),
		Scheduler: getenv("KUBE_SCHEDULER"), Kwok: getenv("KWOK")}
	novagen, repo := getenv("NOVAGEN_BIN"), getenv("NOVAGEN_REPO_ROOT")
	crds, err := kubeapi.YAMLFiles(getenv("NOVAGEN_CRDS"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &LogFiles{Report: filepath.Join(dir, "report.log"), Other: filepath.Join(dir, "containers.log")}
	writeLog(t, logs.Other, "level=info msg=started", "level=info msg=serving")
	c, err := StartClusterWith(ctx, dir, bin, stagingNodes(), crds, ClusterOptions{Logs: logs})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	defer func() {
		cancel()
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the cluster: %v", err)
		}
	}()
	var failJob atomic.Value // the Job name prefix whose pods fail
	failJob.Store("\x00")
	kubelet := &Kubelet{Client: c.Client, Fail: func(job string, _ *corev1.Pod) bool { return strings.HasPrefix(job, failJob.Load().(string)) }}
	opsCtx, stopOps := context.WithCancel(ctx)
	ops := &Operators{Client: c.Client, Dynamic: c.Dynamic}
	go func() { _ = kubelet.Run(ctx) }()
	go func() { _ = ops.Run(opsCtx) }()

	rendered, err := exec.Command(novagen, "render", "-f", filepath.Join(repo, "services.yaml")).Output()
	if err != nil {
		t.Fatalf("novagen render: %v", err)
	}
	objs, err := kubeapi.ParseObjects(rendered)
	if err != nil {
		t.Fatal(err)
	}
	var validation *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "Job" && strings.HasPrefix(o.GetName(), "validate-deployment-") {
			validation = o
		}
	}
	if validation == nil {
		t.Fatal("the render has no validation Job")
	}
	writeLog(t, logs.Report, validationReport(t, validation, func(string) string { return "PASS" })...)
	e := &env{Cluster: c, ctx: ctx}
	e.outside(t, &Render{Objects: objs}, nil)
	if err := c.ApplyYAML(ctx, string(rendered)); err != nil {
		t.Fatalf("apply the render: %v", err)
	}
	run := func(kubeconfig string, args ...string) (verifyReport, int, string) {
		cmd := exec.Command(novagen, append([]string{"verify", "-f", filepath.Join(repo, "services.yaml"), "--kubeconfig", kubeconfig, "-o", "json"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, _ := cmd.Output()
		var r verifyReport
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("novagen verify -o json: %v\n%s\n%s", err, out, stderr.String())
		}
		return r, cmd.ProcessState.ExitCode(), stderr.String()
	}
	// The environment comes up (the validation Job finishes last): verify
	// passes every check but the logs' (exit 0) within 5 minutes.
	var last verifyReport
	err = c.Poll(ctx, 5*time.Minute, func() (bool, string, error) {
		r, code, _ := run(c.Kubeconfig)
		last = r
		for _, check := range thirteen {
			if !r.has(check, "PASS", "") || r.has(check, "WARN", "") || r.has(check, "FAIL", "") || r.has(check, "SKIP", "") {
				return false, "check " + check + " not PASS only", nil
			}
		}
		return code == 0, fmt.Sprintf("exit %d", code), nil
	})
	if err != nil {
		t.Fatalf("verify never passed: %v\n%s", err, last)
	}
	if !last.has("postgres", "PASS", "postgres answers (validation Job "+validation.GetName()+")") {
		t.Errorf("postgres: want the validation report's line, read through pods/log, got:\n%s", last)
	}
	// The text report, as a person reads it (docs/deploying.md's example).
	text, err := exec.Command(novagen, "verify", "-f", filepath.Join(repo, "services.yaml"), "--kubeconfig", c.Kubeconfig).Output()
	if err != nil {
		t.Fatalf("novagen verify (text): %v\n%s", err, text)
	}
	t.Logf("healthy environment:\n%s", text)
	// What verify cannot see but the stand-in keeps repairing: stopped.
	stopOps()

	ns := "nova-staging"
	find := func(kind, prefix string) string {
		for _, o := range objs {
			if o.GetKind() == kind && strings.HasPrefix(o.GetName(), prefix) {
				return o.GetName()
			}
		}
		t.Fatalf("the render has no %s %s*", kind, prefix)
		return ""
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	patch := func(gvr string, name string, body string) {
		t.Helper()
		var err error
		switch gvr {
		case "service":
			_, err = c.Client.CoreV1().Services(ns).Patch(ctx, name, types.MergePatchType, []byte(body), metav1.PatchOptions{})
		case "configmap":
			_, err = c.Client.CoreV1().ConfigMaps(ns).Patch(ctx, name, types.MergePatchType, []byte(body), metav1.PatchOptions{})
		case "deployment":
			_, err = c.Client.AppsV1().Deployments(ns).Patch(ctx, name, types.MergePatchType, []byte(body), metav1.PatchOptions{})
		}
		must(err)
	}
	background := metav1.DeletePropagationBackground
	// rerunFailing deletes a Job and applies it again with its pods
	// failing: it ends Failed (backoffLimit).
	rerunFailing := func(job string) {
		failJob.Store(job)
		must(c.Client.BatchV1().Jobs(ns).Delete(ctx, job, metav1.DeleteOptions{PropagationPolicy: &background}))
		must(c.Poll(ctx, time.Minute, func() (bool, string, error) {
			_, err := c.Client.BatchV1().Jobs(ns).Get(ctx, job, metav1.GetOptions{})
			return err != nil, "deleted", nil
		}))
		for _, o := range objs {
			if o.GetKind() == "Job" && o.GetName() == job {
				_, err := c.Kube.Apply(ctx, o)
				must(err)
			}
		}
	}

	validationJob := find("Job", "validate-deployment-")
	migrate := find("Job", "sqlx-migrate-")
	// restricted is a kubeconfig of a ServiceAccount nothing grants.
	restricted := func() string {
		_, err := c.Client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "verify-nobody"}}, metav1.CreateOptions{})
		must(err)
		tr, err := c.Client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "verify-nobody", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
		must(err)
		admin, err := os.ReadFile(c.Kubeconfig)
		must(err)
		var out []string
		for _, l := range strings.Split(string(admin), "\n") {
			if strings.Contains(l, "user: {token:") {
				l = fmt.Sprintf("  user: {token: %q}", tr.Status.Token)
			}
			out = append(out, l)
		}
		path := filepath.Join(dir, "restricted.kubeconfig")
		must(os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o600))
		return path
	}()

	faults := []struct {
		name   string
		inject func()
		args   []string // verify's extra arguments
		config string   // kubeconfig, the administrator's when empty
		checks []string // each must FAIL (or status) with a message containing text
		text   string
		wait   time.Duration
		status string // FAIL when empty
	}{
		{name: "access denied", config: restricted, checks: []string{"namespace"}, text: "access denied"},
		{name: "namespace missing", args: []string{"--namespace", "nova-elsewhere"}, checks: []string{"namespace"}, text: "nova-elsewhere does not exist"},
		{name: "no default StorageClass", inject: func() { must(c.Client.StorageV1().StorageClasses().Delete(ctx, storageClass, metav1.DeleteOptions{})) },
			checks: []string{"storage-class"}, text: "no default StorageClass"},
		{name: "Secret deleted", inject: func() { must(c.Client.CoreV1().Secrets(ns).Delete(ctx, "redis-auth", metav1.DeleteOptions{})) },
			checks: []string{"secrets"}, text: "Secret redis-auth"},
		{name: "migration Job fails", inject: func() { rerunFailing(migrate) }, checks: []string{"init-jobs"}, text: migrate + " failed", wait: 3 * time.Minute},
		{name: "validation report FAILs", inject: func() {
			writeLog(t, logs.Report, validationReport(t, validation, func(check string) string {
				if check == "external" || check == "entry-points" {
					return "PASS"
				}
				return "FAIL"
			})...)
			rerunFailing(validationJob)
		}, checks: []string{"postgres", "redis", "kafka", "clickhouse", "grpc-discovery"}, text: "injected failure (validation Job " + validationJob + ")", wait: 3 * time.Minute},
		{name: "Deployment short of replicas", inject: func() { patch("deployment", "feed-service", `{"spec":{"replicas":500}}`) },
			checks: []string{"pods-ready"}, text: "Deployment feed-service"},
		{name: "Service without endpoints", inject: func() { patch("service", "user-service", `{"spec":{"selector":{"app.kubernetes.io/name":"nobody"}}}`) },
			checks: []string{"grpc-discovery"}, text: "Service user-service has no ready endpoint", wait: time.Minute},
		{name: "contract edited", inject: func() { patch("configmap", "nova-service-registry", `{"data":{"edited":"by hand"}}`) },
			checks: []string{"proto-definitions"}, text: "nova-service-registry differs"},
		{name: "pod without limits", inject: func() { must(unlimitedPod(ctx, c, ns)) },
			checks: []string{"resource-limits"}, text: "pod no-limits container main has no requests.cpu", wait: time.Minute},
		// An error line in a log is a WARN by design: it says something
		// went wrong, not that the environment is broken.
		{name: "error line in the logs", inject: func() {
			writeLog(t, logs.Other, "level=info msg=started", "level=error msg=\"connection to postgres refused\"")
		}, checks: []string{"error-logs"}, text: "connection to postgres refused", status: "WARN"},
	}
	for _, f := range faults {
		if f.inject != nil {
			f.inject()
		}
		config := f.config
		if config == "" {
			config = c.Kubeconfig
		}
		var r verifyReport
		var code int
		var stderr string
		err := c.Poll(ctx, max(f.wait, 5*time.Second), func() (bool, string, error) {
			r, code, stderr = run(config, f.args...)
			status := cmp.Or(f.status, "FAIL")
			for _, check := range f.checks {
				if !r.has(check, status, f.text) {
					return false, "no " + status + " of " + check, nil
				}
			}
			return code == 1, fmt.Sprintf("exit %d", code), nil
		})
		if err != nil {
			t.Errorf("fault %s: want a %s of %s naming %q and exit 1: %v (exit %d, %s)\n%s", f.name, cmp.Or(f.status, "FAIL"), strings.Join(f.checks, ", "), f.text, err, code, stderr, r)
			continue
		}
		t.Logf("fault %s: %s of %s, exit 1", f.name, cmp.Or(f.status, "FAIL"), strings.Join(f.checks, ", "))
	}
}

// unlimitedPod creates a running pod of the catalog (its part-of label)
// whose container requests and limits nothing, Pod Security restricted
// otherwise.
func unlimitedPod(ctx context.Context, c *Cluster, ns string) error {
	no := false
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "no-limits", Namespace: ns, Labels: map[string]string{"app.kubernetes.io/part-of": "nova"}},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(10001)), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{Name: "main", Image: "busybox:1.36",
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}},
		},
	}
	_, err := c.Client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	return err
}
