package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
)

// TestSizeGuard: an object over MaxObjectBytes fails the render, naming
// it, its generator and its catalog entry; one just under passes, and
// the estimate never lets an object over the limit through unmeasured.
func TestSizeGuard(t *testing.T) {
	cat, err := load.Load("../services.yaml")
	require.NoError(t, err)
	configMap := func(bytes int, owner string) *yaml.RNode {
		n := yaml.MustParse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  labels: {" + kube.LabelName + ": " + owner + "}\n  annotations: {" + kube.AnnotationGenerator + ": db-init}\ndata:\n  script: |\n    x\n")
		body := strings.Repeat(strings.Repeat("y", 99)+"\n", bytes/100)
		require.NoError(t, n.PipeE(yaml.Lookup("data"), yaml.SetField("script", yaml.NewStringRNode(body))))
		return n
	}
	small := configMap(MaxObjectBytes*9/10, "auth-service") // lines are indented in YAML
	text, err := small.String()
	require.NoError(t, err)
	require.Less(t, len(text), MaxObjectBytes)
	assert.NoError(t, checkSize(cat, small))

	big := configMap(MaxObjectBytes, "auth-service")
	assert.GreaterOrEqual(t, estimate(big.YNode(), 0), MaxObjectBytes, "the estimate is not below the size")
	err = checkSize(cat, big)
	require.Error(t, err)
	assert.Regexp(t, `^generator db-init: ConfigMap/big is \d+ bytes of YAML, more than the 524288 \(512 KiB\) an object may take, from services\[\d+\] \(auth-service\)`, err.Error())
	assert.Contains(t, checkSize(cat, configMap(MaxObjectBytes, "postgres")).Error(), "from infrastructure.postgres")
}

// TestRenderIsWithinTheGuard: Nova's render passes the guard (Run
// checks every generated object).
func TestRenderIsWithinTheGuard(t *testing.T) {
	cat, err := load.Load("../services.yaml")
	require.NoError(t, err)
	_, err = Run(cat, Options{Registry: reg}, nil)
	assert.NoError(t, err)
}
