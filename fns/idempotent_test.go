package fns

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/render"
)

// TestExecuteIdempotent: for every test case that succeeds, the function
// run on its own output (the ResourceList it wrote, function config
// included) writes the same bytes again: kpt re-runs functions on a
// package that holds their output.
func TestExecuteIdempotent(t *testing.T) {
	ran := 0
	for name, in := range executeCases(t) {
		if _, err := os.Stat(filepath.Join(filepath.Dir(name), "errors.txt")); err == nil {
			continue // a failing case
		}
		ran++
		t.Run(name, func(t *testing.T) {
			chdirCase(t, name)
			var once, twice bytes.Buffer
			require.NoError(t, function.Execute(bytes.NewReader(in), &once))
			require.NoError(t, function.Execute(bytes.NewReader(once.Bytes()), &twice))
			if !bytes.Equal(once.Bytes(), twice.Bytes()) {
				t.Fatalf("a second run changed the output:\n%s", golden.Diff("once", once.Bytes(), "twice", twice.Bytes()))
			}
		})
	}
	require.GreaterOrEqual(t, ran, 4, "successful cases run")
}

// TestExamplesAsKptPackages runs each example's function configs the way
// kpt fn render does (in the kustomization's order, each over the
// previous one's output, each config annotated with its file and its
// package) from the repository root, not the package: the catalog paths
// resolve against the configs' files. The first pass gives the objects
// kustomize builds (golden/examples, which make e2e checks against the
// real kustomize), and a second pass over them changes nothing.
func TestExamplesAsKptPackages(t *testing.T) {
	t.Setenv(PartitionEnv, "")
	t.Setenv(ArgoCDPartitionEnv, "")
	t.Chdir("..")
	dirs, err := filepath.Glob(filepath.Join("examples", "*"))
	require.NoError(t, err)
	ran := 0
	for _, dir := range dirs {
		if testtool.OwnModule(dir) {
			continue // its own novagen's: make custom-generator-e2e
		}
		configs := kustomizationFunctions(t, dir)
		if len(configs) == 0 {
			continue // an overlay: kustomize's own, nothing for kpt to run
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			once := runChain(t, configs, nil)
			twice := runChain(t, configs, once)
			a, b := itemBytes(t, once), itemBytes(t, twice)
			if !bytes.Equal(a, b) {
				t.Fatalf("a second pass changed the package:\n%s", golden.Diff("once", a, "twice", b))
			}
			want, err := os.ReadFile(filepath.Join("golden", "examples", filepath.Base(dir)+".yaml"))
			require.NoError(t, err)
			wantItems, err := render.Parse(want)
			require.NoError(t, err)
			if got, want := sortedBytes(t, once), sortedBytes(t, wantItems); !bytes.Equal(got, want) {
				t.Fatalf("the objects differ from kustomize's:\n%s", golden.Diff("kustomize", want, "kpt-like", got))
			}
			ran++
		})
	}
	require.GreaterOrEqual(t, ran, 4, "examples run")
}

// kustomizationFunctions are the function configs of the kustomization
// in dir, in the order kustomize runs them (generators, transformers),
// each annotated as kpt fn render annotates a package's files: its path
// in the package and the package's absolute directory.
func kustomizationFunctions(t *testing.T, dir string) []*yaml.RNode {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	require.NoError(t, err)
	var k struct {
		Generators   []string `yaml:"generators"`
		Transformers []string `yaml:"transformers"`
	}
	require.NoError(t, yaml.Unmarshal(data, &k))
	pkg, err := filepath.Abs(dir)
	require.NoError(t, err)
	var out []*yaml.RNode
	for _, file := range append(k.Generators, k.Transformers...) {
		cfg, err := yaml.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		for key, value := range map[string]string{kioutil.PathAnnotation: file, kioutil.LegacyPathAnnotation: file, PackagePathAnnotation: pkg} {
			require.NoError(t, cfg.PipeE(yaml.SetAnnotation(key, value)))
		}
		out = append(out, cfg)
	}
	return out
}

// runChain runs the function once per config, each over the items the
// previous run wrote.
func runChain(t *testing.T, configs []*yaml.RNode, items []*yaml.RNode) []*yaml.RNode {
	t.Helper()
	for _, cfg := range configs {
		var in, out bytes.Buffer
		require.NoError(t, render.WriteResourceList(&in, "config.kubernetes.io/v1", "ResourceList", items, cfg, nil))
		require.NoError(t, function.Execute(&in, &out), "config %s", cfg.GetName())
		var err error
		items, err = (&kio.ByteReader{Reader: &out, OmitReaderAnnotations: true}).Read()
		require.NoError(t, err)
	}
	return items
}

func itemBytes(t *testing.T, items []*yaml.RNode) []byte {
	t.Helper()
	b, err := render.Bytes(items)
	require.NoError(t, err)
	return b
}

func sortedBytes(t *testing.T, items []*yaml.RNode) []byte {
	t.Helper()
	items = append([]*yaml.RNode(nil), items...)
	render.Sort(items)
	return itemBytes(t, items)
}

// TestConfigDirOption: kpt fn eval --fn-config hands the function its
// config with no path; --config-dir (relative to the working directory)
// says where it lies, and wins over what the config says.
func TestConfigDirOption(t *testing.T) {
	t.Chdir("../examples")
	cfg, err := yaml.ReadFile(filepath.Join("production", "novagen.yaml"))
	require.NoError(t, err)
	var in bytes.Buffer
	require.NoError(t, render.WriteResourceList(&in, "config.kubernetes.io/v1", "ResourceList", nil, cfg, nil))
	var out bytes.Buffer
	require.ErrorContains(t, function.Execute(bytes.NewReader(in.Bytes()), &out), "outside the repository", "from examples/, ../../services.yaml leaves the repository")
	out.Reset()
	require.NoError(t, Options{Registry: function.Registry, ConfigDir: "production"}.Execute(bytes.NewReader(in.Bytes()), &out))
	require.Contains(t, out.String(), "kind: Deployment")
	require.NoError(t, cfg.PipeE(yaml.SetAnnotation(kioutil.PathAnnotation, "elsewhere/novagen.yaml")))
	in.Reset()
	require.NoError(t, render.WriteResourceList(&in, "config.kubernetes.io/v1", "ResourceList", nil, cfg, nil))
	require.NoError(t, Options{Registry: function.Registry, ConfigDir: "production"}.Execute(bytes.NewReader(in.Bytes()), &out))
}

// TestParseArgs: `novagen fn` takes no argument but --config-dir DIR.
func TestParseArgs(t *testing.T) {
	for _, args := range [][]string{nil, {"--config-dir", "pkg"}, {"--config-dir=pkg"}} {
		o, ok := ParseArgs(args)
		require.True(t, ok, "%q", args)
		if args != nil {
			require.Equal(t, "pkg", o.ConfigDir)
		}
	}
	for _, args := range [][]string{{"--help"}, {"--config-dir"}, {"--config-dir="}, {"--config-dir", ""}, {"x"}, {"--config-dir", "a", "b"}} {
		_, ok := ParseArgs(args)
		require.False(t, ok, "%q", args)
	}
}
