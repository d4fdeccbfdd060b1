package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
)

const partitioned = "../examples/partitioned/services.yaml"

func TestPartitionCommands(t *testing.T) {
	runCommandCases(t, []commandCase{
		{"partitions lists infrastructure first, with service counts", []string{"partitions", "-f", partitioned}, 0,
			[]string{"PARTITION       SERVICES\ninfrastructure  0\ncontent         3\nhash-0          2\nhash-1          7\nidentity        3\n"}, nil},
		{"partitions refuses an unpartitioned catalog", []string{"partitions", "-f", staging}, 1, nil,
			[]string{"../services.yaml: the catalog declares no spec.partitions: add e.g. spec.partitions: {label: team, hashed: 4}"}},
		{"partitions refuses an unknown output", []string{"partitions", "-f", partitioned, "-o", "xml"}, 1, nil, []string{`--output "xml": expected table or json`}},
		{"render renders one partition", []string{"render", "-f", partitioned, "--partition", "identity"}, 0,
			[]string{"name: auth-service", "name: identity-service"}, nil},
		{"render refuses an unknown partition", []string{"render", "-f", partitioned, "-p", "nope"}, 1, nil,
			[]string{`novagen: ../examples/partitioned/services.yaml: --partition: partition "nope" is not in the catalog: it has infrastructure, content, hash-0, hash-1, identity`}},
		{"render refuses a partition of an unpartitioned catalog", []string{"render", "-f", staging, "-p", "identity"}, 1, nil,
			[]string{`--partition: partition "identity": the catalog declares no spec.partitions`}},
	})
	code, out, _ := run("render", "-f", partitioned, "-p", "identity")
	require.Equal(t, 0, code)
	nodes, err := render.Parse([]byte(out))
	require.NoError(t, err)
	got := map[string]bool{}
	for _, n := range nodes {
		got[n.GetKind()+"/"+n.GetName()] = true
	}
	assert.True(t, got["Deployment/auth-service"], "its own service")
	assert.False(t, got["Deployment/content-service"], "another partition's service")
	assert.False(t, got["Namespace/nova-partitioned"], "the infrastructure partition's")
}

// TestPartitionsFilesAreCurrent: every examples/*/partitions.json is what
// `novagen partitions -o json` says of the catalog beside it: the
// ApplicationSet's git files generator makes one Application per element,
// so a stale file would leave a partition undelivered. make golden
// rewrites them.
func TestPartitionsFilesAreCurrent(t *testing.T) {
	files, err := filepath.Glob("../examples/*/partitions.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			code, out, stderr := run("partitions", "-f", filepath.Join(filepath.Dir(f), "services.yaml"), "-o", "json")
			require.Equal(t, 0, code, stderr)
			golden.Assert(t, f, []byte(out))
		})
	}
}

// TestSynthPartitionsStaySmall: a synthetic catalog's partitions hold
// about 300 services or fewer at any size, so each renders fast.
func TestSynthPartitionsStaySmall(t *testing.T) {
	for _, n := range []int{1, 300, 2000, 10000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			code, out, stderr := run("synth", "--services", fmt.Sprint(n))
			require.Equal(t, 0, code, stderr)
			var list, errOut bytes.Buffer
			code = Run(novagen, []string{"partitions", "-f", "-"}, strings.NewReader(out), &list, &errOut)
			stderr = errOut.String()
			require.Equal(t, 0, code, stderr)
			total := 0
			for _, line := range strings.Split(strings.TrimSpace(list.String()), "\n")[1:] {
				var name string
				var count int
				_, err := fmt.Sscan(line, &name, &count)
				require.NoError(t, err)
				assert.LessOrEqual(t, count, 300, line)
				total += count
			}
			assert.Equal(t, n, total)
		})
	}
}
