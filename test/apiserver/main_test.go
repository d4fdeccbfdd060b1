package apiserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
)

// setupTimeout bounds cluster start plus CRD installation.
const setupTimeout = 5 * time.Minute

// The cluster is slow to start (etcd, kube-apiserver, large CRDs), so all
// tests of this binary share one, started on first use and stopped in
// TestMain. Its directory is not a t.TempDir(): that would be removed when
// the first test using it ends.
var shared struct {
	once    sync.Once
	dir     string
	cluster *kubeapi.Cluster
	harness *harness
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping cluster:", err)
			code = 1
		} else {
			fmt.Println("stopped etcd and kube-apiserver; no processes left over")
		}
	}
	// Keep logs and etcd data for diagnosis when asked to or on failure.
	if shared.dir != "" {
		if code != 0 || os.Getenv("NOVAGEN_APISERVER_KEEP") == "1" {
			fmt.Println("kept cluster directory (logs, etcd data):", shared.dir)
		} else {
			_ = os.RemoveAll(shared.dir)
		}
	}
	os.Exit(code)
}

// requireHarness skips unless NOVAGEN_APISERVER_TEST=1, and otherwise
// returns the shared harness, starting the cluster on first use.
func requireHarness(t *testing.T) *harness {
	t.Helper()
	if os.Getenv("NOVAGEN_APISERVER_TEST") != "1" {
		t.Skip("set NOVAGEN_APISERVER_TEST=1 (see test/apiserver/run.sh) to run against a real kube-apiserver")
	}
	first := false
	shared.once.Do(func() { shared.err, first = setup(), true })
	if shared.err != nil {
		if !first { // the full error with log tails was shown once already
			t.Fatalf("cluster setup failed (see the first test): %s", strings.SplitN(shared.err.Error(), "\n", 2)[0])
		}
		t.Fatal(shared.err)
	}
	return shared.harness
}

func setup() error {
	apiserverBin := os.Getenv("KUBE_APISERVER")
	if apiserverBin == "" {
		return fmt.Errorf("KUBE_APISERVER must name the kube-apiserver binary (test/apiserver/build-kube.sh builds it)")
	}
	crdDir := os.Getenv("NOVAGEN_CRDS")
	if crdDir == "" {
		return fmt.Errorf("NOVAGEN_CRDS must name the directory of CRD YAML files")
	}
	etcdBin := os.Getenv("ETCD")
	if etcdBin == "" {
		etcdBin = "etcd"
	}
	etcdPath, err := exec.LookPath(etcdBin)
	if err != nil {
		return fmt.Errorf("etcd not found (%v); install it with: apt-get install etcd-server", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if shared.dir, err = os.MkdirTemp("", "novagen-apiserver-"); err != nil {
		return err
	}
	start := time.Now()
	if shared.cluster, err = kubeapi.Start(ctx, shared.dir, etcdPath, apiserverBin); err != nil {
		return err
	}
	fmt.Printf("kube-apiserver ready in %s (logs in %s)\n", time.Since(start).Round(100*time.Millisecond), shared.dir)
	if shared.harness, err = newHarness(shared.cluster.Config); err != nil {
		return err
	}
	files, err := kubeapi.YAMLFiles(crdDir)
	if err != nil {
		return err
	}
	n, err := shared.harness.InstallCRDs(ctx, files)
	if err != nil {
		return err
	}
	fmt.Printf("installed %d CRDs from %s\n", n, crdDir)
	return nil
}
