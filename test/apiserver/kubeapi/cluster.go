package kubeapi

import (
	"context"
	"fmt"
	"os"
	"time"

	"k8s.io/client-go/rest"

	"github.com/novagen/novagen/test/proc"
)

// stopGrace is how long a process may take to exit on SIGTERM.
const stopGrace = 15 * time.Second

// Cluster is etcd plus kube-apiserver on loopback, all their state
// (data, certificates, keys, logs) under Group.Dir, and any controllers a
// harness adds to Group; Stop ends them, the last started first.
type Cluster struct {
	Group  *proc.Group
	Server *proc.APIServer
	Config *rest.Config // the administrator (system:masters)
}

// Start starts etcd and kube-apiserver (with extraArgs) in dir and waits
// until /readyz passes. On error everything started is stopped and the
// error carries the tail of their logs.
func Start(ctx context.Context, dir, etcdBin, apiserverBin string, extraArgs ...string) (c *Cluster, err error) {
	c = &Cluster{Group: &proc.Group{Dir: dir}}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, c.Group.Logs())
			_ = c.Stop()
			c = nil
		}
	}()
	etcdURL, err := proc.StartEtcd(ctx, c.Group, etcdBin)
	if err != nil {
		return c, err
	}
	if c.Server, err = proc.StartAPIServer(ctx, c.Group, apiserverBin, etcdURL, extraArgs...); err != nil {
		return c, err
	}
	ca, err := os.ReadFile(c.Server.CAFile)
	if err != nil {
		return c, err
	}
	c.Config = &rest.Config{
		Host:            c.Server.URL,
		BearerToken:     c.Server.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		// Large CRDs and many applies: don't throttle client-side.
		QPS:   200,
		Burst: 400,
	}
	return c, nil
}

// Stop ends every process of the cluster, the last started first, and
// reports any left over.
func (c *Cluster) Stop() error { return c.Group.Stop(stopGrace) }
