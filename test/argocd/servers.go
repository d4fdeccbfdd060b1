package argocd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/novagen/novagen/test/proc"
)

// readyTimeout bounds each server's start.
const readyTimeout = time.Minute

// servers is a local Argo CD manifest pipeline: redis-server (the repo
// servers' cache), argocd-cmp-server with the novagen plugin.yaml, and two
// argocd-repo-servers: one finds the plugin's socket in the shared
// directory, as in the repo-server pod with the sidecar, the other has no
// plugin, as in the no-sidecar setup.
type servers struct {
	withPlugin, native string // the repo servers' addresses
	procs              []*proc.Process
}

// startServers starts them, with their logs and state in dir. argocdDir holds the argocd-cmp-server
// and argocd-repo-server links to argo-cd's multi-call binary; path is the
// PATH both see (novagen and kustomize on it, as in the sidecar image).
func startServers(dir, argocdDir, pluginYAML, path string) (*servers, error) {
	s := &servers{}
	ok := false
	defer func() {
		if !ok {
			_ = s.stop()
		}
	}()
	sockets := filepath.Join(dir, "plugins")
	config := filepath.Join(dir, "cmp-config")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{sockets, config, tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	plugin, err := os.ReadFile(pluginYAML)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(config, "plugin.yaml"), plugin, 0o600); err != nil {
		return nil, err
	}
	envWith := func(sockets string) []string {
		return []string{
			"PATH=" + path,
			"HOME=" + dir,
			"TMPDIR=" + tmp,
			"ARGOCD_PLUGINSOCKFILEPATH=" + sockets,
			"ARGOCD_GPG_ENABLED=false",
		}
	}
	env := envWith(sockets)

	redisPort, err := proc.FreePort()
	if err != nil {
		return nil, err
	}
	redisAddr := "127.0.0.1:" + strconv.Itoa(redisPort)
	redis, err := s.start("redis-server", dir, env, "redis-server",
		"--bind", "127.0.0.1", "--port", strconv.Itoa(redisPort), "--save", "", "--appendonly", "no", "--dir", dir)
	if err != nil {
		return nil, err
	}
	if err := redis.WaitFor(context.Background(), readyTimeout, proc.Dialable("tcp", redisAddr)); err != nil {
		return nil, err
	}

	cmp, err := s.start("argocd-cmp-server", dir, env, filepath.Join(argocdDir, "argocd-cmp-server"),
		"--config-dir-path", config, "--loglevel", "info")
	if err != nil {
		return nil, err
	}
	// No spec.version in plugin.yaml: the socket is <name>.sock.
	if err := cmp.WaitFor(context.Background(), readyTimeout, proc.Dialable("unix", filepath.Join(sockets, "novagen.sock"))); err != nil {
		return nil, err
	}

	// The same repo server twice: one sees the plugin's socket, as in the
	// sidecar setup; the other sees an empty directory, as without one.
	if s.withPlugin, err = s.startRepoServer("argocd-repo-server", dir, env, argocdDir, redisAddr); err != nil {
		return nil, err
	}
	noPlugins := filepath.Join(dir, "no-plugins")
	if err := os.MkdirAll(noPlugins, 0o700); err != nil {
		return nil, err
	}
	if s.native, err = s.startRepoServer("argocd-repo-server-native", dir, envWith(noPlugins), argocdDir, redisAddr); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// startRepoServer starts argocd-repo-server on a free loopback port and
// returns its address once it accepts connections.
func (s *servers) startRepoServer(name, dir string, env []string, argocdDir, redisAddr string) (string, error) {
	port, err := proc.FreePort()
	if err != nil {
		return "", err
	}
	metricsPort, err := proc.FreePort()
	if err != nil {
		return "", err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := s.start(name, dir, env, filepath.Join(argocdDir, "argocd-repo-server"),
		"--disable-tls", "--redis", redisAddr,
		"--address", "127.0.0.1", "--port", strconv.Itoa(port),
		"--metrics-address", "127.0.0.1", "--metrics-port", strconv.Itoa(metricsPort))
	if err != nil {
		return "", err
	}
	return addr, p.WaitFor(context.Background(), readyTimeout, proc.Dialable("tcp", addr))
}

func (s *servers) start(name, dir string, env []string, bin string, args ...string) (*proc.Process, error) {
	p, err := proc.Start(name, filepath.Join(dir, name+".log"), env, bin, args...)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	return p, nil
}

// stop ends the servers, last started first, and reports any whose
// process group outlived it.
func (s *servers) stop() error {
	var errs []error
	for i := len(s.procs) - 1; i >= 0; i-- {
		if err := s.procs[i].Stop(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// logs tails every server's log, for a failure.
func (s *servers) logs() string {
	var b strings.Builder
	for _, p := range s.procs {
		b.WriteString(p.Tail(40))
	}
	return b.String()
}
