package apicontracts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/contracts/registry"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// catalogs are the golden cases and the real catalog.
var catalogs = []string{"testdata/minimal/catalog.yaml", "testdata/with-previous/catalog.yaml", "../../services.yaml"}

func TestNoContractsNoObjects(t *testing.T) {
	cat := generatortest.Load(t, "../namespace/testdata/minimal/catalog.yaml")
	require.Nil(t, cat.Spec.Contracts)
	objs, err := Generate(cat)
	require.NoError(t, err)
	assert.Empty(t, objs)
}

// tree is a proto tree restored from a ConfigMap the way kubelet does
// for the Job's volume: each item's key written at its path.
type tree struct {
	dir   string
	files []string // the .proto paths, sorted
}

// restore writes, for every ConfigMap volume of the Job, the ConfigMap's
// data at the items' paths, and checks the items cover every key once.
func restore(t *testing.T, objs map[string]any, job *batchv1.Job) map[string]tree {
	t.Helper()
	out := map[string]tree{}
	for _, v := range job.Spec.Template.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		cm, ok := objs["ConfigMap/"+v.ConfigMap.Name].(*corev1.ConfigMap)
		require.True(t, ok, "volume %s names ConfigMap %s, which is not rendered", v.Name, v.ConfigMap.Name)
		dir := t.TempDir()
		var keys []string
		tr := tree{dir: dir}
		for _, it := range v.ConfigMap.Items {
			content, ok := cm.Data[it.Key]
			require.True(t, ok, "item key %s is not in ConfigMap %s", it.Key, cm.Name)
			require.False(t, filepath.IsAbs(it.Path) || slices.Contains(strings.Split(it.Path, "/"), ".."))
			p := filepath.Join(dir, filepath.FromSlash(it.Path))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			keys = append(keys, it.Key)
			if strings.HasSuffix(it.Path, ".proto") {
				tr.files = append(tr.files, it.Path)
			}
		}
		slices.Sort(keys)
		var all []string
		for k := range cm.Data {
			all = append(all, k)
		}
		slices.Sort(all)
		require.Equal(t, all, keys, "the items of volume %s map every key of %s exactly once", v.Name, cm.Name)
		slices.Sort(tr.files)
		out[v.Name] = tr
	}
	return out
}

func render(t *testing.T, path string) (*catalog.Catalog, map[string]any, *batchv1.Job) {
	t.Helper()
	cat := generatortest.Load(t, path)
	objs, err := Generate(cat)
	require.NoError(t, err)
	byName := map[string]any{}
	var job *batchv1.Job
	for _, o := range objs {
		byName[o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName()] = o
		if j, ok := o.(*batchv1.Job); ok {
			job = j
		}
	}
	require.NotNil(t, job)
	return cat, byName, job
}

// TestTreeFromConfigMapCompiles: the tree the Job's volume restores is
// exactly the catalog's files, and compiles with protocompile reading
// the directory (not the loader's in-memory sources) and with Debian's
// protoc.
func TestTreeFromConfigMapCompiles(t *testing.T) {
	for _, path := range catalogs {
		t.Run(path, func(t *testing.T) {
			cat, objs, job := render(t, path)
			trees := restore(t, objs, job)
			cur := trees[volumeCurrent]
			want := slices.Clone(cat.Spec.Contracts.Files)
			slices.Sort(want)
			assert.Equal(t, want, cur.files)
			for name, tr := range trees {
				c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{ImportPaths: []string{tr.dir}})}
				res, err := c.Compile(context.Background(), tr.files...)
				require.NoError(t, err, "volume %s", name)
				assert.Len(t, res, len(tr.files))
			}
			protoc := testtool.Require(t, "protoc")
			for name, tr := range trees {
				args := append([]string{"-I", tr.dir, "--include_imports", "--descriptor_set_out=" + filepath.Join(t.TempDir(), "set.pb")}, tr.files...)
				out, err := exec.Command(protoc, args...).CombinedOutput()
				require.NoError(t, err, "protoc on volume %s: %s", name, out)
			}
		})
	}
}

// TestBufOnTreeFromConfigMap: the real buf (pinned in tools/go.mod;
// .ci/run builds it onto PATH) lints the restored tree as the Job does,
// and finds no breaking change against the previous release.
func TestBufOnTreeFromConfigMap(t *testing.T) {
	bufPath := testtool.Require(t, "buf")
	for _, path := range catalogs {
		t.Run(path, func(t *testing.T) {
			_, objs, job := render(t, path)
			trees := restore(t, objs, job)
			buf := func(args ...string) {
				cmd := exec.Command(bufPath, args...)
				cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+t.TempDir(), "HOME="+t.TempDir())
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "buf %s: %s", strings.Join(args, " "), out)
			}
			buf("lint", trees[volumeCurrent].dir)
			if prev, ok := trees[volumePrevious]; ok {
				buf("breaking", trees[volumeCurrent].dir, "--against", prev.dir)
			}
		})
	}
}

// TestRegistryMatchesCatalog: both forms of the registry list every
// catalog service, in catalog order, with its database, ports,
// dependencies, health endpoint and topics, read back from the rendered
// ConfigMap and compared field by field with the catalog.
func TestRegistryMatchesCatalog(t *testing.T) {
	for _, path := range catalogs {
		t.Run(path, func(t *testing.T) {
			cat, objs, _ := render(t, path)
			cm := objs["ConfigMap/"+naming.ServiceRegistry(cat.Metadata.Name)].(*corev1.ConfigMap)
			var fromJSON, fromYAML registry.Registry
			require.NoError(t, json.Unmarshal([]byte(cm.Data[naming.KeyRegistryJSON]), &fromJSON))
			require.NoError(t, yaml.UnmarshalStrict([]byte(cm.Data[naming.KeyRegistryYAML]), &fromYAML))
			assert.Equal(t, fromJSON, fromYAML, "YAML and JSON say the same")
			assert.Equal(t, cat.Spec.Contracts.Version, fromJSON.APIVersion)
			assert.Equal(t, cat.Spec.Namespace, fromJSON.Namespace)
			require.Len(t, fromJSON.Services, len(cat.Spec.Services))
			orEmpty := func(s []string) []string { return append([]string{}, s...) }
			for i, svc := range cat.Spec.Services {
				got := fromJSON.Services[i]
				assert.Equal(t, svc.Name, got.Name)
				assert.Equal(t, svc.Database, got.Database, svc.Name)
				assert.Equal(t, svc.Protocol, got.Protocol, svc.Name)
				assert.Equal(t, svc.Ports.GRPC, got.Ports.GRPC, svc.Name)
				assert.Equal(t, svc.Ports.HTTP, got.Ports.HTTP, svc.Name)
				assert.Equal(t, svc.Ports.Metrics, got.Ports.Metrics, svc.Name)
				// Exactly the serving port of its protocol.
				assert.True(t, (got.Ports.GRPC == 0) != (got.Ports.HTTP == 0), "%s: %+v", svc.Name, got.Ports)
				assert.Equal(t, orEmpty(svc.DependsOn), got.DependsOn, svc.Name)
				assert.Equal(t, orEmpty(svc.Produces), got.Produces, svc.Name)
				assert.Equal(t, orEmpty(svc.Consumes), got.Consumes, svc.Name)
				if svc.HTTP() {
					assert.Equal(t, "GET "+svc.HealthPath, got.Health, svc.Name)
				} else {
					assert.Equal(t, "grpc.health.v1.Health/Check", got.Health, svc.Name)
				}
				assert.Equal(t, fmt.Sprintf("%s.%s.svc.cluster.local:%d", svc.Name, cat.Spec.Namespace, svc.Port()), got.Address)
			}
		})
	}
}

// TestGenerateScript: generate.sh, as the versions ConfigMap carries it,
// is shellcheck-clean and, with protoc, checks the checksums and
// generates code from the restored tree.
func TestGenerateScript(t *testing.T) {
	cat, objs, job := render(t, "../../services.yaml")
	versions := objs["ConfigMap/"+naming.ProtoVersions(cat.Metadata.Name)].(*corev1.ConfigMap)
	script := versions.Data[naming.KeyProtoGenerate]

	check := exec.Command(testtool.Require(t, "shellcheck"), "--shell=sh", "-")
	check.Stdin = strings.NewReader(script)
	out, err := check.CombinedOutput()
	require.NoError(t, err, "shellcheck: %s", out)

	protoc := testtool.Require(t, "protoc")
	tr := restore(t, objs, job)[volumeCurrent]
	dir := t.TempDir()
	sums := filepath.Join(dir, "SHA256SUMS")
	require.NoError(t, os.WriteFile(sums, []byte(versions.Data[naming.KeyProtoChecksums]), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "generate.sh"), []byte(script), 0o755))
	gen := filepath.Join(dir, "gen")
	run := exec.Command("sh", filepath.Join(dir, "generate.sh"))
	run.Env = append(os.Environ(), "NOVA_PROTO_DIR="+tr.dir, "NOVA_PROTO_OUT="+gen, "NOVA_PROTO_LANGS=cpp python", "NOVA_PROTO_SUMS="+sums,
		"PATH="+filepath.Dir(protoc)+":"+os.Getenv("PATH"))
	out, err = run.CombinedOutput()
	require.NoError(t, err, "generate.sh: %s", out)
	for _, f := range tr.files {
		base := strings.TrimSuffix(f, ".proto")
		assert.FileExists(t, filepath.Join(gen, "cpp", base+".pb.h"))
		assert.FileExists(t, filepath.Join(gen, "python", base+"_pb2.py"))
	}

	// A changed file fails the checksum check before anything is generated.
	require.NoError(t, os.WriteFile(filepath.Join(tr.dir, filepath.FromSlash(tr.files[0])), []byte("// changed\n"), 0o644))
	again := exec.Command("sh", filepath.Join(dir, "generate.sh"))
	again.Env = append(run.Env, "NOVA_PROTO_OUT="+filepath.Join(dir, "again"))
	out, err = again.CombinedOutput()
	require.Error(t, err, "%s", out)
	assert.NoDirExists(t, filepath.Join(dir, "again"))
}

// TestPartitionsAddUp: the contract objects are shared, the
// infrastructure partition's.
func TestPartitionsAddUp(t *testing.T) {
	text, err := os.ReadFile("../../services.yaml")
	require.NoError(t, err)
	partitioned := strings.Replace(string(text), "\nspec:\n", "\nspec:\n  partitions: {hashed: 2}\n", 1)
	require.NotEqual(t, string(text), partitioned)
	root, err := os.OpenRoot("../..")
	require.NoError(t, err)
	defer root.Close()
	cat, err := load.ParseIn(root, "services.yaml", []byte(partitioned), "")
	require.NoError(t, err)
	generatortest.SharedPartitionsAddUp(t, Generate, cat)
}
