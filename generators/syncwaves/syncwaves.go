// Package syncwaves gives every generated object its Argo CD sync wave
// (argocd.argoproj.io/sync-wave). Waves are computed from two facts and
// nothing else: the phase of the startup order the object's generator
// declares in the registry, and the dependency graph of the catalog. The
// package names no generator: a new generator takes its place in the
// order through its registry line. README.md beside this file is the wave
// table.
//
// Argo CD applies one wave at a time and waits until all of it is healthy
// before the next, except the last wave of a sync: once that is applied
// the sync has succeeded, whatever becomes of it (the Application's
// health still shows it). So the last wave holds what the sync must not
// wait for (PhaseLast): anything that may stay unhealthy for reasons
// novagen cannot fix would otherwise hold back every later wave.
package syncwaves

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
)

// Annotation is the Argo CD annotation this package sets.
const Annotation = "argocd.argoproj.io/sync-wave"

// Phase is a step of the startup order, as the seed's startup sequence
// lists them. A generator declares one for all its objects.
type Phase int

const (
	// PhaseNamespace: the Namespace and namespace-wide policy.
	PhaseNamespace Phase = iota + 1
	// PhaseCredentials: ExternalSecrets; every later pod reads a Secret.
	PhaseCredentials
	// PhaseDatabaseServer: the PostgreSQL server the init Jobs wait for.
	PhaseDatabaseServer
	// PhaseDatabaseInit: databases, roles, extensions.
	PhaseDatabaseInit
	// PhaseMigrations: schemas, once the databases exist.
	PhaseMigrations
	// PhaseInfrastructure: the other components (and the Services of
	// external ones), each at its graph level.
	PhaseInfrastructure
	// PhaseServices: the catalog's services, each at its graph level;
	// a service that waits for an external component, directly or
	// through other services, goes to the last wave instead.
	PhaseServices
	// PhaseLast: the last wave, one more than every other, which Argo CD
	// applies but does not wait for: entry points (a Certificate that is
	// never issued), the services that wait for an external component
	// (down for as long as it is), and the checks, which run beside them
	// and report.
	PhaseLast
	// PhaseOfNode: each object goes where the catalog node named by its
	// app.kubernetes.io/name label goes (the database server, an
	// infrastructure component or a service), for generators such as
	// network-policies whose objects follow the node they belong to.
	PhaseOfNode
)

var phaseNames = map[Phase]string{
	PhaseNamespace: "namespace baseline", PhaseCredentials: "credentials", PhaseDatabaseServer: "database server",
	PhaseDatabaseInit: "database init", PhaseMigrations: "schema migrations", PhaseInfrastructure: "infrastructure",
	PhaseServices: "services", PhaseLast: "last, not waited for", PhaseOfNode: "that of its node",
}

func (p Phase) String() string {
	if n, ok := phaseNames[p]; ok {
		return n
	}
	return "phase " + strconv.Itoa(int(p))
}

// The fixed waves at the start of a sync; everything later is computed.
const (
	WaveNamespace      = 0
	WaveCredentials    = 1
	WaveDatabaseServer = 2
	WaveDatabaseInit   = 3
	WaveMigrations     = 4
	waveInfraBase      = 5 // other infrastructure: this + its graph level
)

// Waves computes the waves of one catalog.
type Waves struct {
	cat         *catalog.Catalog
	serviceBase int // first wave after all infrastructure
	last        int // one more than every other wave
}

// New derives the computed phase bases from the catalog's graph.
func New(cat *catalog.Catalog) *Waves {
	w := &Waves{cat: cat, serviceBase: WaveMigrations + 1}
	for _, e := range cat.Endpoints() {
		if e.Kind != catalog.KindService {
			w.serviceBase = max(w.serviceBase, w.node(e)+1)
		}
	}
	// serviceBase itself holds objects of no single service (the
	// headless Service).
	w.last = w.serviceBase + 1
	for _, s := range cat.Spec.Services {
		if !cat.WaitsForExternal(s.Name) {
			w.last = max(w.last, w.Service(s.Name)+1)
		}
	}
	return w
}

// Service is the wave of a catalog service: later than every service and
// every piece of infrastructure it waits for, because its graph level is
// higher than theirs and all infrastructure comes before serviceBase. A
// service that waits for an external component, directly or through
// other services, is in the last wave, which nothing waits for: while
// the component is down it stays in its init containers, and a wave
// that waited for it would never let a later one start. What it waits
// for is in the same wave or an earlier one (whatever waits for it waits
// for the component too), and its init containers still order it there.
func (w *Waves) Service(name string) int {
	if w.cat.WaitsForExternal(name) {
		return w.last
	}
	return w.serviceBase + w.cat.Graph().Level(name)
}

// Last is the last wave: one more than every other, and not waited for.
func (w *Waves) Last() int { return w.last }

// node is the wave of a catalog node: the database server before the init
// Jobs that need it; other infrastructure and external components after
// migrations, in graph order (zookeeper before kafka in zookeeper mode);
// services after all of them.
func (w *Waves) node(e catalog.Endpoint) int {
	switch {
	case e.Kind == catalog.KindService:
		return w.Service(e.Name)
	case w.isDatabaseServer(e.Name):
		return WaveDatabaseServer
	}
	return waveInfraBase + w.cat.Graph().Level(e.Name)
}

func (w *Waves) isDatabaseServer(name string) bool {
	db, ok := w.cat.DatabaseServer()
	return ok && db.Name == name
}

// Of is the wave of an object of phase phase that belongs to owner (its
// app.kubernetes.io/name). In the graph-ordered phases an owner that is a
// catalog node of the phase's kind sets the level; any other object of
// the phase (the headless Service over all services) takes the phase's
// first wave.
func (w *Waves) Of(phase Phase, owner string) (int, error) {
	e, isNode := w.cat.Endpoint(owner)
	switch phase {
	case PhaseNamespace:
		return WaveNamespace, nil
	case PhaseCredentials:
		return WaveCredentials, nil
	case PhaseDatabaseServer:
		return WaveDatabaseServer, nil
	case PhaseDatabaseInit:
		return WaveDatabaseInit, nil
	case PhaseMigrations:
		return WaveMigrations, nil
	case PhaseInfrastructure:
		if isNode && e.Kind != catalog.KindService {
			return w.node(e), nil
		}
		return waveInfraBase, nil
	case PhaseServices:
		if isNode && e.Kind == catalog.KindService {
			return w.Service(owner), nil
		}
		return w.serviceBase, nil
	case PhaseLast:
		return w.last, nil
	case PhaseOfNode:
		if isNode {
			return w.node(e), nil
		}
		return 0, fmt.Errorf("%s %q names no service or component of the catalog", kube.LabelName, owner)
	}
	return 0, fmt.Errorf("unknown phase %d", phase)
}

// Annotate sets the wave of every object of a generator of phase phase;
// the object's owner is the node it names (kube.Owner: its
// novagen.nova.dev/node annotation, else its app.kubernetes.io/name).
// It runs on the typed objects, before render, so the annotation is
// serialized in order with the rest.
func Annotate(w *Waves, phase Phase, objs []kube.Object) error {
	for _, o := range objs {
		wave, err := w.Of(phase, kube.Owner(o))
		if err != nil {
			return fmt.Errorf("%s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
		ann := o.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[Annotation] = strconv.Itoa(wave)
		o.SetAnnotations(ann)
	}
	return nil
}

// Placement is a generator's place in the order, for the wave table.
type Placement struct {
	Generator string
	Phase     Phase
}

// Row is one line of the wave table: the generators whose objects all
// go there, and the catalog nodes whose objects do.
type Row struct {
	Wave       int
	Phase      string
	Generators []string
	Nodes      []string
}

// Table lists the waves of a catalog in sync order.
func (w *Waves) Table(gens []Placement) []Row {
	var rows []Row
	row := func(wave int, phase Phase) *Row {
		i := slices.IndexFunc(rows, func(r Row) bool { return r.Wave == wave && r.Phase == phase.String() })
		if i < 0 {
			rows = append(rows, Row{Wave: wave, Phase: phase.String()})
			i = len(rows) - 1
		}
		return &rows[i]
	}
	// Graph-ordered phases put their objects at their nodes' waves; what
	// belongs to no single node goes to the phase's first wave.
	for _, g := range gens {
		if g.Phase == PhaseOfNode {
			continue
		}
		wave, _ := w.Of(g.Phase, "")
		r := row(wave, g.Phase)
		r.Generators = append(r.Generators, g.Generator)
	}
	for _, n := range w.cat.Graph().Order() {
		e, _ := w.cat.Endpoint(n)
		phase := PhaseInfrastructure
		switch {
		case e.Kind == catalog.KindService:
			phase = PhaseServices
		case w.isDatabaseServer(n):
			phase = PhaseDatabaseServer
		}
		wave := w.node(e)
		if wave == w.last {
			phase = PhaseLast
		}
		r := row(wave, phase)
		r.Nodes = append(r.Nodes, n)
	}
	slices.SortStableFunc(rows, func(a, b Row) int { return a.Wave - b.Wave })
	return rows
}

// Markdown renders the wave table of a catalog for the README.
func (w *Waves) Markdown(gens []Placement) string {
	var b strings.Builder
	b.WriteString("| wave | phase | objects |\n| ---: | --- | --- |\n")
	for _, r := range w.Table(gens) {
		var what []string
		if len(r.Nodes) > 0 {
			what = append(what, strings.Join(r.Nodes, ", "))
		}
		if len(r.Generators) > 0 {
			what = append(what, "generator "+strings.Join(r.Generators, ", "))
		}
		fmt.Fprintf(&b, "| %d | %s | %s |\n", r.Wave, r.Phase, strings.Join(what, "; "))
	}
	return b.String()
}

// PhaseMarkdown lists each generator's phase, in registry order.
func PhaseMarkdown(gens []Placement) string {
	var b strings.Builder
	b.WriteString("| generator | phase |\n| --- | --- |\n")
	for _, g := range gens {
		fmt.Fprintf(&b, "| `%s` | %s |\n", g.Generator, g.Phase)
	}
	return b.String()
}
