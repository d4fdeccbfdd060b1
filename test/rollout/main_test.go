package rollout

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
	"github.com/novagen/novagen/test/proc"
)

// The scenarios' verdicts, printed last by TestMain.
var verdicts struct {
	sync.Mutex
	lines []string
	ok    int
}

func TestMain(m *testing.M) {
	code := m.Run()
	if n := len(verdicts.lines); n > 0 {
		fmt.Println()
		for _, l := range verdicts.lines {
			fmt.Println(l)
		}
		fmt.Printf("rollout-test: %d of %d scenarios ok\n", verdicts.ok, n)
		if verdicts.ok != n {
			code = 1
		}
	}
	os.Exit(code)
}

// scenario runs a scenario as a subtest (in parallel with its siblings
// when parallel: each has a cluster of its own) and records its verdict:
// the body returns a one-line summary of what it saw. It reports whether
// the scenario passed (for a parallel one: true, it is not done yet).
func scenario(t *testing.T, name string, parallel bool, body func(t *testing.T) string) bool {
	t.Helper()
	return t.Run(name, func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		summary := ""
		// Registered first, so it runs last: after the cluster stopped,
		// when the verdict is final.
		t.Cleanup(func() {
			verdicts.Lock()
			defer verdicts.Unlock()
			if t.Failed() {
				verdicts.lines = append(verdicts.lines, fmt.Sprintf("scenario %s: FAIL (see above)", name))
				return
			}
			verdicts.ok++
			verdicts.lines = append(verdicts.lines, fmt.Sprintf("scenario %s: ok (%s)", name, summary))
		})
		summary = body(t)
	})
}

// pathOnce puts novagen and kustomize on PATH, once.
var pathOnce sync.Once

// config is what run.sh hands the test.
type config struct {
	bin      Binaries
	argo     proc.ArgoCD
	repo     string   // a clone of the commit under test
	crdFiles []string // the operators' CRDs and Argo CD's
}

func loadConfig(t *testing.T) config {
	t.Helper()
	if os.Getenv("NOVAGEN_ROLLOUT_TEST") != "1" {
		t.Skip("set NOVAGEN_ROLLOUT_TEST=1 (see test/rollout/run.sh) to sync on a simulated cluster")
	}
	env := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("%s must be set (test/rollout/run.sh sets it)", k)
		}
		return v
	}
	c := config{
		bin: Binaries{Etcd: env("ETCD"), APIServer: env("KUBE_APISERVER"), ControllerManager: env("KUBE_CONTROLLER_MANAGER"),
			Scheduler: env("KUBE_SCHEDULER"), Kwok: env("KWOK")},
		repo: env("NOVAGEN_REPO"),
	}
	// novagen and kustomize are found through PATH, by the plugin and by
	// RenderPath alike.
	// Process-wide and once: t.Setenv would forbid parallel scenarios.
	pathOnce.Do(func() {
		os.Setenv("PATH", env("NOVAGEN_BIN_DIR")+string(os.PathListSeparator)+os.Getenv("PATH"))
	})
	path := os.Getenv("PATH")
	c.argo = proc.ArgoCD{BinDir: env("ARGOCD_BIN_DIR"), Path: path}
	for _, dir := range []string{env("NOVAGEN_CRDS"), env("ARGOCD_CRDS")} {
		files, err := kubeapi.YAMLFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		c.crdFiles = append(c.crdFiles, files...)
	}
	return c
}

// env is one simulated cluster with Argo CD, the kubelet and operator
// stand-ins running, and the world outside it (the external components'
// backends).
type env struct {
	*Cluster
	cfg config
	ctx context.Context
}

// setup is how a scenario's cluster differs.
type setup struct {
	nodes     []Node
	operators Operators // SecretDelay, CertificatesNeverIssue
	fail      func(job string, pod *corev1.Pod) bool
	// down are external components with a Service but no ready backend.
	down []string
}

// startEnv starts a cluster for scenario t, stopped when t ends (its
// directory, with every log, kept when t failed).
func startEnv(t *testing.T, cfg config, s setup) *env {
	t.Helper()
	dir, err := os.MkdirTemp("", "novagen-rollout-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	c, err := StartCluster(ctx, dir, cfg.bin, s.nodes, cfg.crdFiles)
	if err != nil {
		cancel()
		t.Fatalf("start cluster (logs in %s): %v", dir, err)
	}
	t.Cleanup(func() {
		cancel()
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the cluster: %v", err)
		}
		if t.Failed() || os.Getenv("NOVAGEN_ROLLOUT_KEEP") == "1" {
			t.Logf("kept the cluster's directory (logs, etcd data): %s", dir)
		} else {
			_ = os.RemoveAll(dir)
		}
	})
	if err := StartArgoCD(ctx, c, cfg.argo, filepath.Join(cfg.repo, "deploy/argocd/cmp/plugin.yaml")); err != nil {
		t.Fatalf("start Argo CD: %v\n%s", err, c.Group.Logs())
	}
	kubelet := &Kubelet{Client: c.Client, Fail: s.fail}
	ops := s.operators
	ops.Client, ops.Dynamic = c.Client, c.Dynamic
	for name, run := range map[string]func(context.Context) error{"kubelet": kubelet.Run, "operators": ops.Run} {
		go func() {
			if err := run(ctx); err != nil {
				t.Errorf("%s stand-in: %v", name, err)
			}
		}()
	}
	t.Logf("cluster of %d nodes and Argo CD ready in %s (logs in %s)", len(s.nodes), time.Since(start).Round(time.Second), dir)
	return &env{Cluster: c, cfg: cfg, ctx: ctx}
}

// outside creates the world outside the catalog's namespace: for each
// ExternalName Service of r, the Service it names in its own namespace
// and, unless its component is down, one ready pod behind it.
func (e *env) outside(t *testing.T, r *Render, down []string) {
	t.Helper()
	for _, o := range r.Find("Service") {
		target, _, _ := unstructuredString(o.Object, "spec", "externalName")
		if target == "" {
			continue
		}
		name, ns, ok := serviceOf(o.GetNamespace(), target)
		if !ok {
			t.Fatalf("Service %s: externalName %q is not a Service's name", o.GetName(), target)
		}
		var ports []corev1.ServicePort
		var cports []corev1.ContainerPort
		list, _, _ := unstructuredSlice(o.Object, "spec", "ports")
		for i, p := range list {
			m, _ := p.(map[string]any)
			port := int32(toInt(m["port"]))
			pname := fmt.Sprintf("p%d", i)
			ports = append(ports, corev1.ServicePort{Name: pname, Port: port, TargetPort: intstr.FromInt32(port)})
			cports = append(cports, corev1.ContainerPort{Name: pname, ContainerPort: port})
		}
		labels := map[string]string{"app": name}
		if _, err := e.Client.CoreV1().Namespaces().Create(e.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: corev1.ServiceSpec{Selector: labels, Ports: ports}}
		if _, err := e.Client.CoreV1().Services(ns).Create(e.ctx, svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		replicas := int32(1)
		for _, d := range down {
			if d == o.GetName() {
				replicas = 0
			}
		}
		dep := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: name + ":outside", Ports: cports}}},
				},
			},
		}
		if _, err := e.Client.AppsV1().Deployments(ns).Create(e.ctx, dep, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// git runs git in dir and returns its output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// branch makes a worktree of the repository on a new branch name at HEAD,
// so a scenario can commit to what its Application follows without
// touching the others'.
func branch(t *testing.T, repo, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	gitLock.Lock()
	defer gitLock.Unlock()
	git(t, repo, "worktree", "add", "-q", "-b", name, dir, "HEAD")
	t.Cleanup(func() {
		gitLock.Lock()
		defer gitLock.Unlock()
		git(t, repo, "worktree", "remove", "--force", dir)
	})
	return dir
}

// gitLock serializes what parallel scenarios do to the shared clone's
// own .git (git locks it and fails a second writer).
var gitLock sync.Mutex
