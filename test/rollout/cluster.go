package rollout

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
	"github.com/novagen/novagen/test/proc"
)

// stages are kwok's Stages: nodes that turn Ready and keep a lease,
// pods played through their phases (held at the init containers and at a
// Job's exit until the Kubelet stand-in decides), volumes bound on a
// default StorageClass without a provisioner.
//
//go:embed stages.yaml
var stages []byte

// storageClass is the one kwok's volume stages bind: the cluster's
// default, as the catalog's claims name none.
const storageClass = "kwok-volume"

// Binaries are the programs of a simulated cluster.
type Binaries struct {
	Etcd, APIServer, ControllerManager, Scheduler, Kwok string
}

// Node is a kwok node: a name, its zone and what it can hold.
type Node struct {
	Name, Zone  string
	CPU, Memory string // quantities
}

// Cluster is a simulated cluster: a real etcd, kube-apiserver (Pod
// Security admission and all), kube-controller-manager and
// kube-scheduler, and kwok, which plays the nodes, the pods' phases and
// the volumes; no container runs.
type Cluster struct {
	*kubeapi.Cluster
	Kubeconfig string
	Client     kubernetes.Interface
	Dynamic    dynamic.Interface
	Kube       *kubeapi.Client
}

// StartCluster starts a cluster in dir with nodes, installs the CRDs of
// crdFiles and returns once every node is Ready.
func StartCluster(ctx context.Context, dir string, bin Binaries, nodes []Node, crdFiles []string) (c *Cluster, err error) {
	return StartClusterWith(ctx, dir, bin, nodes, crdFiles, ClusterOptions{})
}

// ClusterOptions are what a cluster may add to StartCluster's.
type ClusterOptions struct {
	// Logs makes kwok serve containers' logs through the kubelet API that
	// the API server's pods/log proxies to (over TLS, its certificate the
	// API server's --kubelet-certificate-authority), read from
	// CRI-format files: Logs.Report for containers named report (a
	// validation Job's report), Logs.Other for every other container.
	Logs *LogFiles
}

// LogFiles are the files kwok serves containers' logs from.
type LogFiles struct{ Report, Other string }

// StartClusterWith is StartCluster with opts.
func StartClusterWith(ctx context.Context, dir string, bin Binaries, nodes []Node, crdFiles []string, opts ClusterOptions) (c *Cluster, err error) {
	// Debian's etcd 3.4 does not serve the watch progress requests
	// WatchList relies on: without this, kwok misses events and pods stall.
	args := []string{"--feature-gates=WatchList=false"}
	var serving *kubeletServing
	if opts.Logs != nil {
		if serving, err = newKubeletServing(dir); err != nil {
			return nil, err
		}
		args = append(args, "--kubelet-certificate-authority="+serving.cert, "--kubelet-preferred-address-types=Hostname")
	}
	kc, err := kubeapi.Start(ctx, dir, bin.Etcd, bin.APIServer, args...)
	if err != nil {
		return nil, err
	}
	c = &Cluster{Cluster: kc, Kubeconfig: filepath.Join(dir, "kubeconfig")}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, c.Group.Logs())
			_ = c.Stop()
			c = nil
		}
	}()
	if err := c.Server.WriteKubeconfig(c.Kubeconfig); err != nil {
		return c, err
	}
	if c.Client, err = kubernetes.NewForConfig(c.Config); err != nil {
		return c, err
	}
	if c.Dynamic, err = dynamic.NewForConfig(c.Config); err != nil {
		return c, err
	}
	if c.Kube, err = kubeapi.NewClient(c.Config); err != nil {
		return c, err
	}
	if err := c.startControllers(bin, serving, opts.Logs); err != nil {
		return c, err
	}
	if _, err := c.Kube.InstallCRDs(ctx, crdFiles); err != nil {
		return c, err
	}
	if err := c.addStorageClass(ctx); err != nil {
		return c, err
	}
	if err := c.addNodes(ctx, nodes, opts.Logs != nil); err != nil {
		return c, err
	}
	return c, c.waitNodesReady(ctx, len(nodes))
}

// startControllers starts kube-controller-manager, kube-scheduler and
// kwok against the apiserver.
func (c *Cluster) startControllers(bin Binaries, serving *kubeletServing, logs *LogFiles) error {
	kc := "--kubeconfig=" + c.Kubeconfig
	port := func() string { p, _ := proc.FreePort(); return strconv.Itoa(p) }
	// Every controller but the two that need a cloud or a real kubelet:
	// node IPAM (kwok assigns pod IPs) and attach/detach (no volume is
	// attached). The node lifecycle controller stays: it lifts the
	// not-ready taint once kwok reports a node Ready.
	if _, err := c.Group.Start("kube-controller-manager", os.Environ(), bin.ControllerManager, kc,
		"--authentication-kubeconfig="+c.Kubeconfig, "--authorization-kubeconfig="+c.Kubeconfig,
		"--service-account-private-key-file="+c.Server.SAKeyFile, "--root-ca-file="+c.Server.CAFile,
		"--controllers=*,-node-ipam-controller,-persistentvolume-attach-detach-controller",
		"--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port="+port(),
		"--use-service-account-credentials=false"); err != nil {
		return err
	}
	if _, err := c.Group.Start("kube-scheduler", os.Environ(), bin.Scheduler, kc,
		"--authentication-kubeconfig="+c.Kubeconfig, "--authorization-kubeconfig="+c.Kubeconfig,
		"--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port="+port()); err != nil {
		return err
	}
	config := filepath.Join(c.Group.Dir, "kwok-stages.yaml")
	conf, server := stages, []string{"--server-address=127.0.0.1:" + port()}
	if logs != nil {
		// Every node's kubelet is kwok's server: the API server finds it
		// at the node's Hostname (localhost) and kubelet port.
		p := port()
		conf = append(slices.Clone(stages), clusterLogs(logs)...)
		server = []string{"--node-port=" + p, "--server-address=127.0.0.1:" + p,
			"--tls-cert-file=" + serving.cert, "--tls-private-key-file=" + serving.key}
	}
	if err := os.WriteFile(config, conf, 0o600); err != nil {
		return err
	}
	_, err := c.Group.Start("kwok", os.Environ(), bin.Kwok, append([]string{kc,
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--config=" + config, "--cidr=10.244.0.0/16", "--node-lease-duration-seconds=40"}, server...)...)
	return err
}

// clusterLogs is kwok's configuration of which file serves which
// container's log.
func clusterLogs(f *LogFiles) []byte {
	return fmt.Appendf(nil, `
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata: {name: logs}
spec:
  logs:
  - {containers: [report], logsFile: %q}
  - {logsFile: %q}
`, f.Report, f.Other)
}

// kubeletServing is kwok's serving certificate as a kubelet's: for
// localhost, self-signed, so that it is its own authority.
type kubeletServing struct{ cert, key string }

func newKubeletServing(dir string) (*kubeletServing, error) {
	crt, key, err := signSelf(&x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kwok-kubelet"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IsCA:         true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	s := &kubeletServing{cert: filepath.Join(dir, "kubelet-serving.crt"), key: filepath.Join(dir, "kubelet-serving.key")}
	if err := os.WriteFile(s.cert, crt, 0o600); err != nil {
		return nil, err
	}
	return s, os.WriteFile(s.key, key, 0o600)
}

func (c *Cluster) addStorageClass(ctx context.Context) error {
	sc := &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: storageClass, Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner:       "kwok.x-k8s.io/volume",
		ReclaimPolicy:     ptr(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode: ptr(storagev1.VolumeBindingImmediate),
	}
	_, err := c.Client.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{})
	return err
}

// addNodes creates the nodes; with kubelet, each names kwok's server as
// its kubelet (Hostname localhost: the API server's preferred address).
func (c *Cluster) addNodes(ctx context.Context, nodes []Node, kubelet bool) error {
	for i, n := range nodes {
		capacity := corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}
		for name, q := range map[corev1.ResourceName]string{corev1.ResourceCPU: n.CPU, corev1.ResourceMemory: n.Memory} {
			v, err := resource.ParseQuantity(q)
			if err != nil {
				return fmt.Errorf("node %s: %s %q: %w", n.Name, name, q, err)
			}
			capacity[name] = v
		}
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        n.Name,
				Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
				Labels: map[string]string{corev1.LabelHostname: n.Name, corev1.LabelTopologyZone: n.Zone,
					corev1.LabelOSStable: "linux", corev1.LabelArchStable: "amd64", "type": "kwok"},
			},
			Status: corev1.NodeStatus{
				Capacity:    capacity,
				Allocatable: capacity,
				Addresses:   []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.1.0.%d", i+1)}},
			},
		}
		if kubelet {
			node.Status.Addresses = append(node.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeHostName, Address: "localhost"})
		}
		if _, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) waitNodesReady(ctx context.Context, n int) error {
	return c.Poll(ctx, time.Minute, func() (bool, string, error) {
		nodes, err := c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		ready := 0
		for _, node := range nodes.Items {
			untainted := len(node.Spec.Taints) == 0
			for _, cond := range node.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue && untainted {
					ready++
				}
			}
		}
		return ready == n, fmt.Sprintf("%d of %d nodes Ready and untainted", ready, n), nil
	})
}

// Poll calls check every 250 ms until it is done, fails, a process of
// the cluster exits, or timeout passes; the timeout's error says what
// check last said.
func (c *Cluster) Poll(ctx context.Context, timeout time.Duration, check func() (done bool, status string, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	status := ""
	for {
		done, s, err := check()
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		if done {
			return nil
		}
		if s != "" {
			status = s
		}
		if err := c.Group.Exited(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("not done after %s: %s", timeout, status), ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
