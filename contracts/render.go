package contracts

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/naming"
)

// GenerateScript generates code from the proto tree with protoc or buf;
// the versions ConfigMap carries it (naming.KeyProtoGenerate).
//
//go:embed generate.sh
var GenerateScript string

// MaxConfigMapBytes is the most data a ConfigMap may hold: the API server
// adds up the lengths of every key and value and refuses more than 1 MiB.
const MaxConfigMapBytes = 1 << 20

// Size is a ConfigMap's data size as the API server counts it.
func Size(data map[string]string) int {
	n := 0
	for k, v := range data {
		n += len(k) + len(v)
	}
	return n
}

// Registry is the service registry: one entry per catalog service, built
// from the catalog alone and written as YAML and as JSON from this one
// struct, so the two cannot disagree with each other or the catalog.
type Registry struct {
	// APIVersion is the contracts' version (spec.contracts.version).
	APIVersion string            `json:"apiVersion"`
	Namespace  string            `json:"namespace"`
	Services   []RegistryService `json:"services"`
}

// RegistryService is one catalog service.
type RegistryService struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Protocol is how it serves: grpc or http.
	Protocol string `json:"protocol"`
	// Address is host:port of the service's Service, its serving port.
	Address   string   `json:"address"`
	Database  string   `json:"database,omitempty"`
	Ports     Ports    `json:"ports"`
	DependsOn []string `json:"dependsOn"`
	// Health is the health endpoint: grpc.health.v1.Health/Check for a
	// grpc service, "GET <path>" for an http one.
	Health   string   `json:"health"`
	Produces []string `json:"produces"`
	Consumes []string `json:"consumes"`
}

// Ports are a service's serving port (gRPC or HTTP, by protocol) and
// its metrics port.
type Ports struct {
	GRPC    int32 `json:"grpc,omitempty"`
	HTTP    int32 `json:"http,omitempty"`
	Metrics int32 `json:"metrics"`
}

// Release is one version of the contracts: its files, compiled.
type Release struct {
	Version string
	Files   []File
}

// Input is everything the contract ConfigMaps are made of.
type Input struct {
	Catalog  string // the catalog's name: the ConfigMaps' prefix
	Current  Release
	Previous *Release // the release buf breaking compares against
	// BufConfig is the buf configuration (buf.yaml) of the tree, if any.
	BufConfig *Source
	Registry  Registry
}

// ConfigMap is the name and data of one contract ConfigMap; Paths maps
// each key of a tree of proto files back to its path (volume items).
type ConfigMap struct {
	Name  string
	Data  map[string]string
	Paths map[string]string
}

// Major is the major version of a semantic version: "1" of "1.0.0".
func Major(version string) string {
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	return major
}

// Render returns the contract ConfigMaps: the definitions (and the
// previous release's, when there is one), versions, service registry and
// docs.
func Render(in Input) ([]ConfigMap, error) {
	out := []ConfigMap{tree(naming.ProtoDefinitions(in.Catalog, Major(in.Current.Version)), in.Current.Files, in.BufConfig)}
	if in.Previous != nil {
		out = append(out, tree(naming.ProtoDefinitionsPrevious(in.Catalog), in.Previous.Files, in.BufConfig))
	}
	registry, err := registryData(in.Registry)
	if err != nil {
		return nil, err
	}
	return append(out,
		ConfigMap{Name: naming.ProtoVersions(in.Catalog), Data: versions(in)},
		ConfigMap{Name: naming.ServiceRegistry(in.Catalog), Data: registry},
		ConfigMap{Name: naming.ProtoDocs(in.Catalog), Data: map[string]string{naming.KeyProtoDocs: Docs(in)}},
	), nil
}

// tree is a ConfigMap of proto files under flattened keys.
func tree(name string, files []File, config *Source) ConfigMap {
	cm := ConfigMap{Name: name, Data: map[string]string{}, Paths: map[string]string{}}
	for _, f := range files {
		key := naming.ProtoKey(f.Path)
		cm.Data[key], cm.Paths[key] = f.Content, f.Path
	}
	if config != nil {
		cm.Data[naming.KeyBufConfig], cm.Paths[naming.KeyBufConfig] = config.Content, naming.KeyBufConfig
	}
	return cm
}

func versions(in Input) map[string]string {
	var sums strings.Builder
	files := slices.Clone(in.Current.Files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	data := map[string]string{
		naming.KeyProtoVersion:   in.Current.Version,
		naming.KeyProtoChecksums: sums.String(),
		naming.KeyProtoGenerate:  GenerateScript,
	}
	if in.Previous != nil {
		data[naming.KeyProtoPrevious] = in.Previous.Version
	}
	return data
}

func registryData(r Registry) (map[string]string, error) {
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	y, err := yaml.Marshal(r)
	if err != nil {
		return nil, err
	}
	return map[string]string{naming.KeyRegistryJSON: string(j) + "\n", naming.KeyRegistryYAML: string(y)}, nil
}
