package catalog

import (
	"net"
	"strconv"
	"strings"

	"github.com/novagen/novagen/naming"
)

// The managed collector's ports: OTLP over gRPC and over HTTP (both
// listen, whatever the services use) and its health_check extension.
const (
	OTLPGRPCPort        = 4317
	OTLPHTTPPort        = 4318
	CollectorHealthPort = 13133
)

// Tracing says whether the services export traces (spec.tracing.enabled).
func (c *Catalog) Tracing() bool { return c.Spec.Tracing.Enabled }

// TracingManagedCollector says whether novagen runs the collector.
func (c *Catalog) TracingManagedCollector() bool {
	return c.Tracing() && c.Spec.Tracing.Collector.IsManaged()
}

// OTLPPort is the collector's port of protocol (TracingGRPC, TracingHTTP).
func OTLPPort(protocol string) int32 {
	if protocol == TracingHTTP {
		return OTLPHTTPPort
	}
	return OTLPGRPCPort
}

// TracingCollector is the collector the services export to, as an
// endpoint for their egress rules: the managed collector's pods on the
// port of the catalog's protocol, or the one provided from outside at its
// host (and cidr). false when tracing is off.
func (c *Catalog) TracingCollector() (Endpoint, bool) {
	t := &c.Spec.Tracing
	if !t.Enabled {
		return Endpoint{}, false
	}
	if t.Collector.IsManaged() {
		port := OTLPPort(t.Protocol)
		return Endpoint{
			Name: naming.TracingCollector, Kind: KindInfrastructure, Host: naming.TracingCollector,
			Port: port, Ports: []EndpointPort{{Port: port}},
			PodLabels: map[string]string{naming.LabelName: naming.TracingCollector},
		}, true
	}
	col := &t.Collector
	return Endpoint{
		Name: naming.TracingCollector, Kind: KindExternal, Host: col.Host,
		Port: col.Port, Ports: []EndpointPort{{Port: col.Port}}, Address: col.Host, CIDR: col.CIDR,
	}, true
}

// TracingEndpoint is OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base
// URL (the SDKs append /v1/traces for http/protobuf); "" when tracing is
// off.
func (c *Catalog) TracingEndpoint() string {
	e, ok := c.TracingCollector()
	if !ok {
		return ""
	}
	scheme := "http"
	if c.Spec.Tracing.Collector.TLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port)))
}

// TracingResourceAttributes is OTEL_RESOURCE_ATTRIBUTES of service s:
// service.namespace (the catalog's namespace), service.version (its
// image tag, else its digest), deployment.environment when one is known
// and its partition when the catalog is partitioned. Every value is a
// label value, an image tag or a digest, none of which holds a character
// the format must escape (',', '%', '=' before the value, space).
func (c *Catalog) TracingResourceAttributes(s *Service) string {
	version := s.Image.Tag
	if version == "" {
		version = s.Image.Digest
	}
	attrs := []string{"service.namespace=" + c.Spec.Namespace, "service.version=" + version}
	if env := c.Spec.Tracing.Environment; env != "" {
		attrs = append(attrs, "deployment.environment="+env)
	}
	if p := c.PartitionOf(s.Name); p != "" {
		attrs = append(attrs, naming.AttrPartition+"="+p)
	}
	return strings.Join(attrs, ",")
}

// Port is the port of an otlp exporter's endpoint (host:port, checked at
// load), which the collector's egress opens; 0 for the debug exporter.
func (e TracingExporter) Port() int32 {
	if e.Kind != ExporterOTLP {
		return 0
	}
	_, port, _ := net.SplitHostPort(e.Endpoint)
	n, _ := strconv.ParseInt(port, 10, 32)
	return int32(n)
}
