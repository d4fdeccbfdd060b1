// Package monitoring generates the Prometheus Operator's objects when the
// catalog enables it (spec.monitoring.prometheusOperator):
//
//   - a ServiceMonitor per metrics target (schema.Catalog.MetricsTargets:
//     every service's metrics port), selecting the service's Service and
//     scraping its http-metrics port. The NetworkPolicies admit the
//     monitoring pods to the same targets, so the two cannot disagree;
//   - PrometheusRules <catalog>-alerts: per service, a group alerting when its
//     Deployment has fewer available replicas than it wants for
//     alerts.notReadyFor and when its containers restart alerts.restarts
//     times within alerts.restartWindow; and a group alerting when a Sync
//     Job (db-init, migrations, schema, topics, cluster-init, contracts)
//     has failed. One PrometheusRule holds the groups of at most
//     RulesPerObject services (schema.Groups: a partition's services in
//     its own, the Sync Job group in the infrastructure partition's); a
//     catalog that fits keeps the one <catalog>-alerts.
//
// The alerts read kube-state-metrics series, which the Prometheus of a
// kube-prometheus-stack install scrapes.
package monitoring

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/schema"
)

// Name is the generator's name in function configs and the registry.
const Name = "monitoring"

// Component of the generated objects.
const Component = "monitoring"

// Rule groups are "service:<name>" and "sync-jobs": a service name (a
// DNS label) never has a colon, so they never clash.

// Alert names: one per kind of trouble; the service label says where.
const (
	AlertNotReady   = "ServiceNotReady"
	AlertRestarting = "ServiceRestarting"
	AlertJobFailed  = "SyncJobFailed"
)

// MetricsPath is where the services serve their metrics.
const MetricsPath = "/metrics"

// jobHash matches what follows a Sync Job's base in its name: a group's
// suffix when the Job is one of several (naming.Grouped), then the hash
// kube.Job ends every Job's name with.
var jobHash = fmt.Sprintf("(-[0-9a-z-]+)?-[0-9a-f]{%d}", kube.JobHashLength)

// RulesPerObject is how many services' rule groups one PrometheusRule
// holds: about 700 bytes each (1 KiB with the longest names), so a full
// object stays under 100 KiB.
const RulesPerObject = 100

// syncJobsGroup is the rule group of the Sync Jobs, a member of the
// infrastructure partition's PrometheusRule.
const syncJobsGroup = "sync-jobs"

// Generate returns the ServiceMonitors, in target order, and the
// PrometheusRule; nothing unless the catalog enables the operator.
func Generate(cat *schema.Catalog) ([]kube.Object, error) {
	po := cat.Spec.Monitoring.PrometheusOperator
	if !po.Enabled {
		return nil, nil
	}
	var out []kube.Object
	for _, t := range cat.MetricsTargets() {
		if cat.Owns(t.Name) {
			out = append(out, serviceMonitor(cat, t))
		}
	}
	// The members are the services' names and "" for the Sync Jobs'
	// group (no service has an empty name), last as before.
	members := make([]string, 0, len(cat.Spec.Services)+1)
	for _, s := range cat.Spec.Services {
		members = append(members, s.Name)
	}
	members = append(members, "")
	partition := func(m string) string {
		if m == "" {
			return schema.InfrastructurePartition
		}
		return cat.PartitionOf(m)
	}
	for _, g := range schema.Groups(cat, members, partition, RulesPerObject) {
		out = append(out, rules(cat, g))
	}
	return out, nil
}

// meta is kube.Meta with the operator's selector labels added; novagen's
// own labels are checked not to clash at load time.
func meta(cat *schema.Catalog, name string) metav1.ObjectMeta {
	m := kube.Meta(cat, Name, name, Component)
	for k, v := range cat.Spec.Monitoring.PrometheusOperator.Labels {
		m.Labels[k] = v
	}
	return m
}

func serviceMonitor(cat *schema.Catalog, t schema.MetricsTarget) *promoperator.ServiceMonitor {
	return &promoperator.ServiceMonitor{
		TypeMeta:   kube.TypeMeta(promoperator.APIVersion, promoperator.KindServiceMonitor),
		ObjectMeta: meta(cat, t.Name),
		Spec: promoperator.ServiceMonitorSpec{
			// The labels grpc-services gives the service's Service (and
			// not the headless one, which has another name). No
			// namespaceSelector: the ServiceMonitor's own namespace, so it
			// follows the objects when an overlay moves them.
			Selector: *kube.Selector(kube.Labels(cat, t.Name, kube.ComponentGRPCService)),
			Endpoints: []promoperator.Endpoint{{
				Port:     t.PortName,
				Path:     MetricsPath,
				Interval: duration(cat.Spec.Monitoring.PrometheusOperator.Interval.Duration),
			}},
		},
	}
}

// rules is the PrometheusRule of group g: the rule groups of its
// services ("" stands for the Sync Jobs' group).
func rules(cat *schema.Catalog, g schema.Group[string]) *promoperator.PrometheusRule {
	a := cat.Spec.Monitoring.PrometheusOperator.Alerts
	ns := eq("namespace", cat.Spec.Namespace)
	var groups []promoperator.RuleGroup
	for _, name := range g.Members {
		if name == "" {
			groups = append(groups, syncJobRules(a, ns))
			continue
		}
		labels := map[string]string{"severity": a.Severity, "service": name}
		deployment := eq("deployment", name)
		groups = append(groups, promoperator.RuleGroup{Name: "service:" + name, Rules: []promoperator.Rule{
			{
				Alert: AlertNotReady,
				Expr: selector("kube_deployment_status_replicas_available", ns, deployment) +
					" < " + selector("kube_deployment_spec_replicas", ns, deployment),
				For:    duration(a.NotReadyFor.Duration),
				Labels: labels,
				Annotations: map[string]string{
					"summary": fmt.Sprintf("%s has had fewer available replicas than it wants for %s", name, duration(a.NotReadyFor.Duration)),
				},
			},
			{
				Alert: AlertRestarting,
				Expr: fmt.Sprintf("increase(%s[%s]) >= %d",
					selector("kube_pod_container_status_restarts_total", ns, eq("container", name)), duration(a.RestartWindow.Duration), a.Restarts),
				Labels: labels,
				Annotations: map[string]string{
					"summary": fmt.Sprintf("%s restarted at least %d times within %s", name, a.Restarts, duration(a.RestartWindow.Duration)),
				},
			},
		}})
	}
	return &promoperator.PrometheusRule{
		TypeMeta:   kube.TypeMeta(promoperator.APIVersion, promoperator.KindPrometheusRule),
		ObjectMeta: meta(cat, naming.Grouped(naming.AlertRules(cat.Metadata.Name), g.Suffix)),
		Spec:       promoperator.PrometheusRuleSpec{Groups: groups},
	}
}

// syncJobRules alerts on a failed Sync Job. kube_job_failed{condition=
// "true"} is 1 once the Job has given up (backoffLimit or deadline); a
// pod that failed and was retried successfully does not count.
func syncJobRules(a schema.Alerts, ns matcher) promoperator.RuleGroup {
	return promoperator.RuleGroup{Name: syncJobsGroup, Rules: []promoperator.Rule{{
		Alert:  AlertJobFailed,
		Expr:   selector("kube_job_failed", ns, oneOf("job_name", naming.SyncJobs(), jobHash), eq("condition", "true")) + " > 0",
		Labels: map[string]string{"severity": a.Severity},
		Annotations: map[string]string{
			"summary": "Job {{ $labels.job_name }} failed: the environment is not set up",
		},
	}}}
}
