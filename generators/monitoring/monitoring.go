// Package monitoring is the generator monitoring: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail:
//
//   - a ServiceMonitor per metrics target (catalog.Catalog.MetricsTargets:
//     every service's metrics port and every exporter's), selecting the
//     service's Service and scraping its http-metrics port, or the
//     exporter's; for a managed ClickHouse, which serves Prometheus
//     metrics itself (the clickhouse generator switches the endpoint on),
//     a PodMonitor clickhouse scraping every ClickHouse pod's metrics
//     port. The NetworkPolicies admit the monitoring pods to the same
//     targets, so the two cannot disagree;
//   - the data tier's exporters (catalog.Catalog.Exporters: a Deployment
//     and a Service each, exporters.go) for a managed PostgreSQL, Redis
//     and Kafka, which expose no Prometheus metrics themselves. Deployments
//     of their own rather than sidecars: a sidecar would change the
//     StatefulSet's pod template, so switching monitoring on (or bumping
//     an exporter) would roll PostgreSQL, every Redis node and every
//     broker; a Deployment restarts nothing but itself;
//   - Grafana dashboards (dashboards.go): ConfigMaps for Grafana's sidecar,
//     an overview of the services, one per exporter and one for
//     ClickHouse;
//   - a PrometheusRule per service, named like it: a group alerting when
//     its Deployment has fewer available replicas than it wants for
//     alerts.notReadyFor and when its containers restart alerts.restarts
//     times within alerts.restartWindow;
//   - PrometheusRule <catalog>-alerts: a group alerting when a Sync Job
//     (db-init, migrations, schema, topics, cluster-init, contracts) has
//     failed, in the infrastructure partition.
//
// One object per service, not one listing every service: adding a
// service then adds its own objects and changes none of the others'
// (the sync of a new service does not touch every team's alerts), a
// partition's render holds its services' rules, and no object grows
// with the catalog. The Prometheus Operator makes each PrometheusRule
// one rule file in the ConfigMaps it shards for Prometheus, so the
// rules Prometheus loads are the same either way. The rules name the
// Deployment and container: selecting by labels instead would need
// kube-state-metrics to export Deployment labels
// (--metric-labels-allowlist), which it does not by default.
//
// The alerts read kube-state-metrics series, which the Prometheus of a
// kube-prometheus-stack install scrapes.
package monitoring

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/naming"
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

// syncJobsGroup is the rule group of the Sync Jobs, in PrometheusRule
// <catalog>-alerts.
const syncJobsGroup = "sync-jobs"

// Generate returns the ServiceMonitors, in target order, the services'
// PrometheusRules, in catalog order, and the Sync Jobs' PrometheusRule;
// nothing unless the catalog enables the operator.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	po := cat.Spec.Monitoring.PrometheusOperator
	if !po.Enabled {
		return nil, nil
	}
	var out []kube.Object
	if cat.OwnsShared() {
		for _, x := range cat.Exporters() {
			out = append(out, exporterObjects(cat, x)...)
		}
	}
	for _, t := range cat.MetricsTargets() {
		switch {
		case !cat.OwnsTarget(t):
		case t.PodLabels != nil:
			out = append(out, podMonitor(cat, t))
		default:
			out = append(out, serviceMonitor(cat, t))
		}
	}
	for i := range cat.Spec.Services {
		if name := cat.Spec.Services[i].Name; cat.Owns(name) {
			out = append(out, prometheusRule(cat, name, serviceRules(cat, name)))
		}
	}
	if cat.OwnsShared() {
		out = append(out, prometheusRule(cat, naming.AlertRules(cat.Metadata.Name), syncJobRules(cat)))
		ds, err := dashboards(cat)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

// meta is kube.Meta with the operator's selector labels added; novagen's
// own labels are checked not to clash at load time.
func meta(cat *catalog.Catalog, name string) metav1.ObjectMeta {
	m := kube.Meta(cat, Name, name, Component)
	for k, v := range cat.Spec.Monitoring.PrometheusOperator.Labels {
		m.Labels[k] = v
	}
	return m
}

func serviceMonitor(cat *catalog.Catalog, t catalog.MetricsTarget) *promoperator.ServiceMonitor {
	if t.Exporter != nil {
		m := meta(cat, t.Name)
		sm := &promoperator.ServiceMonitor{
			TypeMeta:   kube.TypeMeta(promoperator.APIVersion, promoperator.KindServiceMonitor),
			ObjectMeta: m,
			Spec: promoperator.ServiceMonitorSpec{
				Selector:  *kube.Selector(kube.Labels(cat, t.Name, ComponentExporter)),
				Endpoints: exporterEndpoints(cat, t),
			},
		}
		kube.BelongTo(t.Exporter.Component, []kube.Object{sm})
		return sm
	}
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

// podMonitor scrapes every pod of a component that serves its own
// metrics (ClickHouse), on its metrics container port. The operator's
// PodMonitor gives the series no service label; the relabeling sets it to
// the component's name, as its client Service is called, so the
// component's dashboard selects its series as the exporters' do.
func podMonitor(cat *catalog.Catalog, t catalog.MetricsTarget) *promoperator.PodMonitor {
	pm := &promoperator.PodMonitor{
		TypeMeta:   kube.TypeMeta(promoperator.APIVersion, promoperator.KindPodMonitor),
		ObjectMeta: meta(cat, t.Name),
		Spec: promoperator.PodMonitorSpec{
			Selector: *kube.Selector(t.PodLabels),
			PodMetricsEndpoints: []promoperator.Endpoint{{
				Port:        t.PortName,
				Path:        MetricsPath,
				Interval:    duration(cat.Spec.Monitoring.PrometheusOperator.Interval.Duration),
				Relabelings: []promoperator.RelabelConfig{{TargetLabel: "service", Replacement: kube.Ptr(t.Name)}},
			}},
		},
	}
	kube.BelongTo(t.Name, []kube.Object{pm})
	return pm
}

func prometheusRule(cat *catalog.Catalog, name string, g promoperator.RuleGroup) *promoperator.PrometheusRule {
	return &promoperator.PrometheusRule{
		TypeMeta:   kube.TypeMeta(promoperator.APIVersion, promoperator.KindPrometheusRule),
		ObjectMeta: meta(cat, name),
		Spec:       promoperator.PrometheusRuleSpec{Groups: []promoperator.RuleGroup{g}},
	}
}

// serviceRules is the rule group of service name: not ready, restarting.
func serviceRules(cat *catalog.Catalog, name string) promoperator.RuleGroup {
	a := cat.Spec.Monitoring.PrometheusOperator.Alerts
	ns := eq("namespace", cat.Spec.Namespace)
	labels := map[string]string{"severity": a.Severity, "service": name}
	deployment := eq("deployment", name)
	return promoperator.RuleGroup{Name: "service:" + name, Rules: []promoperator.Rule{
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
	}}
}

// syncJobRules alerts on a failed Sync Job. kube_job_failed{condition=
// "true"} is 1 once the Job has given up (backoffLimit or deadline); a
// pod that failed and was retried successfully does not count.
func syncJobRules(cat *catalog.Catalog) promoperator.RuleGroup {
	a := cat.Spec.Monitoring.PrometheusOperator.Alerts
	ns := eq("namespace", cat.Spec.Namespace)
	return promoperator.RuleGroup{Name: syncJobsGroup, Rules: []promoperator.Rule{{
		Alert:  AlertJobFailed,
		Expr:   selector("kube_job_failed", ns, oneOf("job_name", naming.SyncJobs(), jobHash), eq("condition", "true")) + " > 0",
		Labels: map[string]string{"severity": a.Severity},
		Annotations: map[string]string{
			"summary": "Job {{ $labels.job_name }} failed: the environment is not set up",
		},
	}}}
}
