package argocd

import (
	"context"
	"path/filepath"
	"time"

	"github.com/novagen/novagen/test/proc"
)

// servers is a local Argo CD manifest pipeline: redis-server (the repo
// servers' cache), argocd-cmp-server with the novagen plugin.yaml, and two
// argocd-repo-servers: one finds the plugin's socket in the shared
// directory, as in the repo-server pod with the sidecar, the other has no
// plugin, as in the no-sidecar setup.
type servers struct {
	withPlugin, native string // the repo servers' addresses
	group              *proc.Group
}

// startServers starts them, with their logs and state in dir. argocdDir holds the argocd-cmp-server
// and argocd-repo-server links to argo-cd's multi-call binary; path is the
// PATH both see (novagen and kustomize on it, as in the sidecar image).
func startServers(dir, argocdDir, pluginYAML, path string) (*servers, error) {
	ctx := context.Background()
	s := &servers{group: &proc.Group{Dir: dir}}
	ok := false
	defer func() {
		if !ok {
			_ = s.stop()
		}
	}()
	argo := proc.ArgoCD{BinDir: argocdDir, Path: path}
	redis, err := proc.StartRedis(ctx, s.group)
	if err != nil {
		return nil, err
	}
	sockets := filepath.Join(dir, "plugins")
	if err := argo.StartCMPServer(ctx, s.group, pluginYAML, pluginName, sockets); err != nil {
		return nil, err
	}
	// The same repo server twice: one sees the plugin's socket, as in the
	// sidecar setup; the other sees an empty directory, as without one.
	if s.withPlugin, err = argo.StartRepoServer(ctx, s.group, "argocd-repo-server", sockets, redis); err != nil {
		return nil, err
	}
	if s.native, err = argo.StartRepoServer(ctx, s.group, "argocd-repo-server-native", "", redis); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// stop ends the servers, last started first, and reports any whose
// process group outlived it.
func (s *servers) stop() error { return s.group.Stop(10 * time.Second) }

// logs tails every server's log, for a failure.
func (s *servers) logs() string { return s.group.Logs() }
