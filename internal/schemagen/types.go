package schemagen

import (
	"reflect"

	"github.com/novagen/novagen/catalog"
)

// typeFact is what a struct type is in the schema, beyond its fields.
type typeFact struct {
	def     string // its definitions entry; "" writes it inline where used
	doc     string // the definition's description (inline: the field's doc)
	open    bool   // no additionalProperties: false (a base that allOf extends)
	untyped bool   // no "type": "object" (as external items always were)
}

// rootKeywords head the document: the catalog is its root object.
var rootKeywords = map[string]any{
	"$schema":     "http://json-schema.org/draft-07/schema#",
	"$id":         "urn:novagen:schema:services:v1alpha1",
	"title":       "Nova service catalog",
	"description": "The single source of truth for the Nova environment: services, databases, topics and infrastructure. Every generated Kubernetes object is derived from it.",
}

// types are the struct types the schema names and describes as a whole;
// any other struct is written inline, described by its field's doc.
var types = map[reflect.Type]typeFact{
	reflect.TypeFor[catalog.ClickHouseTable]():    {def: "clickhouseTable", doc: "A table of the analytics database, created by the ClickHouse schema Job."},
	reflect.TypeFor[catalog.Component]():          {def: "component", doc: "What every infrastructure component has: whether novagen runs it, where it listens, and which pods are it (for NetworkPolicies).", open: true},
	reflect.TypeFor[catalog.Contracts]():          {def: "contracts", doc: "API contracts: proto3 files rendered into ConfigMaps (the files, their versions and checksums, a service registry, docs) and checked by a buf Job. Paths are relative to the catalog's directory and may not leave it."},
	reflect.TypeFor[catalog.Database]():           {def: "database", doc: "One PostgreSQL database on the shared server, created by the db-init Job; its owner (the service naming it) gets a login role and Secret <service>-db."},
	reflect.TypeFor[catalog.Defaults]():           {def: "defaults", doc: "Values every service gets unless it sets its own."},
	reflect.TypeFor[catalog.Environment]():        {def: "environment", doc: "An overlay on the spec for one environment: mappings merge key by key, lists and values replace."},
	reflect.TypeFor[catalog.Expose]():             {def: "expose", doc: "Publishes the (http) service outside the namespace through spec.ingress: an Ingress rule or HTTPRoute for host and path, and with tls a cert-manager Certificate for host."},
	reflect.TypeFor[catalog.Images]():             {def: "images", doc: "Pinned images of the helper containers novagen generates."},
	reflect.TypeFor[catalog.Infrastructure]():     {def: "infrastructure", doc: "Shared components the services depend on. A component left out does not exist: no workload is rendered and nothing may depend on it."},
	reflect.TypeFor[catalog.Ingress]():            {def: "ingress", doc: "The entry point of exposed services. Defaults: kind Ingress, className nginx, controller ingress-nginx pods (app.kubernetes.io/name=ingress-nginx in namespace ingress-nginx); for HTTPRoute the controller is the gateway namespace's pods labelled gateway.networking.k8s.io/gateway-name=<gateway>."},
	reflect.TypeFor[catalog.Migrations]():         {def: "migrations", doc: "The SQLx migration Job run for each service that owns a database, with the service's own image."},
	reflect.TypeFor[catalog.Monitoring]():         {def: "monitoring", doc: "Who scrapes the metrics ports: the NetworkPolicies admit these pods to every service's metrics port, and the Prometheus Operator's ServiceMonitors point at exactly those ports."},
	reflect.TypeFor[catalog.Partitions]():         {def: "partitions", doc: "Partitioned delivery: one slice (an Argo CD Application) per partition. A service goes to the partition its label `label` names; the others are spread over `hashed` partitions (hash-0...) by a hash of their name, or all go to `default` when hashed is 0. Shared infrastructure is the partition `infrastructure`."},
	reflect.TypeFor[catalog.PrometheusOperator](): {def: "prometheusOperator", doc: "Prometheus Operator objects (monitoring.coreos.com/v1): a ServiceMonitor per service's metrics port and a PrometheusRule of alerts per service. Enabling it needs monitoring.namespace or podLabels."},
	reflect.TypeFor[catalog.Resources]():          {def: "resources", doc: "Container requests and limits, each a map of resource name to quantity. Merged one resource name at a time over the defaults."},
	reflect.TypeFor[catalog.Secrets]():            {def: "secrets", doc: "Where External Secrets reads credentials, and how rotated credentials reach the pods that hold them."},
	reflect.TypeFor[catalog.Service]():            {def: "service", doc: "One microservice: a Deployment, Service, ServiceAccount and NetworkPolicy, init containers waiting for its dependencies, and a migration Job and database Secret if it owns a database."},
	reflect.TypeFor[catalog.Topic]():              {def: "topic", doc: "One Kafka topic."},
	reflect.TypeFor[catalog.Wait]():               {def: "wait", doc: "How an init container waits for a dependency: it tries up to retries times, interval apart."},
	reflect.TypeFor[catalog.External]():           {untyped: true},
}
