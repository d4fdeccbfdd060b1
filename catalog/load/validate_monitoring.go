package load

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
)

// checkMonitoring: the Prometheus Operator's objects must agree with the
// NetworkPolicies and with Prometheus' own rules.
func (v *validator) checkMonitoring() {
	m := &v.cat.Spec.Monitoring
	po := &m.PrometheusOperator
	const ptr = "/spec/monitoring/prometheusOperator"
	if po.Enabled && !m.Scrapes() {
		// A ServiceMonitor for a port no NetworkPolicy opens would only
		// ever report its targets down.
		v.errorf(ptr+"/enabled", "prometheusOperator.enabled needs monitoring.namespace or monitoring.podLabels: they select the Prometheus pods the NetworkPolicies admit to the metrics ports")
	}
	for _, k := range slices.Sorted(mapKeys(po.Labels)) {
		if strings.HasPrefix(k, "app.kubernetes.io/") {
			v.errorf(ptr+"/labels/"+escapePointer(k), "label %s is novagen's own (the recommended labels): choose another key", quoteShort(k))
		}
	}
	// increase() needs two samples inside its window.
	if w, i := po.Alerts.RestartWindow, po.Interval; w.Duration < 2*i.Duration {
		v.errorf(ptr+"/alerts/restartWindow", "alerts.restartWindow %s is too short: it must be at least twice the scrape interval (%s), or restarts are never counted", stated(w), stated(i))
	}
	if errs := validation.IsValidLabelValue(po.Alerts.Severity); len(errs) > 0 {
		v.errorf(ptr+"/alerts/severity", "alerts.severity %s is not a valid label value: %s", quoteShort(po.Alerts.Severity), strings.Join(errs, "; "))
	}
	const gptr = "/spec/monitoring/grafana"
	if errs := validation.IsQualifiedName(m.Grafana.Label); len(errs) > 0 {
		v.errorf(gptr+"/label", "grafana.label %s is not a valid label key: %s", quoteShort(m.Grafana.Label), strings.Join(errs, "; "))
	} else if strings.HasPrefix(m.Grafana.Label, "app.kubernetes.io/") {
		v.errorf(gptr+"/label", "label %s is novagen's own (the recommended labels): choose another key", quoteShort(m.Grafana.Label))
	}
	if errs := validation.IsValidLabelValue(m.Grafana.LabelValue); len(errs) > 0 {
		v.errorf(gptr+"/labelValue", "grafana.labelValue %s is not a valid label value: %s", quoteShort(m.Grafana.LabelValue), strings.Join(errs, "; "))
	}
}

// stated is a duration as the catalog wrote it, or its default.
func stated(d catalog.Duration) string {
	if d.Set {
		return d.Raw
	}
	return d.Duration.String()
}
