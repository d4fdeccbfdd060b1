// Package promoperator holds typed structs for the Prometheus Operator's
// ServiceMonitor, PodMonitor and PrometheusRule (monitoring.coreos.com/v1): only the
// fields novagen sets, with the JSON names of the v1 CRDs.
package promoperator

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// APIVersion and kinds of the objects.
const (
	APIVersion         = "monitoring.coreos.com/v1"
	KindServiceMonitor = "ServiceMonitor"
	KindPodMonitor     = "PodMonitor"
	KindPrometheusRule = "PrometheusRule"
)

// ServiceMonitor makes Prometheus scrape the endpoints of the Services
// its selector matches.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ServiceMonitorSpec `json:"spec"`
}

// ServiceMonitorSpec is spec of a ServiceMonitor.
type ServiceMonitorSpec struct {
	Selector          metav1.LabelSelector `json:"selector"`
	NamespaceSelector *NamespaceSelector   `json:"namespaceSelector,omitempty"`
	Endpoints         []Endpoint           `json:"endpoints"`
}

// PodMonitor makes Prometheus scrape every pod its selector matches,
// each a target of its own.
type PodMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              PodMonitorSpec `json:"spec"`
}

// PodMonitorSpec is spec of a PodMonitor. A pod metrics endpoint has the
// fields of a ServiceMonitor's Endpoint that novagen sets, under the
// same names, with port naming a container port.
type PodMonitorSpec struct {
	Selector            metav1.LabelSelector `json:"selector"`
	PodMetricsEndpoints []Endpoint           `json:"podMetricsEndpoints"`
}

// NamespaceSelector lists the namespaces whose Services are selected.
type NamespaceSelector struct {
	MatchNames []string `json:"matchNames,omitempty"`
}

// Endpoint is one scraped port, by the Service port's name.
type Endpoint struct {
	Port     string `json:"port"`
	Path     string `json:"path,omitempty"`
	Interval string `json:"interval,omitempty"` // a Prometheus duration
	// Params are the scrape's URL query parameters (a multi-target
	// exporter's target).
	Params      map[string][]string `json:"params,omitempty"`
	Relabelings []RelabelConfig     `json:"relabelings,omitempty"`
}

// RelabelConfig rewrites a target's labels before the scrape.
type RelabelConfig struct {
	SourceLabels []string `json:"sourceLabels,omitempty"`
	TargetLabel  string   `json:"targetLabel,omitempty"`
	Replacement  *string  `json:"replacement,omitempty"`
	Action       string   `json:"action,omitempty"`
}

// PrometheusRule holds alerting rules Prometheus loads.
type PrometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              PrometheusRuleSpec `json:"spec"`
}

// PrometheusRuleSpec is spec of a PrometheusRule.
type PrometheusRuleSpec struct {
	Groups []RuleGroup `json:"groups"`
}

// RuleGroup is a named group of rules, evaluated together.
type RuleGroup struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is an alerting rule: Expr (PromQL) true for For fires Alert.
type Rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"` // a Prometheus duration
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}
