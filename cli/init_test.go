package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/pipeline"
)

const initGolden = "testdata/init.yaml"

// loadRendered loads the catalog at path as novagen validate does (every
// environment too) and renders it with every generator.
func loadRendered(t *testing.T, path string) *catalog.Catalog {
	t.Helper()
	cat, err := load.Load(path)
	require.NoError(t, err)
	require.NoError(t, load.CheckEnvironments(cat))
	var out bytes.Buffer
	require.NoError(t, pipeline.Render(cat, pipeline.Options{Registry: novagen}, &out))
	require.NotEmpty(t, out.String())
	return cat
}

// TestInitOutput: novagen init prints the catalog of testdata/init.yaml,
// which loads, validates in every environment and renders a Deployment
// per service.
func TestInitOutput(t *testing.T) {
	code, stdout, stderr := run("init", "-f", "-")
	require.Equal(t, 0, code, stderr)
	golden.Assert(t, initGolden, []byte(stdout))

	cat, err := load.Parse("init.yaml", []byte(stdout))
	require.NoError(t, err)
	require.NoError(t, load.CheckEnvironments(cat))
	require.NotEmpty(t, cat.EnvironmentNames)
	require.NotEmpty(t, cat.Databases())
	var out bytes.Buffer
	require.NoError(t, pipeline.Render(cat, pipeline.Options{Registry: novagen}, &out))
	objects, err := guard.Manifests("render", out.Bytes())
	require.NoError(t, err)
	deployments := map[string]bool{}
	for _, o := range objects {
		if o.GetKind() == "Deployment" {
			deployments[o.GetName()] = true
		}
	}
	for _, s := range cat.Spec.Services {
		assert.True(t, deployments[s.Name], "a Deployment %s", s.Name)
		assert.NotEmpty(t, cat.Reaches(s.Name), "every starter service depends on something")
	}
}

// TestInitFlags: each flag's value is where the catalog says.
func TestInitFlags(t *testing.T) {
	tests := []struct {
		args                              []string
		name, namespace, registry, tagged string
	}{
		{nil, "shop", "shop", "registry.example.com/shop", "0.1.0"},
		{[]string{"--name", "payments"}, "payments", "payments", "registry.example.com/payments", "0.1.0"},
		{[]string{"--name", "acme", "--namespace", "acme-staging", "--registry", "ghcr.io/acme", "--tag", "2.3.4"}, "acme", "acme-staging", "ghcr.io/acme", "2.3.4"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(append([]string{"init", "--stdout"}, tt.args...)...)
			require.Equal(t, 0, code, stderr)
			cat, err := load.Parse("init.yaml", []byte(stdout))
			require.NoError(t, err)
			assert.Equal(t, tt.name, cat.Metadata.Name)
			assert.Equal(t, tt.namespace, cat.Spec.Namespace)
			assert.Equal(t, tt.registry, cat.Spec.Defaults.Image.Registry)
			assert.Equal(t, tt.tagged, cat.Spec.Defaults.Image.Tag)
		})
	}
}

// TestInitWritesFile: init writes -f, refuses to replace it without
// --force, and replaces it with.
func TestInitWritesFile(t *testing.T) {
	want, err := os.ReadFile(initGolden)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "services.yaml")

	code, stdout, stderr := run("init", "-f", path)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "wrote "+path)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
	loadRendered(t, path)

	require.NoError(t, os.WriteFile(path, []byte("mine\n"), 0o600))
	require.NoError(t, os.Chmod(path, 0o600))
	code, stdout, stderr = run("init", "-f", path)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, path+" exists: novagen init --service NAME adds a service to it, --force replaces it")
	got, _ = os.ReadFile(path)
	assert.Equal(t, "mine\n", string(got), "an existing file is kept without --force")

	code, _, stderr = run("init", "-f", path, "--force")
	require.Equal(t, 0, code, stderr)
	got, _ = os.ReadFile(path)
	assert.Equal(t, string(want), string(got))
	info, _ = os.Stat(path)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "--force keeps the file's permissions")
	assertOnlyFiles(t, filepath.Dir(path), "services.yaml")
}

// assertOnlyFiles: dir holds exactly names (no temporary file left).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got)
}

// TestInitHostileValues: a flag value that is not what the catalog
// allows is refused with the flag's name, and nothing is written; none
// can add YAML of its own.
func TestInitHostileValues(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--name", "a\nb: c"}, `--name: metadata.name: "a"… is not a DNS-1035 label`},
		{[]string{"--name", `"`}, `--name: metadata.name: "\"" is not a DNS-1035 label`},
		{[]string{"--name", "#"}, `--name: metadata.name: "#" is not a DNS-1035 label`},
		{[]string{"--namespace", "x\n  evil: 1"}, `--namespace: spec.namespace: "x"… is not a DNS-1123 label`},
		{[]string{"--registry", "r.example/x # c"}, `--registry: spec.defaults.image.registry: "r.example/x # c" is not an image repository`},
		{[]string{"--tag", "1\nkind: Secret"}, `--tag: spec.defaults.image.tag: "1"…`},
		{[]string{"--tag", ""}, `--tag: spec.defaults.image.tag`},
		{[]string{"--name", "Shop"}, `--name: spec.namespace: "Shop" is not a DNS-1123 label`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "services.yaml")
			code, stdout, stderr := run(append([]string{"init", "-f", path}, tt.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, path+": "+tt.want)
			assertOnlyFiles(t, dir)
		})
	}
}

// catalogCopy copies the catalog at src into a new directory, with the
// repository's protos (services.yaml's contracts), and returns its path.
func catalogCopy(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(filepath.Join(dir, "protos"), os.DirFS("../protos")))
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	path := filepath.Join(dir, "services.yaml")
	require.NoError(t, os.WriteFile(path, data, 0o640))
	return path
}

// Catalogs init --service edits in the tests: the staging catalog, the
// init output, and shapes it must keep valid (flow style, anchors).
const (
	flowCatalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: flow}
spec: {namespace: flow, defaults: {image: {registry: r.example/flow, tag: "1"}},
  infrastructure: {postgres: {}}, databases: [{name: a}],
  services: [{name: a, database: a}]}  # all flow
`
	anchorsHead = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata:
  name: anchors
spec:
  namespace: anchors
  defaults:
    image: {registry: r.example/anchors, tag: "1"}
  services:
`
	anchorCatalog = anchorsHead + `    - &base
      name: a
      description: shared
    - <<: *base   # b is a with its own name
      name: b
`
	anchoredLastCatalog = anchorsHead + `    - name: a
    # the last item has an anchor: init cannot place text after it
    - &last
      name: b
`
)

// writeTemp writes text as a catalog in a new directory.
func writeTemp(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "services.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// TestAddService: --service adds one entry (and with --database one
// more) to a catalog that still validates and renders; where the lists
// are block sequences, every byte of the file but the inserted lines is
// kept.
func TestAddService(t *testing.T) {
	initOut, err := os.ReadFile(initGolden)
	require.NoError(t, err)
	tests := []struct {
		name      string
		catalog   func(t *testing.T) string
		args      []string
		preserved bool // only lines inserted
	}{
		{"staging", func(t *testing.T) string { return catalogCopy(t, staging) },
			[]string{"--service", "billing-service"}, true},
		{"staging, database, dependencies, port", func(t *testing.T) string { return catalogCopy(t, staging) },
			[]string{"--service", "billing-service", "--database", "--depends-on", "postgres,user-service", "--port", "50052", "--description", "billing"}, true},
		{"init output", func(t *testing.T) string { return writeTemp(t, string(initOut)) },
			[]string{"--service", "payments", "--depends-on", "orders-service", "--database"}, true},
		{"init output, CRLF", func(t *testing.T) string {
			return writeTemp(t, strings.ReplaceAll(string(initOut), "\n", "\r\n"))
		}, []string{"--service", "payments", "--database"}, true},
		{"no databases list yet", func(t *testing.T) string {
			return writeTemp(t, strings.Replace(flowCatalog, "databases: [{name: a}],\n  services: [{name: a, database: a}]", "services: [{name: a}]", 1))
		}, []string{"--service", "b", "--database"}, false},
		{"hostile description kept as text", func(t *testing.T) string { return writeTemp(t, string(initOut)) },
			[]string{"--service", "payments", "--description", "a\nb: c # \"x\"\n- '"}, true},
		{"flow style", func(t *testing.T) string { return writeTemp(t, flowCatalog) },
			[]string{"--service", "b", "--database", "--depends-on", "a"}, false},
		{"anchors and merge keys", func(t *testing.T) string { return writeTemp(t, anchorCatalog) },
			[]string{"--service", "c", "--depends-on", "a,b"}, true},
		{"anchored last item", func(t *testing.T) string { return writeTemp(t, anchoredLastCatalog) },
			[]string{"--service", "c"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.catalog(t)
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			info, err := os.Stat(path)
			require.NoError(t, err)
			old, err := load.Load(path)
			require.NoError(t, err)

			code, stdout, stderr := run(append([]string{"init", "-f", path}, tt.args...)...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, stdout, "added service")

			after, err := os.ReadFile(path)
			require.NoError(t, err)
			cat := loadRendered(t, path)
			name, _ := flagValue(tt.args, "--service")
			s, ok := cat.Service(name)
			require.True(t, ok, "the new service is in the catalog")
			assert.Len(t, cat.Spec.Services, len(old.Spec.Services)+1)
			assert.Equal(t, name, cat.Spec.Services[len(cat.Spec.Services)-1].Name, "appended last")
			if d, ok := flagValue(tt.args, "--description"); ok {
				assert.Equal(t, d, s.Description, "the description is exactly the flag's text")
			}
			wantDBs := len(old.Spec.Databases)
			if hasFlag(tt.args, "--database") {
				wantDBs++
				assert.Equal(t, strings.ReplaceAll(name, "-", "_"), s.Database)
			}
			assert.Len(t, cat.Spec.Databases, wantDBs)
			if tt.preserved {
				assertOnlyInserted(t, string(before), string(after), wantDBs-len(old.Spec.Databases)+1)
			}
			info2, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, info.Mode().Perm(), info2.Mode().Perm(), "the file keeps its permissions")
		})
	}
}

func flagValue(args []string, flag string) (string, bool) {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag {
			return true
		}
	}
	return false
}

// assertOnlyInserted: after is before with blocks lines inserted, and
// nothing else changed; each block reads as one list item.
func assertOnlyInserted(t *testing.T, before, after string, blocks int) {
	t.Helper()
	m := difflib.NewMatcher(difflib.SplitLines(before), difflib.SplitLines(after))
	inserted := 0
	for _, op := range m.GetOpCodes() {
		switch op.Tag {
		case 'e':
		case 'i':
			inserted++
			block := strings.Join(difflib.SplitLines(after)[op.J1:op.J2], "")
			var items []map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(dedent(block)), &items), "inserted:\n%s", block)
			assert.Len(t, items, 1, "inserted:\n%s", block)
		default:
			t.Errorf("lines of the catalog changed (%c):\n%s", op.Tag, golden.Diff("before", []byte(before), "after", []byte(after)))
		}
	}
	assert.Equal(t, blocks, inserted, "inserted blocks:\n%s", golden.Diff("before", []byte(before), "after", []byte(after)))
}

// dedent removes the indentation of block's first line from each line.
func dedent(block string) string {
	n := len(block) - len(strings.TrimLeft(block, " "))
	lines := strings.SplitAfter(block, "\n")
	for i, l := range lines {
		if len(l) >= n && strings.TrimSpace(l[:n]) == "" {
			lines[i] = l[n:]
		}
	}
	return strings.Join(lines, "")
}

// TestAddServiceErrors: a service the catalog cannot take is refused with
// the flag that gave the value and the place the conflict is, and the
// file is left as it was.
func TestAddServiceErrors(t *testing.T) {
	noPostgres := `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata:
  name: small
spec:
  namespace: small
  defaults:
    image: {registry: r.example/small, tag: "1"}
  services:
    - name: a
`
	tests := []struct {
		name    string
		catalog string // "" the staging catalog
		args    []string
		want    []string // {path} is the catalog's path
	}{
		{"name used by a service", "", []string{"--service", "auth-service"},
			[]string{`{path}: --service: duplicate name "auth-service": already used by service at {path}:{auth-service}:13`}},
		{"name used by infrastructure", "", []string{"--service", "postgres"},
			[]string{`{path}: --service: duplicate name "postgres"`}},
		{"unknown dependency", "", []string{"--service", "billing", "--depends-on", "user-service,nope"},
			[]string{`{path}: --depends-on: service "billing" depends on unknown "nope"`}},
		{"dependency on itself", "", []string{"--service", "billing", "--depends-on", "billing"},
			[]string{`{path}: --depends-on: service "billing" depends on itself`}},
		{"database without postgres", noPostgres, []string{"--service", "b", "--database"},
			[]string{`{path}: --database: service "b" has database "b" but spec.infrastructure.postgres is not declared`}},
		{"database name taken", "", []string{"--service", "nova-auth", "--database"},
			[]string{`{path}: --database: duplicate database "nova_auth"`}},
		{"port", "", []string{"--service", "billing", "--port", "70000"},
			[]string{`{path}: --port: spec.services[15].ports.grpc: 70000 is not a port number from 1 to 65535`}},
		{"hostile name", "", []string{"--service", "a\nb: c"},
			[]string{`{path}: --service: spec.services[15].name: "a"… is not a DNS-1035 label`}},
		{"quote", "", []string{"--service", `"`, "--database"},
			[]string{`{path}: --service: spec.services[15].name: "\"" is not a DNS-1035 label`, `{path}: --database: spec.databases[15].name: "\"" is not a lower-case SQL identifier`}},
		{"hash", "", []string{"--service", "#"},
			[]string{`{path}: --service: spec.services[15].name: "#" is not a DNS-1035 label`}},
		{"hostile dependency", "", []string{"--service", "billing", "--depends-on", "a\nb: c"},
			[]string{`{path}: --depends-on: spec.services[15].dependsOn[0]: "a"… is not a DNS-1123 label`}},
		{"flag of a new catalog", "", []string{"--service", "billing", "--name", "x"},
			[]string{"--name does not apply to --service"}},
		{"catalog that does not validate", noPostgres + "      dependsOn: [nope]\n", []string{"--service", "b"},
			[]string{`{path}:11:19: service "a" depends on unknown "nope"`, "{path}: fix the catalog first"}},
		{"not a catalog", "kind: List\n", []string{"--service", "b"},
			[]string{"{path}:1:7: not a ServiceCatalog", "{path}: fix the catalog first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := catalogCopy(t, staging)
			if tt.catalog != "" {
				require.NoError(t, os.WriteFile(path, []byte(tt.catalog), 0o644))
			}
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			code, stdout, stderr := run(append([]string{"init", "-f", path}, tt.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			for _, w := range tt.want {
				if strings.Contains(w, "{auth-service}") {
					w = strings.ReplaceAll(w, "{auth-service}", strconv.Itoa(lineOf(t, before, "- name: auth-service\n")))
				}
				assert.Contains(t, stderr, strings.ReplaceAll(w, "{path}", path))
			}
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(before), string(after), "the file is left as it was")
			assertOnlyFiles(t, filepath.Dir(path), "protos", "services.yaml")
		})
	}
}

// lineOf is the line of data where text is.
func lineOf(t *testing.T, data []byte, text string) int {
	i := bytes.Index(data, []byte(text))
	require.GreaterOrEqual(t, i, 0)
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// TestAddServiceOutputs: -f - reads the catalog on stdin and prints the
// result; --stdout prints it and leaves the file; a symlink stays one.
func TestAddServiceOutputs(t *testing.T) {
	initOut, err := os.ReadFile(initGolden)
	require.NoError(t, err)

	var out, errOut bytes.Buffer
	code := Run(novagen, []string{"init", "-f", "-", "--service", "payments"}, bytes.NewReader(initOut), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assertOnlyInserted(t, string(initOut), out.String(), 1)

	path := writeTemp(t, string(initOut))
	code, stdout, stderr := run("init", "-f", path, "--service", "payments", "--stdout")
	require.Equal(t, 0, code, stderr)
	assertOnlyInserted(t, string(initOut), stdout, 1)
	got, _ := os.ReadFile(path)
	assert.Equal(t, string(initOut), string(got), "--stdout leaves the file")

	link := filepath.Join(filepath.Dir(path), "link.yaml")
	require.NoError(t, os.Symlink("services.yaml", link))
	code, _, stderr = run("init", "-f", link, "--service", "payments")
	require.Equal(t, 0, code, stderr)
	target, err := os.Readlink(link)
	require.NoError(t, err)
	assert.Equal(t, "services.yaml", target, "the link is kept; the file it names is edited")
	got, _ = os.ReadFile(path)
	assertOnlyInserted(t, string(initOut), string(got), 1)
	assertOnlyFiles(t, filepath.Dir(path), "services.yaml", "link.yaml")
}

// TestOriginalLine: a line of the edited catalog is the user's line it
// was, or init's own: splices insert 2 lines before line 5 and 3 before
// line 9 of the original.
func TestOriginalLine(t *testing.T) {
	splices := []splice{{line: 5, text: "a\nb\n"}, {line: 9, text: "c\nd\ne\n"}}
	tests := []struct {
		line, want int
		ours       bool
	}{
		{1, 1, false}, {4, 4, false}, {5, 0, true}, {6, 0, true}, {7, 5, false},
		{10, 8, false}, {11, 0, true}, {13, 0, true}, {14, 9, false}, {20, 15, false},
	}
	for _, tt := range tests {
		got, ours := originalLine(splices, tt.line)
		assert.Equal(t, tt.ours, ours, "line %d", tt.line)
		assert.Equal(t, tt.want, got, "line %d", tt.line)
	}
}

// TestAppendServiceUnplaceable: lists init cannot add to are refused
// with a reason, never a panic.
func TestAppendServiceUnplaceable(t *testing.T) {
	e := newServiceEntry(initOptions{service: "b", database: true}, false)
	for _, data := range []string{
		"spec:\n  <<: {services: [{name: a}]}\n",
		"spec: {services: &s [{name: a}], databases: *s}\n",
		"x: &s [{name: a}]\nspec: {services: *s}\n",
	} {
		_, err := appendService("c.yaml", []byte(data), e)
		assert.ErrorContains(t, err, "add the service by hand", data)
	}
}

// FuzzAppendService: whatever the catalog, adding a service ends in an
// error or in text that reads as the catalog plus the service (which
// appendService checks itself); never a panic.
func FuzzAppendService(f *testing.F) {
	for _, p := range []string{staging, initGolden} {
		data, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(flowCatalog))
	f.Add([]byte(anchorCatalog))
	f.Add([]byte(anchoredLastCatalog))
	f.Fuzz(func(t *testing.T, data []byte) {
		if (app{novagen}).checkCatalog("c.yaml", data) != nil {
			return // init --service refuses it before editing
		}
		e := newServiceEntry(initOptions{service: "fuzz-added", database: true, dependsOn: []string{"x"}}, true)
		edit, err := appendService("c.yaml", data, e)
		if err != nil {
			return
		}
		var v map[string]any
		require.NoError(t, yaml.Unmarshal(edit.data, &v))
	})
}

// TestInitFlagsApply: a flag of the other mode is refused, not ignored.
func TestInitFlagsApply(t *testing.T) {
	runCommandCases(t, []commandCase{
		{"--database without --service", []string{"init", "--stdout", "--database"}, 1, nil, []string{"--database does not apply to a new catalog (no --service)"}},
		{"--depends-on without --service", []string{"init", "--stdout", "--depends-on", "x"}, 1, nil, []string{"--depends-on does not apply to a new catalog"}},
		{"--registry with --service", []string{"init", "-f", staging, "--service", "x", "--registry", "r.example/x"}, 1, nil, []string{"--registry does not apply to --service"}},
		{"an argument", []string{"init", "shop"}, 1, nil, []string{`unknown command "shop"`}},
	})
}
