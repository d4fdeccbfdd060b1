package contracts

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/contracts/registry"
	"github.com/novagen/novagen/naming"
)

// GenerateScript generates code from the proto tree with protoc or buf;
// the versions ConfigMap carries it (naming.KeyProtoGenerate).
//
//go:embed generate.sh
var GenerateScript string

// The contracts' plain data lives in package registry (protobuf-free, so
// the catalog model and the generators can hold it); these are its names
// here.
type (
	ConfigMap       = registry.ConfigMap
	Registry        = registry.Registry
	RegistryService = registry.RegistryService
	Ports           = registry.Ports
)

// MaxConfigMapBytes is registry.MaxConfigMapBytes.
const MaxConfigMapBytes = registry.MaxConfigMapBytes

// Size is registry.Size; Major is registry.Major.
var (
	Size  = registry.Size
	Major = registry.Major
)

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

// Render returns the contract ConfigMaps: the definitions (and the
// previous release's, when there is one), versions, service registry and
// docs.
func Render(in Input) ([]ConfigMap, error) {
	out := []ConfigMap{tree(naming.ProtoDefinitions(in.Catalog, Major(in.Current.Version)), in.Current.Files, in.BufConfig)}
	if in.Previous != nil {
		out = append(out, tree(naming.ProtoDefinitionsPrevious(in.Catalog), in.Previous.Files, in.BufConfig))
	}
	reg, err := registryData(in.Registry)
	if err != nil {
		return nil, err
	}
	return append(out,
		ConfigMap{Name: naming.ProtoVersions(in.Catalog), Data: versions(in)},
		ConfigMap{Name: naming.ServiceRegistry(in.Catalog), Data: reg},
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
