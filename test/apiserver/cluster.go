package apiserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/novagen/novagen/test/proc"
	"k8s.io/client-go/rest"
)

const (
	etcdReadyTimeout      = 30 * time.Second
	apiserverReadyTimeout = 120 * time.Second
	stopGrace             = 15 * time.Second
	logTailLines          = 40
)

// cluster is one etcd plus one kube-apiserver, both on loopback, with all
// state (data, certs, keys, logs) under dir.
type cluster struct {
	dir       string
	etcd      *proc.Process
	apiserver *proc.Process
	config    *rest.Config // admin (system:masters) client config
}

// startCluster starts etcd and kube-apiserver and waits until /readyz passes.
// On error everything already started is stopped and the error carries the
// tail of the process logs.
func startCluster(ctx context.Context, dir, etcdBin, apiserverBin string) (c *cluster, err error) {
	c = &cluster{dir: dir}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, c.logTails())
			_ = c.stop()
			c = nil
		}
	}()

	etcdURL, err := c.startEtcd(ctx, etcdBin)
	if err != nil {
		return c, err
	}
	return c, c.startAPIServer(ctx, apiserverBin, etcdURL)
}

func (c *cluster) startEtcd(ctx context.Context, bin string) (string, error) {
	clientPort, err := proc.FreePort()
	if err != nil {
		return "", err
	}
	peerPort, err := proc.FreePort()
	if err != nil {
		return "", err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	c.etcd, err = proc.Start("etcd", filepath.Join(c.dir, "etcd.log"), etcdEnv(), bin,
		"--name=novagen",
		"--data-dir="+filepath.Join(c.dir, "etcd-data"),
		"--listen-client-urls="+clientURL,
		"--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=novagen="+peerURL,
		// Throwaway data: skip fsync-heavy snapshots and keep it small.
		"--snapshot-count=100000",
		"--quota-backend-bytes="+strconv.Itoa(1<<30),
	)
	if err != nil {
		return "", err
	}
	// etcd 3.4 answers /health with {"health":"true"} once it has a leader.
	err = c.etcd.WaitFor(ctx, etcdReadyTimeout, func() error {
		return httpHealth(http.DefaultClient, clientURL+"/health", `"health":"true"`)
	})
	return clientURL, err
}

// etcdEnv is the environment for etcd. etcd 3.4 reads every ETCD_* variable
// as a flag and warns about unknown ones, so those are dropped. It refuses to
// start on architectures other than amd64/ppc64le unless
// ETCD_UNSUPPORTED_ARCH names the current one (arm64 in 3.4).
func etcdEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ETCD_") {
			continue
		}
		env = append(env, kv)
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "ppc64le" {
		env = append(env, "ETCD_UNSUPPORTED_ARCH="+runtime.GOARCH)
	}
	return env
}

func (c *cluster) startAPIServer(ctx context.Context, bin, etcdURL string) error {
	port, err := proc.FreePort()
	if err != nil {
		return err
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	tokenFile := filepath.Join(c.dir, "tokens.csv")
	// Format: token,user,uid,"group1,group2".
	if err := os.WriteFile(tokenFile, []byte(token+",novagen-admin,novagen-admin,system:masters\n"), 0o600); err != nil {
		return err
	}
	saKey := filepath.Join(c.dir, "sa.key")
	if err := writeRSAKey(saKey); err != nil {
		return err
	}
	certDir := filepath.Join(c.dir, "certs")

	c.apiserver, err = proc.Start("kube-apiserver", filepath.Join(c.dir, "kube-apiserver.log"), os.Environ(), bin,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(port),
		// Without it the apiserver derives its address from the default
		// route, which a machine without network does not have.
		"--advertise-address=127.0.0.1",
		// The "kubernetes" Service endpoints would point at a loopback
		// address, which the endpoint validation rejects (logged on every
		// reconcile); there is nothing to reach it from anyway.
		"--endpoint-reconciler-type=none",
		"--cert-dir="+certDir, // self-signed serving cert is generated here
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+saKey, // public half is derived
		"--service-account-signing-key-file="+saKey,
		"--token-auth-file="+tokenFile,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--profiling=false",
	)
	if err != nil {
		return err
	}

	host := "https://127.0.0.1:" + strconv.Itoa(port)
	return c.apiserver.WaitFor(ctx, apiserverReadyTimeout, func() error {
		// The serving certificate (with its self-signed CA appended) is
		// written at startup; trust exactly that instead of skipping TLS
		// verification.
		ca, err := os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
		if err != nil {
			return fmt.Errorf("serving certificate not written yet: %w", err)
		}
		cfg := &rest.Config{
			Host:            host,
			BearerToken:     token,
			TLSClientConfig: rest.TLSClientConfig{CAData: ca},
			// Large CRDs and many dry-run applies: don't throttle client-side.
			QPS:   100,
			Burst: 200,
		}
		hc, err := rest.HTTPClientFor(cfg)
		if err != nil {
			return err
		}
		if err := httpHealth(hc, host+"/readyz", "ok"); err != nil {
			return err
		}
		c.config = cfg
		return nil
	})
}

// stop stops kube-apiserver before etcd (so it does not log etcd errors on
// the way down) and reports left-over processes.
func (c *cluster) stop() error {
	var errs []error
	for _, p := range []*proc.Process{c.apiserver, c.etcd} {
		if p != nil {
			errs = append(errs, p.Stop(stopGrace))
		}
	}
	return errors.Join(errs...)
}

func (c *cluster) logTails() string {
	var b strings.Builder
	for _, p := range []*proc.Process{c.etcd, c.apiserver} {
		if p != nil {
			b.WriteString(p.Tail(logTailLines))
		}
	}
	return b.String()
}

func httpHealth(hc *http.Client, url, want string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// writeRSAKey writes a fresh RSA key for signing service account tokens.
func writeRSAKey(path string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}
