package rollout

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
)

// The annotations kwok's stages (stages.yaml) wait for before they move a
// pod on: kwok plays a pod's phases but runs nothing, so what running the
// pod's containers would decide comes from here.
const (
	// AnnotationInit: "done" once the pod's init containers have finished.
	AnnotationInit = "sim.novagen.dev/init"
	// AnnotationExit: a Job pod's exit code, "0" or "1".
	AnnotationExit = "sim.novagen.dev/exit"
)

// The variables of a wait-for init container (generators/scripts/wait.go).
const (
	envWaitHost     = "WAIT_HOST"
	envWaitPort     = "WAIT_PORT"
	envWaitRetries  = "WAIT_RETRIES"
	envWaitInterval = "WAIT_INTERVAL_SECONDS"
)

// Kubelet stands in for the part of a kubelet that kwok leaves out:
// running a pod's init containers and its Job containers to an outcome.
//
// A wait-for init container (one with WAIT_HOST and WAIT_PORT) finishes
// once the Service its host names, followed through ExternalName
// Services, has a ready endpoint on the port's target: what `nc -z`
// against the Service's address would find. Its script gives up after
// WAIT_RETRIES × WAIT_INTERVAL_SECONDS; a Deployment's pod then stays in
// Init (the kubelet restarts the container, which waits again), a Job's
// pod fails. Every other init container succeeds at once. NetworkPolicies
// are not enforced (nothing here is a CNI): `novagen check` proves them.
//
// A Job pod's main containers exit 0, unless Fail says otherwise.
type Kubelet struct {
	Client kubernetes.Interface
	// Fail reports whether the containers of a Job's pod fail (fault
	// injection); nil: none does.
	Fail func(job string, pod *corev1.Pod) bool

	pods      corelisters.PodLister
	services  corelisters.ServiceLister
	endpoints discoverylisters.EndpointSliceLister
}

// Run plays init containers until ctx ends.
func (k *Kubelet) Run(ctx context.Context) error {
	f := informers.NewSharedInformerFactory(k.Client, 0)
	k.pods = f.Core().V1().Pods().Lister()
	k.services = f.Core().V1().Services().Lister()
	k.endpoints = f.Discovery().V1().EndpointSlices().Lister()
	f.Start(ctx.Done())
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("kubelet: %v cache did not sync", typ)
		}
	}
	return every(ctx, 200*time.Millisecond, func() error {
		pods, err := k.pods.List(labels.Everything())
		if err != nil {
			return err
		}
		for _, pod := range pods {
			if pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil || pod.Annotations[AnnotationInit] != "" {
				continue
			}
			k.play(ctx, pod)
		}
		return nil
	})
}

// every calls pass every interval until ctx ends or pass fails: the
// stand-ins' control loop (a failed call is retried on the next pass,
// as a controller's requeue would; pass returns only what is fatal).
func every(ctx context.Context, interval time.Duration, pass func() error) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := pass(); err != nil && ctx.Err() == nil {
			return err
		}
	}
}

// play decides what pod's init containers (and, for a Job's pod, its
// containers) come to, once they come to something.
func (k *Kubelet) play(ctx context.Context, pod *corev1.Pod) {
	job := jobOf(pod)
	age := time.Since(pod.CreationTimestamp.Time)
	exit := ""
	for _, c := range pod.Spec.InitContainers {
		w, ok := waitOf(c)
		if !ok || k.reachable(pod.Namespace, w.host, w.port) {
			continue
		}
		if job == "" || age < w.budget {
			return // still waiting
		}
		exit = "1" // the wait gave up: a Job's pod fails
	}
	ann := map[string]string{AnnotationInit: "done"}
	if job != "" {
		if exit == "" {
			exit = "0"
			if k.Fail != nil && k.Fail(job, pod) {
				exit = "1"
			}
		}
		ann[AnnotationExit] = exit
	}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":%s}}`, jsonObject(ann))
	// A pod gone or changed meanwhile is played again on the next tick.
	_, _ = k.Client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
}

// jobOf is the name of the Job that owns pod, or "".
func jobOf(pod *corev1.Pod) string {
	for _, o := range pod.OwnerReferences {
		if o.Kind == "Job" && strings.HasPrefix(o.APIVersion, batchv1.GroupName+"/") {
			return o.Name
		}
	}
	return ""
}

// wait is what a wait-for init container waits for.
type wait struct {
	host   string
	port   int32
	budget time.Duration // retries × interval: when its script gives up
}

// waitOf reads a wait-for init container's variables (plain values, as
// the generators write them).
func waitOf(c corev1.Container) (wait, bool) {
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	port, err := strconv.ParseInt(env[envWaitPort], 10, 32)
	if env[envWaitHost] == "" || err != nil {
		return wait{}, false
	}
	retries, _ := strconv.Atoi(env[envWaitRetries])
	interval, _ := strconv.Atoi(env[envWaitInterval])
	return wait{host: env[envWaitHost], port: int32(port), budget: time.Duration(retries*interval) * time.Second}, true
}

// reachable: host (a Service's DNS name, relative to namespace ns)
// has a ready endpoint behind port, following ExternalName Services.
func (k *Kubelet) reachable(ns, host string, port int32) bool {
	for range 8 { // ExternalName chains end; a loop must not hang the test
		name, svcNS, ok := serviceOf(ns, host)
		if !ok {
			return false
		}
		svc, err := k.services.Services(svcNS).Get(name)
		if err != nil {
			return false
		}
		if svc.Spec.Type == corev1.ServiceTypeExternalName {
			ns, host = svcNS, svc.Spec.ExternalName
			continue
		}
		return k.ready(svc, port)
	}
	return false
}

// ready: one of svc's EndpointSlices has a ready endpoint and the port
// svc's port number maps to.
func (k *Kubelet) ready(svc *corev1.Service, port int32) bool {
	portName, found := "", false
	for _, p := range svc.Spec.Ports {
		if p.Port == port {
			portName, found = p.Name, true
		}
	}
	if !found {
		return false
	}
	slices, err := k.endpoints.EndpointSlices(svc.Namespace).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc.Name}))
	if err != nil {
		return false
	}
	for _, s := range slices {
		hasPort := false
		for _, p := range s.Ports {
			if p.Name != nil && *p.Name == portName {
				hasPort = true
			}
		}
		if !hasPort {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Conditions.Ready != nil && *e.Conditions.Ready {
				return true
			}
		}
	}
	return false
}

// serviceOf parses a Service's DNS name: NAME, NAME.NS, NAME.NS.svc or
// NAME.NS.svc.cluster.local, relative to namespace ns.
func serviceOf(ns, host string) (name, namespace string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	switch {
	case len(parts) == 1:
		return parts[0], ns, true
	case len(parts) == 2, len(parts) == 3 && parts[2] == "svc",
		len(parts) == 5 && parts[2] == "svc" && parts[3] == "cluster" && parts[4] == "local":
		return parts[0], parts[1], true
	}
	return "", "", false
}
