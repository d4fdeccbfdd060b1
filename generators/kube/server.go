package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog"
)

// ComponentServer is the component label of the data tier's objects.
const ComponentServer = "server"

// Server describes a data-tier StatefulSet (PostgreSQL, Redis): the
// shared skeleton, so every server gets the same stable identity, the
// same hardened pods and the same Services.
type Server struct {
	Name      string            // StatefulSet and client Service, the component's name
	Headless  string            // the governing headless Service
	PodLabels map[string]string // the component's pod labels: selectors and NetworkPolicies
	Replicas  int32
	UID       int64 // the image's own user: it owns the data volume
	Ports     []corev1.ServicePort
	Pod       corev1.PodSpec
	// Volume is the data volumeClaimTemplate's name, size and class.
	Volume, Storage, StorageClass string
	// MoreVolumes are further volumeClaimTemplates of the same size and
	// class (ZooKeeper's transaction log beside its snapshots).
	MoreVolumes []string
	// PublishNotReady makes the headless Service resolve pods before they
	// are ready, which peers need to form a cluster.
	PublishNotReady bool
	Parallel        bool // start all pods at once
	PodAnnotations  map[string]string
}

// ServerObjects returns the StatefulSet, its headless Service and the
// client Service of s, all in the catalog's namespace.
func ServerObjects(cat *catalog.Catalog, generator string, s Server) []Object {
	HardenAs(&s.Pod, s.UID)
	labels := Labels(cat, s.Name, ComponentServer)
	podLabels := map[string]string{}
	for k, v := range labels {
		podLabels[k] = v
	}
	for k, v := range s.PodLabels {
		podLabels[k] = v // the selector's labels win
	}
	var claims []corev1.PersistentVolumeClaim
	for _, name := range append([]string{s.Volume}, s.MoreVolumes...) {
		claim := corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(s.Storage)}},
			},
		}
		if s.StorageClass != "" {
			claim.Spec.StorageClassName = Ptr(s.StorageClass)
		}
		claims = append(claims, claim)
	}
	policy := appsv1.OrderedReadyPodManagement
	if s.Parallel {
		policy = appsv1.ParallelPodManagement
	}
	sts := &appsv1.StatefulSet{
		TypeMeta:   TypeMeta("apps/v1", "StatefulSet"),
		ObjectMeta: Meta(cat, generator, s.Name, ComponentServer),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            Ptr(s.Replicas),
			ServiceName:         s.Headless,
			PodManagementPolicy: policy,
			Selector:            &metav1.LabelSelector{MatchLabels: s.PodLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: s.PodAnnotations},
				Spec:       s.Pod,
			},
			VolumeClaimTemplates: claims,
		},
	}
	if len(claims) > 0 {
		// Said, not left to the default: deleting the StatefulSet (or the
		// Application that synced it) or scaling it down never deletes a
		// volume, and so never the data.
		sts.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
			WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
		}
	}
	headless := service(cat, generator, s.Headless, s.PodLabels, s.Ports)
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	headless.Spec.PublishNotReadyAddresses = s.PublishNotReady
	client := service(cat, generator, s.Name, s.PodLabels, s.Ports)
	client.Spec.Type = corev1.ServiceTypeClusterIP
	return []Object{sts, headless, client}
}

func service(cat *catalog.Catalog, generator, name string, selector map[string]string, ports []corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   TypeMeta("v1", "Service"),
		ObjectMeta: Meta(cat, generator, name, ComponentServer),
		Spec:       corev1.ServiceSpec{Selector: selector, Ports: ports},
	}
}

// ServicePort is a TCP port that targets the same container port.
func ServicePort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}
}

// EmptyDir is a volume that lives as long as the pod.
func EmptyDir(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
}

// ExecProbe runs command in the container every period seconds; failures
// in a row (of at most timeout seconds each) fail it.
func ExecProbe(command []string, period, timeout, failures int32) *corev1.Probe {
	return probe(corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: command}}, period, timeout, failures)
}

// TCPProbe is ExecProbe for a TCP connection to port: the server listens.
func TCPProbe(port int32, period, timeout, failures int32) *corev1.Probe {
	return probe(corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(port)}}, period, timeout, failures)
}

func probe(h corev1.ProbeHandler, period, timeout, failures int32) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: h, PeriodSeconds: period, TimeoutSeconds: timeout, FailureThreshold: failures}
}

// FieldEnv is an environment variable from the downward API (metadata.name,
// status.podIP, a label).
func FieldEnv(name, path string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: path},
	}}
}

// PodIndexPath is the downward-API path of a StatefulSet pod's ordinal:
// the label apps.kubernetes.io/pod-index (Kubernetes 1.28+, GA in 1.32).
const PodIndexPath = "metadata.labels['" + appsv1.PodIndexLabel + "']"

// SpreadServers spreads the pods of podLabels, the servers of a
// cluster, over nodes (pod anti-affinity on kubernetes.io/hostname:
// preferred, or required, and then there must be a schedulable node per
// pod) and over zones (a topology spread constraint that prefers, never
// requires: a cluster with fewer zones than pods still schedules them),
// so the loss of a node, or of a zone, takes as few of them as it can.
func SpreadServers(pod *corev1.PodSpec, required bool, podLabels map[string]string) {
	term := corev1.PodAffinityTerm{LabelSelector: Selector(podLabels), TopologyKey: corev1.LabelHostname}
	anti := &corev1.PodAntiAffinity{}
	if required {
		anti.RequiredDuringSchedulingIgnoredDuringExecution = []corev1.PodAffinityTerm{term}
	} else {
		anti.PreferredDuringSchedulingIgnoredDuringExecution = []corev1.WeightedPodAffinityTerm{{Weight: 100, PodAffinityTerm: term}}
	}
	pod.Affinity = &corev1.Affinity{PodAntiAffinity: anti}
	pod.TopologySpreadConstraints = TopologySpread(podLabels, nil, corev1.LabelTopologyZone)
}

// TopologySpread spreads the pods of podLabels evenly (maxSkew 1) over
// the domains of each topology key, as a preference (ScheduleAnyway:
// scheduling never fails on a cluster with fewer zones or nodes than
// pods). matchLabelKeys restricts the count to the pods that share those
// labels' values with the pod being scheduled (pod-template-hash: one
// revision of a Deployment, so a rolling update spreads its new pods too).
func TopologySpread(podLabels map[string]string, matchLabelKeys []string, keys ...string) []corev1.TopologySpreadConstraint {
	out := make([]corev1.TopologySpreadConstraint, len(keys))
	for i, k := range keys {
		out[i] = corev1.TopologySpreadConstraint{
			MaxSkew:           1,
			TopologyKey:       k,
			WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector:     Selector(podLabels),
			MatchLabelKeys:    matchLabelKeys,
		}
	}
	return out
}

// PodDisruptionBudget lets a voluntary disruption (a node drain) evict one
// pod of podLabels at a time: a cluster of servers keeps its quorum, a
// service with replicas keeps serving. Only for several pods: with one,
// it would block every drain.
func PodDisruptionBudget(cat *catalog.Catalog, generator, name, component string, podLabels map[string]string) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   TypeMeta("policy/v1", "PodDisruptionBudget"),
		ObjectMeta: Meta(cat, generator, name, component),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: Ptr(intstr.FromInt32(1)),
			Selector:       Selector(podLabels),
		},
	}
}
