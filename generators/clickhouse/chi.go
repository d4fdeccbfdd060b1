package clickhouse

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// APIVersion and Kind of the Altinity operator's installation.
const (
	APIVersion = "clickhouse.altinity.com/v1"
	Kind       = "ClickHouseInstallation"
)

// Installation is a ClickHouseInstallation: only the fields novagen sets,
// with the JSON names of the clickhouse.altinity.com/v1 CRD.
type Installation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              InstallationSpec `json:"spec"`
}

// InstallationSpec is spec of a ClickHouseInstallation.
type InstallationSpec struct {
	Defaults      Defaults      `json:"defaults"`
	Configuration Configuration `json:"configuration"`
	Templates     Templates     `json:"templates"`
}

// Defaults names the templates every host uses.
type Defaults struct {
	Templates DefaultTemplates `json:"templates"`
}

// DefaultTemplates refer to Templates by name.
type DefaultTemplates struct {
	HostTemplate            string `json:"hostTemplate,omitempty"`
	PodTemplate             string `json:"podTemplate,omitempty"`
	DataVolumeClaimTemplate string `json:"dataVolumeClaimTemplate,omitempty"`
	ServiceTemplate         string `json:"serviceTemplate,omitempty"`
}

// Configuration is the ClickHouse configuration the operator writes.
// Users is keyed user/setting (analytics_service/password), as the
// operator reads it; Settings likewise, section/setting (prometheus/port),
// which the operator writes into config.d as nested elements.
type Configuration struct {
	Users     map[string]any    `json:"users,omitempty"`
	Settings  map[string]string `json:"settings,omitempty"`
	Zookeeper *Zookeeper        `json:"zookeeper,omitempty"`
	Clusters  []Cluster         `json:"clusters"`
}

// Zookeeper is the coordination service of replicated tables.
type Zookeeper struct {
	Nodes []ZookeeperNode `json:"nodes"`
}

// ZookeeperNode is one address of it.
type ZookeeperNode struct {
	Host string `json:"host"`
	Port int32  `json:"port"`
}

// Cluster is one ClickHouse cluster of the installation.
type Cluster struct {
	Name   string `json:"name"`
	Layout Layout `json:"layout"`
}

// Layout sizes a cluster.
type Layout struct {
	ShardsCount   int `json:"shardsCount"`
	ReplicasCount int `json:"replicasCount"`
}

// Templates the defaults refer to.
type Templates struct {
	HostTemplates        []HostTemplate        `json:"hostTemplates,omitempty"`
	PodTemplates         []PodTemplate         `json:"podTemplates,omitempty"`
	VolumeClaimTemplates []VolumeClaimTemplate `json:"volumeClaimTemplates,omitempty"`
	ServiceTemplates     []ServiceTemplate     `json:"serviceTemplates,omitempty"`
}

// HostTemplate sets the ports ClickHouse listens on.
type HostTemplate struct {
	Name string   `json:"name"`
	Spec HostSpec `json:"spec"`
}

// HostSpec: tcp_port and http_port of every host.
type HostSpec struct {
	TCPPort  int32 `json:"tcpPort"`
	HTTPPort int32 `json:"httpPort"`
}

// PodTemplate is the pod of every host; the operator adds its config
// volumes and the data volume.
type PodTemplate struct {
	Name            string            `json:"name"`
	Metadata        *PodMetadata      `json:"metadata,omitempty"`
	PodDistribution []PodDistribution `json:"podDistribution,omitempty"`
	Spec            corev1.PodSpec    `json:"spec"`
}

// PodDistribution is a placement rule the operator turns into affinity.
type PodDistribution struct {
	Type  string `json:"type"`
	Scope string `json:"scope,omitempty"`
}

// PodMetadata labels the pods, so NetworkPolicies select them by the
// catalog's podLabels.
type PodMetadata struct {
	Labels map[string]string `json:"labels,omitempty"`
}

// VolumeClaimTemplate is a host's PersistentVolumeClaim.
type VolumeClaimTemplate struct {
	Name          string                           `json:"name"`
	ReclaimPolicy string                           `json:"reclaimPolicy,omitempty"`
	Spec          corev1.PersistentVolumeClaimSpec `json:"spec"`
}

// ServiceTemplate shapes a Service the operator creates; GenerateName is
// its name (a pattern that may use the operator's macros).
type ServiceTemplate struct {
	Name         string             `json:"name"`
	GenerateName string             `json:"generateName,omitempty"`
	Spec         corev1.ServiceSpec `json:"spec"`
}
