// Package syncwaves gives every generated object its Argo CD sync wave
// (argocd.argoproj.io/sync-wave). Waves are computed from the catalog's
// dependency graph, never written by hand: a generator only says who made
// an object (kube.AnnotationGenerator) and whom it belongs to (its name or
// its app.kubernetes.io/name label); this package turns that into a wave.
// README.md beside this file is the wave table.
package syncwaves

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/novagen/novagen/generators/grpcservices"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/networkpolicy"
	"github.com/novagen/novagen/schema"
)

// Annotation is the Argo CD annotation this package sets.
const Annotation = "argocd.argoproj.io/sync-wave"

// Generators that are a phase of their own. Their packages are written
// alongside this one; the names are those of their registry entries.
const (
	GeneratorSecrets    = "secrets"
	GeneratorDBInit     = "db-init"
	GeneratorMigrations = "migrations"
	GeneratorValidation = "validation"
)

// The fixed phases at the start of a sync; everything later is computed.
const (
	WaveNamespace   = 0 // namespace-wide objects: the default-deny NetworkPolicy
	WaveCredentials = 1 // ExternalSecrets: every later pod mounts a Secret
	WavePostgres    = 2 // the server the init Jobs wait for
	WaveDBInit      = 3 // databases, roles, extensions
	WaveMigrations  = 4 // schemas, once the databases exist
	waveInfraBase   = 5 // other infrastructure: this + its graph level
)

// Waves computes the waves of one catalog.
type Waves struct {
	cat         *schema.Catalog
	kinds       map[string]schema.EndpointKind
	serviceBase int // first wave after all infrastructure
	validation  int // after the last service
}

// New derives the computed phase bases from the catalog's graph.
func New(cat *schema.Catalog) *Waves {
	w := &Waves{cat: cat, kinds: map[string]schema.EndpointKind{}}
	w.serviceBase = WaveMigrations + 1
	for _, e := range cat.Endpoints() {
		w.kinds[e.Name] = e.Kind
		if e.Kind == schema.KindInfrastructure {
			w.serviceBase = max(w.serviceBase, w.infra(e.Name)+1)
		}
	}
	w.validation = w.serviceBase
	for _, s := range cat.Spec.Services {
		w.validation = max(w.validation, w.Service(s.Name)+1)
	}
	return w
}

// Service is the wave of a catalog service: later than every service and
// every piece of infrastructure it waits for, because its graph level is
// higher than theirs and all infrastructure comes before serviceBase.
func (w *Waves) Service(name string) int { return w.serviceBase + w.cat.Graph().Level(name) }

// infra is the wave of an infrastructure component. PostgreSQL comes
// before the init Jobs that need it; the rest after migrations, in graph
// order (zookeeper before kafka in zookeeper mode).
func (w *Waves) infra(name string) int {
	if name == "postgres" {
		return WavePostgres
	}
	return waveInfraBase + w.cat.Graph().Level(name)
}

// Validation is the wave of the final checks.
func (w *Waves) Validation() int { return w.validation }

// Of is the wave of the object kind/name with the given labels, made by
// generator.
func (w *Waves) Of(generator, kind, name string, labels map[string]string) (int, error) {
	switch generator {
	case GeneratorSecrets:
		return WaveCredentials, nil
	case GeneratorDBInit:
		return WaveDBInit, nil
	case GeneratorMigrations:
		return WaveMigrations, nil
	case GeneratorValidation:
		return w.validation, nil
	}
	// Objects that belong to a service or component get its wave: its
	// Deployment, Service and NetworkPolicy; anything from a generator
	// named after the component (a kafka generator's topic Job); the
	// NetworkPolicy of an init Job phase (named after its component).
	for _, owner := range []string{labels[kube.LabelName], name, generator} {
		if wave, ok := w.owner(owner); ok {
			return wave, nil
		}
	}
	// What is left spans the namespace or all services.
	switch generator {
	case networkpolicy.Name:
		return WaveNamespace, nil
	case grpcservices.Name:
		return w.serviceBase, nil
	}
	return 0, fmt.Errorf("%s %s from generator %q: no sync wave (add a case to generators/syncwaves)", kind, name, generator)
}

func (w *Waves) owner(name string) (int, bool) {
	switch w.kinds[name] {
	case schema.KindService:
		return w.Service(name), true
	case schema.KindInfrastructure:
		return w.infra(name), true
	}
	switch name {
	case kube.ComponentDBInit:
		return WaveDBInit, true
	case kube.ComponentMigrations:
		return WaveMigrations, true
	}
	return 0, false
}

// Annotate sets the wave on every object. It runs on the typed objects,
// before render, so the annotation is serialized in order with the rest.
// Argo CD hooks get a wave too: waves order hooks within a phase.
func Annotate(cat *schema.Catalog, objs []kube.Object) error {
	w := New(cat)
	for _, o := range objs {
		ann := o.GetAnnotations()
		gen, ok := ann[kube.AnnotationGenerator]
		kind := o.GetObjectKind().GroupVersionKind().Kind
		if !ok {
			return fmt.Errorf("%s %s: no %s annotation (build metadata with kube.Meta)", kind, o.GetName(), kube.AnnotationGenerator)
		}
		wave, err := w.Of(gen, kind, o.GetName(), o.GetLabels())
		if err != nil {
			return err
		}
		ann[Annotation] = strconv.Itoa(wave)
	}
	return nil
}

// Row is one line of the wave table.
type Row struct {
	Wave  int
	Phase string
	What  []string
}

// Table lists the waves of a catalog, in sync order.
func (w *Waves) Table() []Row {
	rows := []Row{
		{WaveNamespace, "namespace", []string{"default-deny NetworkPolicy"}},
		{WaveCredentials, "credentials", []string{"ExternalSecrets (generator " + GeneratorSecrets + ")"}},
	}
	add := func(wave int, phase, what string) {
		i := slices.IndexFunc(rows, func(r Row) bool { return r.Wave == wave && r.Phase == phase })
		if i < 0 {
			rows = append(rows, Row{Wave: wave, Phase: phase})
			i = len(rows) - 1
		}
		rows[i].What = append(rows[i].What, what)
	}
	var services []string
	for _, n := range w.cat.Graph().Order() {
		switch w.kinds[n] {
		case schema.KindInfrastructure:
			add(w.infra(n), "infrastructure", n)
		case schema.KindService:
			services = append(services, n)
		}
	}
	add(WaveDBInit, "postgres init", "ConfigMap + Job (generator "+GeneratorDBInit+")")
	add(WaveMigrations, "migrations", "SQLx Job (generator "+GeneratorMigrations+")")
	add(w.serviceBase, "services", grpcservices.HeadlessName(w.cat)+" (headless Service)")
	for _, s := range services {
		add(w.Service(s), "services", s)
	}
	add(w.validation, "validation", "generator "+GeneratorValidation)
	slices.SortStableFunc(rows, func(a, b Row) int { return a.Wave - b.Wave })
	return rows
}

// Markdown renders the table for the README.
func (w *Waves) Markdown() string {
	var b strings.Builder
	b.WriteString("| wave | phase | objects |\n| ---: | --- | --- |\n")
	for _, r := range w.Table() {
		fmt.Fprintf(&b, "| %d | %s | %s |\n", r.Wave, r.Phase, strings.Join(r.What, ", "))
	}
	return b.String()
}
