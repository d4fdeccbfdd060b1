package proc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

const (
	etcdReadyTimeout      = 30 * time.Second
	apiserverReadyTimeout = 120 * time.Second
)

// StartEtcd starts etcd in g on free loopback ports, its data in
// g.Dir/etcd-data, and returns its client URL once it has a leader.
func StartEtcd(ctx context.Context, g *Group, bin string) (string, error) {
	clientPort, err := FreePort()
	if err != nil {
		return "", err
	}
	peerPort, err := FreePort()
	if err != nil {
		return "", err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	p, err := g.Start("etcd", etcdEnv(), bin,
		"--name=novagen",
		"--data-dir="+filepath.Join(g.Dir, "etcd-data"),
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
	err = p.WaitFor(ctx, etcdReadyTimeout, func() error {
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

// APIServer is a running kube-apiserver and how to reach it as an
// administrator (a static token in group system:masters).
type APIServer struct {
	URL    string // https://127.0.0.1:PORT
	Token  string
	CAFile string // its self-signed serving certificate, the one to trust
	// SAKeyFile signs service account tokens; kube-controller-manager
	// needs it too.
	SAKeyFile string
}

// StartAPIServer starts kube-apiserver in g against etcdURL, its
// certificates, keys and token file in g.Dir, with RBAC and the default
// admission plugins, plus extraArgs; it returns once /readyz passes.
func StartAPIServer(ctx context.Context, g *Group, bin, etcdURL string, extraArgs ...string) (*APIServer, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	tokenFile := filepath.Join(g.Dir, "tokens.csv")
	// Format: token,user,uid,"group1,group2".
	if err := os.WriteFile(tokenFile, []byte(token+",novagen-admin,novagen-admin,system:masters\n"), 0o600); err != nil {
		return nil, err
	}
	saKey := filepath.Join(g.Dir, "sa.key")
	if err := writeRSAKey(saKey); err != nil {
		return nil, err
	}
	certDir := filepath.Join(g.Dir, "certs")
	args := append([]string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		// Without it the apiserver derives its address from the default
		// route, which a machine without network does not have.
		"--advertise-address=127.0.0.1",
		// The "kubernetes" Service endpoints would point at a loopback
		// address, which the endpoint validation rejects (logged on every
		// reconcile); there is nothing to reach it from anyway.
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + certDir, // self-signed serving cert is generated here
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + saKey, // public half is derived
		"--service-account-signing-key-file=" + saKey,
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--profiling=false",
	}, extraArgs...)
	p, err := g.Start("kube-apiserver", os.Environ(), bin, args...)
	if err != nil {
		return nil, err
	}
	s := &APIServer{URL: "https://127.0.0.1:" + strconv.Itoa(port), Token: token, CAFile: filepath.Join(certDir, "apiserver.crt"), SAKeyFile: saKey}
	return s, p.WaitFor(ctx, apiserverReadyTimeout, func() error {
		// The serving certificate (with its self-signed CA appended) is
		// written at startup; trust exactly that instead of skipping TLS
		// verification.
		ca, err := os.ReadFile(s.CAFile)
		if err != nil {
			return fmt.Errorf("serving certificate not written yet: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return fmt.Errorf("%s holds no certificate yet", s.CAFile)
		}
		hc := &http.Client{Transport: &bearer{token: token, rt: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
		return httpHealth(hc, s.URL+"/readyz", "ok")
	})
}

// WriteKubeconfig writes a kubeconfig for the administrator to path, for
// the controllers the harnesses run as processes.
func (s *APIServer) WriteKubeconfig(path string) error {
	conf := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: novagen
  cluster: {server: %q, certificate-authority: %q}
users:
- name: novagen-admin
  user: {token: %q}
contexts:
- name: novagen
  context: {cluster: novagen, user: novagen-admin}
current-context: novagen
`, s.URL, s.CAFile, s.Token)
	return os.WriteFile(path, []byte(conf), 0o600)
}

type bearer struct {
	token string
	rt    http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.rt.RoundTrip(r)
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
