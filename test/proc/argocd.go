package proc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// argocdReadyTimeout bounds each Argo CD server's start.
const argocdReadyTimeout = time.Minute

// ArgoCD is what the Argo CD servers of a harness share: the directory
// of argo-cd's multi-call binary (argocd, and links named for each role:
// the binary picks its role from argv[0]), the PATH they see (novagen
// and kustomize on it, as in the plugin sidecar's image) and a home and
// temporary directory under the group's.
type ArgoCD struct {
	BinDir string
	Path   string
}

// Env is the environment of an Argo CD server whose plugin sockets are
// in sockets (empty: none).
func (a ArgoCD) Env(g *Group, sockets string) []string {
	tmp := filepath.Join(g.Dir, "tmp")
	_ = os.MkdirAll(tmp, 0o700)
	env := []string{"PATH=" + a.Path, "HOME=" + g.Dir, "TMPDIR=" + tmp, "ARGOCD_GPG_ENABLED=false"}
	if sockets != "" {
		env = append(env, "ARGOCD_PLUGINSOCKFILEPATH="+sockets)
	}
	return env
}

// StartRedis starts redis-server, Argo CD's cache, without persistence,
// and returns its address.
func StartRedis(ctx context.Context, g *Group) (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := g.Start("redis-server", os.Environ(), "redis-server",
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", g.Dir)
	if err != nil {
		return "", err
	}
	return addr, p.WaitFor(ctx, argocdReadyTimeout, Dialable("tcp", addr))
}

// StartCMPServer starts argocd-cmp-server with pluginYAML as its only
// plugin, its socket in sockets, and returns once the socket accepts
// connections (no spec.version in plugin.yaml: the socket is NAME.sock).
func (a ArgoCD) StartCMPServer(ctx context.Context, g *Group, pluginYAML, name, sockets string) error {
	config := filepath.Join(g.Dir, "cmp-config")
	for _, d := range []string{sockets, config} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	plugin, err := os.ReadFile(pluginYAML)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(config, "plugin.yaml"), plugin, 0o600); err != nil {
		return err
	}
	p, err := g.Start("argocd-cmp-server", a.Env(g, sockets), filepath.Join(a.BinDir, "argocd-cmp-server"),
		"--config-dir-path", config, "--loglevel", "info")
	if err != nil {
		return err
	}
	return p.WaitFor(ctx, argocdReadyTimeout, Dialable("unix", filepath.Join(sockets, name+".sock")))
}

// StartRepoServer starts argocd-repo-server (named name in the group) on
// a free loopback port, without TLS, finding plugins in sockets (empty:
// none), and returns its address once it accepts connections.
func (a ArgoCD) StartRepoServer(ctx context.Context, g *Group, name, sockets, redisAddr string) (string, error) {
	if sockets == "" {
		// A directory without sockets: the no-sidecar setup.
		sockets = filepath.Join(g.Dir, "no-plugins")
		if err := os.MkdirAll(sockets, 0o700); err != nil {
			return "", err
		}
	}
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	metricsPort, err := FreePort()
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := g.Start(name, a.Env(g, sockets), filepath.Join(a.BinDir, "argocd-repo-server"),
		"--disable-tls", "--redis", redisAddr,
		"--address", "127.0.0.1", "--port", strconv.Itoa(port),
		"--metrics-address", "127.0.0.1", "--metrics-port", strconv.Itoa(metricsPort))
	if err != nil {
		return "", err
	}
	return addr, p.WaitFor(ctx, argocdReadyTimeout, Dialable("tcp", addr))
}

// StartApplicationController starts argocd-application-controller
// outside a cluster (ARGOCD_FAKE_IN_CLUSTER: the cluster "in-cluster"
// is the one kubeconfig names), watching Applications in namespace, with
// extraEnv (ARGOCD_SYNC_WAVE_DELAY...) and extraArgs.
func (a ArgoCD) StartApplicationController(g *Group, kubeconfig, namespace, redisAddr, repoServer string, extraEnv []string, extraArgs ...string) error {
	metricsPort, err := FreePort()
	if err != nil {
		return err
	}
	env := append(a.Env(g, ""), "KUBECONFIG="+kubeconfig, "ARGOCD_FAKE_IN_CLUSTER=true")
	args := append([]string{
		"--namespace", namespace, "--redis", redisAddr,
		"--repo-server", repoServer, "--repo-server-plaintext",
		"--metrics-port", strconv.Itoa(metricsPort), "--loglevel", "info",
	}, extraArgs...)
	_, err = g.Start("argocd-application-controller", append(env, extraEnv...), filepath.Join(a.BinDir, "argocd-application-controller"), args...)
	return err
}
