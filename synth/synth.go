// Package synth writes synthetic service catalogs of any size: the shape
// of a platform team's services.yaml (most services own a database, a few
// use Kafka, dependencies point only at earlier services), for benchmarks
// and scale tests. The same Options always give the same bytes.
//
// Catalogs are partitioned (spec.partitions) the way a platform team's
// would be: teamShare of the services carry a team label naming their
// partition, the rest are hashed; both get as many partitions as keep
// each near partitionTarget services, so one partition's render stays
// fast however large the catalog (kustomize build is superlinear in the
// object count).
//
// Every catalog it writes loads: a trait whose share would outgrow a
// per-catalog limit of the loader stops at it (ClickHouse clients at
// load.MaxClickHouseClients, reached at about 10 000 services).
//
// It writes through the model's own types (package catalog), whose
// omitempty and omitzero tags leave out what a catalog does not state, so
// what synth writes is what the schema describes.
package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
)

// MaxServices is the largest catalog Catalog writes.
const MaxServices = 100_000

// Options size and seed a synthetic catalog.
type Options struct {
	Services int    // number of services, 1 to MaxServices
	Seed     uint64 // PCG seed; each seed gives a different catalog
}

// Shares of services with each trait; see the package doc.
const (
	dbOwnerShare    = 0.85 // own a database (exactly this share, rounded)
	postgresShare   = 0.90 // of the owners: wait for postgres
	topicUserShare  = 0.10 // produce and/or consume topics (exactly, at least one)
	redisShare      = 0.30
	clickhouseShare = 0.04 // up to load.MaxClickHouseClients (about 10 000 services)
	externalShare   = 0.05
	replicasShare   = 0.10 // override the default replicas
	resourcesShare  = 0.10 // override the default memory limit
	readerRoleShare = 0.03 // of the databases: have a read-only login role
	maxServiceDeps  = 3
	maxTopicsPerUse = 3
	maxPartitions   = 12
	// teamShare of the services (every tenth, three in a row) carry
	// teamLabel; the rest are hashed.
	teamShare = 0.3
	teamLabel = "team"
	// partitionTarget is the mean services per partition: FNV hashing
	// spreads the rest within about ±20% of it at a few hundred, so
	// partitions stay at about 300 services or fewer.
	partitionTarget = 250
)

// partitionsFor is how many team partitions and hashed partitions n
// services get: at least one of each.
func partitionsFor(n int) (teams, hashed int) {
	labelled := n * 3 / 10
	return max(1, ceilDiv(labelled, partitionTarget)), max(1, ceilDiv(n-labelled, partitionTarget))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// team names the team of service i, or "" for a hashed one: three of
// every ten services (teamShare), teams taking turns by the ten, so a
// team's services spread over the whole catalog (and the dependency
// graph).
func team(i, teams int) string {
	if i%10 >= 3 {
		return ""
	}
	return fmt.Sprintf("team-%02d", (i/10)%teams)
}

// externals are the components outside the namespace every synthetic
// catalog declares.
var externals = []catalog.External{
	{Name: "elasticsearch", Host: "elasticsearch.search.svc.cluster.local", Port: 9200},
	{Name: "neo4j", Host: "neo4j.graph.svc.cluster.local", Port: 7687},
}

// Catalog returns the YAML text of a valid ServiceCatalog with o.Services
// services.
func Catalog(o Options) ([]byte, error) {
	if o.Services < 1 || o.Services > MaxServices {
		return nil, fmt.Errorf("synth: services must be between 1 and %d, got %d", MaxServices, o.Services)
	}
	doc := generate(o)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Synthetic catalog (novagen synth --services %d --seed %d); not a real environment.\n", o.Services, o.Seed)
	if err := encode(&buf, doc); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return buf.Bytes(), nil
}

func generate(o Options) catalog.Catalog {
	n := o.Services
	r := rand.New(rand.NewPCG(o.Seed, 0x6e6f766167656e)) // "novagen"
	name := func(prefix string, i int) string { return fmt.Sprintf("%s%0*d", prefix, len(strconv.Itoa(n)), i) }

	topics := make([]catalog.Topic, max(1, (n+5)/10))
	for i := range topics {
		topics[i] = catalog.Topic{Name: name("topic-", i+1), Partitions: 1 + r.IntN(maxPartitions)}
	}

	owners := exactly(r, n, int(float64(n)*dbOwnerShare+0.5))
	topicUsers := exactly(r, n, max(1, int(float64(n)*topicUserShare+0.5)))
	var dbs []catalog.Database
	clickhouseClients := 0 // at most the one installation's limit
	teams, hashed := partitionsFor(n)
	services := make([]catalog.Service, n)
	for i := range services {
		s := catalog.Service{Name: name("svc-", i+1)}
		if t := team(i, teams); t != "" {
			s.Labels = map[string]string{teamLabel: t}
		}
		var infra []string
		if owners[i] {
			s.Database = name("db_", i+1)
			dbs = append(dbs, catalog.Database{Name: s.Database})
			if r.Float64() < postgresShare {
				infra = append(infra, "postgres")
			}
		}
		if r.Float64() < redisShare {
			infra = append(infra, "redis")
		}
		if topicUsers[i] {
			infra = append(infra, "kafka")
			switch r.IntN(3) {
			case 0:
				s.Produces = pickTopics(r, topics)
			case 1:
				s.Consumes = pickTopics(r, topics)
			default:
				s.Produces, s.Consumes = pickTopics(r, topics), pickTopics(r, topics)
			}
		}
		// The draw is made for every service, so catalogs below the
		// limit are the same whether or not it exists.
		if r.Float64() < clickhouseShare && clickhouseClients < load.MaxClickHouseClients {
			infra = append(infra, "clickhouse")
			clickhouseClients++
		}
		if r.Float64() < externalShare {
			infra = append(infra, externals[r.IntN(len(externals))].Name)
		}
		s.DependsOn = append(infra, earlier(r, services[:i])...)
		if r.Float64() < replicasShare {
			s.Replicas = new(int32(2 + r.IntN(2)))
		}
		if r.Float64() < resourcesShare {
			s.Resources = catalog.Resources{Limits: map[string]string{"memory": "512Mi"}}
		}
		services[i] = s
	}

	// A few legacy databases nobody owns any more; the first is read by a
	// reporting role so every catalog has at least one reader role.
	firstLegacy := len(dbs)
	for i := range max(1, n/50) {
		dbs = append(dbs, catalog.Database{Name: name("legacy_", i+1), Description: "legacy, kept for reads", ReadOnly: true})
	}
	for i := range dbs {
		// "reader_" + a database name is never a service's role (svc_…),
		// never pg_… and unique because database names are.
		if r.Float64() < readerRoleShare || i == firstLegacy {
			dbs[i].ReaderRole = "reader_" + dbs[i].Name
		}
	}

	return catalog.Catalog{
		APIVersion: catalog.APIVersion,
		Kind:       catalog.Kind,
		Metadata:   catalog.Metadata{Name: "synth"},
		Spec: catalog.Spec{
			Namespace: "synth",
			Defaults: catalog.Defaults{
				Image:     catalog.ImageDefaults{Registry: "registry.synth.internal/synth", Tag: "1.0.0"},
				Ports:     catalog.DefaultPorts{GRPC: 50051, Metrics: 9090},
				Wait:      catalog.Wait{Retries: 30, Interval: duration("2s")},
				Replicas:  new(int32(1)),
				RunAsUser: 10001,
				Resources: catalog.Resources{
					Requests: map[string]string{"cpu": "100m", "memory": "128Mi"},
					Limits:   map[string]string{"cpu": "500m", "memory": "256Mi"},
				},
			},
			Images: catalog.Images{
				Postgres: "postgres:15-alpine",
				Busybox:  "busybox:1.36.1",
				Sqlx:     "registry.synth.internal/tools/sqlx-cli:0.8.2",
			},
			Secrets: catalog.Secrets{
				Store:           catalog.SecretStoreRef{Kind: "ClusterSecretStore", Name: "aws-secrets-manager"},
				KeyPrefix:       "synth/bench",
				RefreshInterval: duration("1h"),
			},
			Monitoring: catalog.Monitoring{Namespace: "monitoring", PodLabels: map[string]string{"app.kubernetes.io/name": "prometheus"}},
			Migrations: catalog.Migrations{Source: "/migrations", ActiveDeadline: duration("30m")},
			Partitions: &catalog.Partitions{Label: teamLabel, Hashed: hashed},
			Infrastructure: catalog.Infrastructure{
				Postgres: &catalog.Postgres{Component: port(5432), Extensions: []string{"uuid-ossp", "pgcrypto"}},
				Redis: &catalog.Redis{Component: port(6379), Nodes: 3, Storage: "10Gi", Memory: "512Mi",
					MaxmemoryPolicy: "allkeys-lru"},
				Zookeeper: &catalog.Zookeeper{Component: port(2181)},
				Kafka: &catalog.Kafka{Component: port(9092), Mode: catalog.KafkaModeZookeeper, Brokers: 1,
					Retention: duration("168h"), JMXPort: 9999},
				ClickHouse: &catalog.ClickHouse{Component: port(9000), HTTPPort: 8123, Shards: 1, Replicas: 1,
					Storage: "50Gi", Database: "analytics"},
				External: externals,
			},
			Databases: dbs,
			Topics:    topics,
			Services:  services,
		},
	}
}

// port is a managed component listening on p.
func port(p int32) catalog.Component { return catalog.Component{Port: p} }

// duration is a constant duration of the catalog synth writes.
func duration(s string) catalog.Duration {
	d, err := catalog.ParseDuration(s)
	if err != nil {
		panic(err) // a constant above is not a duration
	}
	return d
}

// exactly marks k of n positions, chosen at random.
func exactly(r *rand.Rand, n, k int) []bool {
	marked := make([]bool, n)
	for _, i := range r.Perm(n)[:k] {
		marked[i] = true
	}
	return marked
}

// pickTopics returns 1 to maxTopicsPerUse distinct topics, in catalog order.
func pickTopics(r *rand.Rand, topics []catalog.Topic) []string {
	idx := distinct(r, len(topics), 1+r.IntN(maxTopicsPerUse), func() int { return r.IntN(len(topics)) })
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = topics[j].Name
	}
	return names
}

// earlier returns 0 to maxServiceDeps distinct names of the services before
// this one, in catalog order, so the graph can never have a cycle. Early
// services are picked more often: like auth or user services, a few core
// services have many dependents.
func earlier(r *rand.Rand, before []catalog.Service) []string {
	idx := distinct(r, len(before), r.IntN(maxServiceDeps+1), func() int {
		u := r.Float64()
		return int(u * u * float64(len(before)))
	})
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = before[j].Name
	}
	return names
}

// distinct draws min(k, n) different indices below n, sorted.
func distinct(r *rand.Rand, n, k int, draw func() int) []int {
	if k >= n {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	var out []int
	for len(out) < k {
		if i := draw(); !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// encode writes v as YAML with the fields in struct order, like
// services.yaml: JSON keeps the order of the struct and its omitempty tags,
// and JSON text is YAML, so yaml.v3 (through kyaml) reads it into a node tree that only
// needs its styles reset: block mappings, plain scalars, and lists of
// scalars on one line ([postgres, svc-01]).
func encode(buf *bytes.Buffer, v any) error {
	j, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return err
	}
	var plain func(*yaml.Node)
	plain = func(n *yaml.Node) {
		n.Style = 0 // the encoder still quotes strings that need it ("1.0")
		flow := n.Kind == yaml.SequenceNode
		for _, c := range n.Content {
			plain(c)
			flow = flow && c.Kind == yaml.ScalarNode
		}
		if flow {
			n.Style = yaml.FlowStyle
		}
	}
	plain(&doc)
	// Sequences indented under their key, as services.yaml has them (kyaml's
	// default is compact).
	enc := yaml.NewEncoderWithOptions(buf, &yaml.EncoderOptions{SeqIndent: yaml.WideSequenceStyle})
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}
