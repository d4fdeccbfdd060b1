package naming

// The names novagen derives from catalog values, as tables: the
// generators build each name with the function the table calls, and the
// loader checks every entry for the catalog's values, so a name that
// would not fit is a load error at the catalog value, never an object
// the API server refuses. A new derived name goes into its table.

// MaxName is the longest object name that is not also a label value
// (a DNS-1123 subdomain).
const MaxName = 253

// Feature is what makes novagen render an object: its derived name is
// checked only when the catalog (or the service) has it.
type Feature int

const (
	Always            Feature = iota
	Contracts                 // spec.contracts
	PreviousContracts         // spec.contracts.previous
	Alerts                    // monitoring.prometheusOperator.enabled
	Database                  // a service that owns a database
	ClickHouse                // a service that uses ClickHouse
	TLS                       // a service exposed with tls
	Partitions                // spec.partitions
	FeatureCount              // how many there are: keep it last
)

// Derived is one name built from catalog values, what it names, and the
// rule it must follow. Every generated object's name is also its
// app.kubernetes.io/name label, so Max is MaxLabel unless the object is
// labelled otherwise.
type Derived struct {
	Name   string
	Object string // what the name names, for messages
	Max    int
	// Service: the name of a Service, which must be a DNS-1035 label
	// (start with a letter); any other a DNS-1123 label or subdomain.
	Service bool
	// Label is the label whose value the name also is, which makes Max
	// MaxLabel; "" for none.
	Label string
	Needs Feature
}

// CatalogDerived are the names built from the catalog's name (and, for
// the proto definitions, the major version of its API).
func CatalogDerived(catalog, apiMajor string) []Derived {
	return []Derived{
		{Name: HeadlessService(catalog), Object: "headless Service", Max: MaxLabel, Service: true},
		{Name: AlertRules(catalog), Object: "PrometheusRule of the Sync Jobs' alerts", Max: MaxLabel, Label: LabelName, Needs: Alerts},
		{Name: Dashboard(catalog, DashboardServices), Object: "ConfigMap of a Grafana dashboard", Max: MaxLabel, Label: LabelName, Needs: Alerts},
		{Name: ProtoDefinitions(catalog, apiMajor), Object: "ConfigMap of the API's proto files", Max: MaxLabel, Label: LabelName, Needs: Contracts},
		{Name: ProtoDefinitionsPrevious(catalog), Object: "ConfigMap of the previous release's proto files", Max: MaxLabel, Label: LabelName, Needs: PreviousContracts},
		{Name: ProtoVersions(catalog), Object: "ConfigMap of the API's versions", Max: MaxLabel, Label: LabelName, Needs: Contracts},
		{Name: ServiceRegistry(catalog), Object: "ConfigMap of the service registry", Max: MaxLabel, Label: LabelName, Needs: Contracts},
		{Name: ProtoDocs(catalog), Object: "ConfigMap of the API's documentation", Max: MaxLabel, Label: LabelName, Needs: Contracts},
	}
}

// ServiceDerived are the names built from a service's name besides the
// name itself (its Service, Deployment, NetworkPolicy...). Container
// names are Shortened instead: nothing refers to them.
func ServiceDerived(service string) []Derived {
	return []Derived{
		{Name: DBSecret(service), Object: "database Secret", Max: MaxLabel, Label: LabelName, Needs: Database},
		{Name: ClickHouseSecret(service), Object: "ClickHouse Secret", Max: MaxLabel, Label: LabelName, Needs: ClickHouse},
		{Name: TLSSecret(service), Object: "TLS Secret and Certificate", Max: MaxLabel, Label: LabelName, Needs: TLS},
	}
}

// ExternalDerived are the names built from an external component's name
// besides its Service's. The EndpointSlice is labelled with the
// component's name, so its own may be a subdomain.
func ExternalDerived(component string) []Derived {
	return []Derived{{Name: EndpointSlice(component), Object: "EndpointSlice", Max: MaxName}}
}

// PartitionDerived are the names built from a partition's: the Argo CD
// Application of the ApplicationSet (deploy/argocd), which Argo CD's
// label tracking puts into an app.kubernetes.io/instance label.
func PartitionDerived(catalog, partition string) []Derived {
	return []Derived{{Name: Application(catalog, partition), Object: "Argo CD Application", Max: MaxLabel, Label: "app.kubernetes.io/instance", Needs: Partitions}}
}

// EndpointSlice is the EndpointSlice of an external component's Service:
// <component>-novagen.
func EndpointSlice(component string) string { return component + "-novagen" }

// Application is the Argo CD Application the partitions' ApplicationSet
// makes of a partition: <catalog>-<partition>.
func Application(catalog, partition string) string { return catalog + "-" + partition }
