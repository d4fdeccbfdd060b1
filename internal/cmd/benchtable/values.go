package main

// The values of bench/chart, the Helm chart that `make bench` renders with
// `helm template` beside `novagen render`: converted from the loaded
// catalog, so both tools render the same services. The chart renders per
// service what novagen renders per service (the Deployment with its
// wait-for init containers, the ClusterIP Service, the NetworkPolicy, the
// ExternalSecrets of its database and ClickHouse logins) and the
// Namespace, its default-deny policy and the headless Service over all
// services.
//
// What a values file of a real chart would hold is written as such: the
// defaults once, and per service only what it sets (its database, what it
// waits for, a replica count...). What no template can compute cheaply is
// computed here from the catalog's own index, as novagen's generators
// read it: who connects to a service (the reverse edges of the dependency
// graph, for the ingress rules) and each service's Argo CD sync wave.

import (
	"fmt"
	"maps"
	"math"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/generators/syncwaves"
	"github.com/novagen/novagen/generators/workloads"
)

type values struct {
	Namespace       string `json:"namespace"`
	CreateNamespace bool   `json:"createNamespace"`
	// PartOf is the catalog's name: app.kubernetes.io/part-of, and the
	// prefix of the headless Service <partOf>-grpc-services.
	PartOf string     `json:"partOf"`
	Waves  waveValues `json:"waves"`
	// Image: a service's image is <registry>/<name>:<tag> unless it has
	// its own.
	Image     imageValues       `json:"image"`
	Ports     portValues        `json:"ports"`
	Replicas  int32             `json:"replicas"`
	RunAsUser int64             `json:"runAsUser"`
	Resources catalog.Resources `json:"resources"`
	// StartupFailureThreshold: startup probes every 5 s, this often.
	StartupFailureThreshold int32         `json:"startupFailureThreshold"`
	Wait                    waitValues    `json:"wait"`
	Secrets                 secretValues  `json:"secrets"`
	Monitoring              *peerValues   `json:"monitoring,omitempty"`        // who scrapes the metrics ports
	IngressController       *peerValues   `json:"ingressController,omitempty"` // admitted to exposed services
	ClickHouseDatabase      string        `json:"clickhouseDatabase,omitempty"`
	Endpoints               endpointsMap  `json:"endpoints"`
	Services                []serviceItem `json:"services"`
}

type waveValues struct {
	Namespace   int `json:"namespace"`
	Credentials int `json:"credentials"`
	Services    int `json:"services"` // the headless Service's
}

type imageValues struct {
	Registry string `json:"registry"`
	Tag      string `json:"tag"`
}

type portValues struct {
	GRPC    int32 `json:"grpc"`
	Metrics int32 `json:"metrics"`
}

type waitValues struct {
	Retries         int    `json:"retries"`
	IntervalSeconds int    `json:"intervalSeconds"`
	Busybox         string `json:"busybox"`      // the image of TCP waits
	Postgres        string `json:"postgres"`     // the image of the postgres wait (pg_isready)
	PostgresUser    string `json:"postgresUser"` // PGUSER of the postgres wait
	// Scripts are novagen's own (generators/scripts), so the chart's init
	// containers run exactly what novagen's do.
	Scripts waitScripts `json:"scripts"`
}

type waitScripts struct {
	TCP      string `json:"tcp"`      // nc -z
	Postgres string `json:"postgres"` // pg_isready
}

type secretValues struct {
	Store           catalog.SecretStoreRef `json:"store"`
	KeyPrefix       string                 `json:"keyPrefix"`
	RefreshInterval string                 `json:"refreshInterval"`
}

type peerValues struct {
	Namespace string            `json:"namespace,omitempty"`
	PodLabels map[string]string `json:"podLabels,omitempty"`
}

// endpointsMap holds the dependency targets that are not services (those
// are reached at <name>:<ports.grpc>, their pods labelled with their name,
// unless listed here too).
type endpointsMap map[string]endpointValues

type endpointValues struct {
	Ports     []int32           `json:"ports"`               // the first is waited for
	PodLabels map[string]string `json:"podLabels,omitempty"` // none: it runs outside the namespace
	CIDR      string            `json:"cidr,omitempty"`      // outside: where egress may go (none: anywhere)
}

type serviceItem struct {
	Name string `json:"name"`
	Wave int    `json:"wave"`
	// Database: a login role (its name with '_' for '-'), its
	// ExternalSecret <name>-db and DATABASE_URL.
	Database  string   `json:"database,omitempty"`
	DependsOn []string `json:"dependsOn,omitempty"`
	// Kafka: a Kafka client (it produces or consumes) even when it does
	// not wait for Kafka.
	Kafka bool `json:"kafka,omitempty"`
	// ReachedBy: the services that connect to this one.
	ReachedBy               []string           `json:"reachedBy,omitempty"`
	Replicas                *int32             `json:"replicas,omitempty"`
	Image                   string             `json:"image,omitempty"`
	Resources               *catalog.Resources `json:"resources,omitempty"`
	StartupFailureThreshold int32              `json:"startupFailureThreshold,omitempty"`
	HTTP                    *httpValues        `json:"http,omitempty"` // serves HTTP, not gRPC
	// Labels: the service's own pod labels (a team label, say).
	Labels  map[string]string `json:"labels,omitempty"`
	Exposed bool              `json:"exposed,omitempty"`
}

type httpValues struct {
	Port       int32  `json:"port"`
	HealthPath string `json:"healthPath"`
}

// helmValues converts a loaded catalog into the chart's values. It refuses
// what the chart cannot render the way novagen does, so the side-by-side
// never compares different outputs unnoticed.
func helmValues(cat *catalog.Catalog) (*values, error) {
	s := &cat.Spec
	d := &s.Defaults
	if d.Image.Digest != "" {
		return nil, fmt.Errorf("the chart has no default image digest")
	}
	if s.Secrets.Rotation != "" || s.Secrets.Reloader {
		return nil, fmt.Errorf("the chart has no secrets.rotation or secrets.reloader")
	}
	waves := syncwaves.New(cat)
	servicesWave, err := waves.Of(syncwaves.PhaseServices, "")
	if err != nil {
		return nil, err
	}
	v := &values{
		Namespace:               s.Namespace,
		CreateNamespace:         cat.CreatesNamespace(),
		PartOf:                  cat.Metadata.Name,
		Waves:                   waveValues{Namespace: syncwaves.WaveNamespace, Credentials: syncwaves.WaveCredentials, Services: servicesWave},
		Image:                   imageValues{Registry: d.Image.Registry, Tag: d.Image.Tag},
		Ports:                   portValues{GRPC: d.Ports.GRPC, Metrics: d.Ports.Metrics},
		Replicas:                ptrOr(d.Replicas, 1),
		RunAsUser:               d.RunAsUser,
		Resources:               canonical(d.Resources),
		StartupFailureThreshold: startupFailureThreshold(d.StartupGrace),
		Wait: waitValues{
			Retries:         d.Wait.Retries,
			IntervalSeconds: max(1, int(math.Ceil(d.Wait.Interval.Seconds()))),
			Busybox:         s.Images.Busybox,
			Postgres:        s.Images.Postgres,
			PostgresUser:    kube.WaitPostgresUser,
			Scripts:         waitScripts{TCP: scripts.WaitForTCP, Postgres: scripts.WaitForPostgres},
		},
		Secrets: secretValues{
			Store:           s.Secrets.Store,
			KeyPrefix:       s.Secrets.KeyPrefix,
			RefreshInterval: s.Secrets.RefreshInterval.String(),
		},
		Endpoints: endpointsMap{},
	}
	if s.Monitoring.Scrapes() {
		v.Monitoring = &peerValues{Namespace: s.Monitoring.Namespace, PodLabels: s.Monitoring.PodLabels}
	}
	if len(cat.Exposed()) > 0 {
		c := s.Ingress.Controller
		v.IngressController = &peerValues{Namespace: c.Namespace, PodLabels: c.PodLabels}
	}
	if ch := s.Infrastructure.ClickHouse; ch != nil {
		v.ClickHouseDatabase = ch.Database
	}
	for _, e := range cat.Endpoints() {
		if e.Host != e.Name {
			return nil, fmt.Errorf("endpoint %s: the chart reaches every endpoint at its name, not %s", e.Name, e.Host)
		}
		if e.Kind == catalog.KindService && e.Port == d.Ports.GRPC && len(e.Ports) == 1 && maps.Equal(e.PodLabels, nameLabel(e.Name)) {
			continue // the chart's default for a service
		}
		v.Endpoints[e.Name] = endpointValues{Ports: e.PortNumbers(), PodLabels: e.PodLabels, CIDR: e.EgressCIDR()}
	}
	for i := range s.Services {
		item, err := serviceValues(cat, v, waves, &s.Services[i])
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Services[i].Name, err)
		}
		v.Services = append(v.Services, item)
	}
	return v, nil
}

func serviceValues(cat *catalog.Catalog, v *values, waves *syncwaves.Waves, svc *catalog.Service) (serviceItem, error) {
	item := serviceItem{
		Name:      svc.Name,
		Wave:      waves.Service(svc.Name),
		Database:  svc.Database,
		DependsOn: cat.Graph().DependsOn(svc.Name),
		Kafka:     cat.Spec.Infrastructure.Kafka != nil && svc.UsesKafka(),
		Exposed:   svc.Expose != nil,
	}
	if len(svc.Labels) > 0 {
		item.Labels = svc.Labels
	}
	for _, n := range cat.ReachedBy(svc.Name) {
		e, ok := cat.Endpoint(n)
		if !ok || len(e.PodLabels) == 0 {
			continue // no pods to admit (novagen skips them too)
		}
		if !maps.Equal(e.PodLabels, nameLabel(n)) {
			return item, fmt.Errorf("%s connects to it with pods labelled %v: the chart admits pods by name", n, e.PodLabels)
		}
		item.ReachedBy = append(item.ReachedBy, n)
	}
	if r := ptrOr(svc.Replicas, v.Replicas); r != v.Replicas {
		item.Replicas = &r
	}
	if ref := svc.ImageRef(); ref != v.Image.Registry+"/"+svc.Name+":"+v.Image.Tag {
		item.Image = ref
	}
	if r := canonical(svc.Resources); !resourcesEqual(r, v.Resources) {
		item.Resources = &r
	}
	if t := startupFailureThreshold(svc.StartupGrace); t != v.StartupFailureThreshold {
		item.StartupFailureThreshold = t
	}
	if svc.HTTP() {
		item.HTTP = &httpValues{Port: svc.Ports.HTTP, HealthPath: svc.HealthPath}
	} else if svc.Ports.GRPC != v.Ports.GRPC {
		return item, fmt.Errorf("the chart serves gRPC on ports.grpc only, not %d", svc.Ports.GRPC)
	}
	if svc.Ports.Metrics != v.Ports.Metrics {
		return item, fmt.Errorf("the chart serves metrics on ports.metrics only, not %d", svc.Ports.Metrics)
	}
	return item, nil
}

// startupFailureThreshold is how many 5 s startup probes fit the grace, as
// novagen's workloads rounds it.
func startupFailureThreshold(grace catalog.Duration) int32 {
	return int32(math.Ceil(grace.Seconds() / workloads.StartupPeriodSeconds))
}

func nameLabel(name string) map[string]string { return map[string]string{kube.LabelName: name} }

func ptrOr[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}

// canonical writes each quantity as the API server (and novagen's typed
// objects) would: 0.5 as 500m.
func canonical(r catalog.Resources) catalog.Resources {
	conv := func(m map[string]string) map[string]string {
		if len(m) == 0 {
			return nil
		}
		out := make(map[string]string, len(m))
		for k, q := range m {
			parsed := resource.MustParse(q) // the loader has parsed every quantity
			out[k] = parsed.String()
		}
		return out
	}
	return catalog.Resources{Requests: conv(r.Requests), Limits: conv(r.Limits)}
}

func resourcesEqual(a, b catalog.Resources) bool {
	return maps.Equal(a.Requests, b.Requests) && maps.Equal(a.Limits, b.Limits)
}

// marshal writes the values as YAML (keys sorted), with a header naming
// the catalog.
func (v *values) marshal(source string) ([]byte, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# Values of bench/chart for %s (%d services), written by internal/cmd/benchtable.\n", source, len(v.Services))
	return append([]byte(header), data...), nil
}
