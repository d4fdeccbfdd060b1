package synth

// The catalog as written: the subset of services.yaml that synthetic
// catalogs use, field order as in services.yaml, every optional field
// omitted when empty. schema's types cannot serve: they are the loaded,
// defaulted form and always write fields such as image, ports and
// retention. Maps are avoided so nothing depends on map order.

type catalog struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   metadata `json:"metadata"`
	Spec       spec     `json:"spec"`
}

type metadata struct {
	Name string `json:"name"`
}

type spec struct {
	Namespace      string         `json:"namespace"`
	Defaults       defaults       `json:"defaults"`
	Images         images         `json:"images"`
	Secrets        secrets        `json:"secrets"`
	Monitoring     monitoring     `json:"monitoring"`
	Migrations     migrations     `json:"migrations"`
	Partitions     partitions     `json:"partitions"`
	Infrastructure infrastructure `json:"infrastructure"`
	Databases      []database     `json:"databases,omitempty"`
	Topics         []topic        `json:"topics,omitempty"`
	Services       []service      `json:"services"`
}

type defaults struct {
	Image     image     `json:"image"`
	Ports     ports     `json:"ports"`
	Wait      wait      `json:"wait"`
	Replicas  int       `json:"replicas"`
	RunAsUser int       `json:"runAsUser"`
	Resources resources `json:"resources"`
}

type image struct {
	Registry string `json:"registry"`
	Tag      string `json:"tag"`
}

type ports struct {
	GRPC    int `json:"grpc"`
	Metrics int `json:"metrics"`
}

type wait struct {
	Retries  int    `json:"retries"`
	Interval string `json:"interval"`
}

type resources struct {
	Requests *quantities `json:"requests,omitempty"`
	Limits   *quantities `json:"limits,omitempty"`
}

type quantities struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

type images struct {
	Postgres string `json:"postgres"`
	Busybox  string `json:"busybox"`
	Sqlx     string `json:"sqlx"`
}

type secrets struct {
	Store           store  `json:"store"`
	KeyPrefix       string `json:"keyPrefix"`
	RefreshInterval string `json:"refreshInterval"`
}

type store struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type monitoring struct {
	Namespace string    `json:"namespace"`
	PodLabels podLabels `json:"podLabels"`
}

type podLabels struct {
	Name string `json:"app.kubernetes.io/name"`
}

type migrations struct {
	Source         string `json:"source"`
	ActiveDeadline string `json:"activeDeadline"`
}

type partitions struct {
	Label  string `json:"label"`
	Hashed int    `json:"hashed"`
}

// labels are a service's labels: only the team (teamLabel).
type labels struct {
	Team string `json:"team"`
}

type infrastructure struct {
	Postgres   postgres   `json:"postgres"`
	Redis      redis      `json:"redis"`
	Zookeeper  zookeeper  `json:"zookeeper"`
	Kafka      kafka      `json:"kafka"`
	ClickHouse clickhouse `json:"clickhouse"`
	External   []external `json:"external"`
}

type postgres struct {
	Port       int      `json:"port"`
	Extensions []string `json:"extensions"`
}

type redis struct {
	Port            int    `json:"port"`
	Nodes           int    `json:"nodes"`
	Storage         string `json:"storage"`
	Memory          string `json:"memory"`
	MaxmemoryPolicy string `json:"maxmemoryPolicy"`
}

type zookeeper struct {
	Port int `json:"port"`
}

type kafka struct {
	Port      int    `json:"port"`
	Mode      string `json:"mode"`
	Brokers   int    `json:"brokers"`
	Retention string `json:"retention"`
	JMXPort   int    `json:"jmxPort"`
}

type clickhouse struct {
	Port     int    `json:"port"`
	HTTPPort int    `json:"httpPort"`
	Shards   int    `json:"shards"`
	Replicas int    `json:"replicas"`
	Storage  string `json:"storage"`
	Database string `json:"database"`
}

type external struct {
	Name string `json:"name"`
	Host string `json:"host"`
	Port int    `json:"port"`
}

type database struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ReadOnly    bool   `json:"readOnly,omitempty"`
	ReaderRole  string `json:"readerRole,omitempty"`
}

type topic struct {
	Name       string `json:"name"`
	Partitions int    `json:"partitions"`
}

type service struct {
	Name      string     `json:"name"`
	Labels    *labels    `json:"labels,omitempty"`
	Database  string     `json:"database,omitempty"`
	DependsOn []string   `json:"dependsOn,omitempty"`
	Produces  []string   `json:"produces,omitempty"`
	Consumes  []string   `json:"consumes,omitempty"`
	Replicas  *int       `json:"replicas,omitempty"`
	Resources *resources `json:"resources,omitempty"`
}
