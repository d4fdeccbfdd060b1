package load

import (
	"net"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

// checkTracing: with tracing on, the collector is either novagen's
// (nothing says where it runs) or provided from outside at a usable host,
// and the managed collector's exporter has what its kind needs. Tracing
// off reads nothing, so nothing is checked.
func (v *validator) checkTracing() {
	t := &v.cat.Spec.Tracing
	if !t.Enabled {
		return
	}
	const base = "/spec/tracing/collector"
	col := &t.Collector
	v.checkProvided(base, "tracing.collector", naming.TracingCollector, col.IsManaged(), col.Host, col.CIDR)
	if col.IsManaged() {
		// A port or TLS of novagen's own collector would not be what it
		// listens on.
		if v.pos.has(base + "/port") {
			v.errorf(base+"/port", "tracing.collector: port is only for a collector provided from outside (managed: false); novagen's listens on %d (grpc) and %d (http/protobuf)", catalog.OTLPGRPCPort, catalog.OTLPHTTPPort)
		}
		if col.TLS {
			v.errorf(base+"/tls", "tracing.collector: tls is only for a collector provided from outside (managed: false); novagen's receives plain OTLP inside the namespace")
		}
		v.checkExporter(base+"/exporter", &col.Exporter)
		return
	}
	if v.pos.has(base + "/exporter") {
		v.errorf(base+"/exporter", "tracing.collector: exporter is only for the collector novagen runs; one provided from outside (managed: false) is configured where it runs")
	}
}

// checkExporter: otlp needs a host:port to send to, debug sends nowhere.
func (v *validator) checkExporter(base string, e *catalog.TracingExporter) {
	if e.Kind != catalog.ExporterOTLP {
		if e.Endpoint != "" || e.Insecure {
			field := "/endpoint"
			if e.Endpoint == "" {
				field = "/insecure"
			}
			v.errorf(base+field, "tracing.collector.exporter: endpoint and insecure are only for kind otlp; kind %s sends nowhere", e.Kind)
		}
		return
	}
	if e.Endpoint == "" {
		v.errorf(base+"/kind", "tracing.collector.exporter: kind otlp needs endpoint, the host:port the spans go to")
		return
	}
	host, port, err := net.SplitHostPort(e.Endpoint)
	if err != nil {
		v.errorf(base+"/endpoint", "tracing.collector.exporter: endpoint %s is not host:port (e.g. tempo.observability.svc.cluster.local:4317)", quoteShort(e.Endpoint))
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		v.errorf(base+"/endpoint", "tracing.collector.exporter: endpoint %s: port %s is not a number from 1 to 65535", quoteShort(e.Endpoint), quoteShort(port))
	}
	if _, isIP := catalog.ParseIP(host); !isIP && len(validation.IsDNS1123Subdomain(host)) > 0 {
		v.errorf(base+"/endpoint", "tracing.collector.exporter: endpoint %s: host %s is neither an IP address nor a DNS name (lower-case letters, digits, '-' and '.')", quoteShort(e.Endpoint), quoteShort(host))
	}
}
