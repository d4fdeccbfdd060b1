package fns

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
)

// TestPartition: the function renders the partition its config or, for
// one kustomization serving every Argo CD Application, its environment
// names (directly, or as an Argo CD plugin's ARGOCD_ENV_), and refuses
// an unknown partition, an unpartitioned catalog and a disagreement.
func TestPartition(t *testing.T) {
	const partitioned = "../examples/partitioned/services.yaml"
	for _, tt := range []struct {
		name, catalog, spec string
		env                 map[string]string
		want, notWant       []string // kind/name of items
		wantErr             string
	}{
		{name: "whole catalog", catalog: partitioned,
			want: []string{"Namespace/nova-partitioned", "Deployment/auth-service", "Deployment/content-service"}},
		{name: "spec.partition", catalog: partitioned, spec: "identity",
			want: []string{"Deployment/auth-service", "Service/auth-service"}, notWant: []string{"Namespace/nova-partitioned", "Deployment/content-service", "Service/nova-grpc-services"}},
		{name: "environment", catalog: partitioned, env: map[string]string{PartitionEnv: "infrastructure"},
			want: []string{"Namespace/nova-partitioned", "Service/nova-grpc-services", "Service/elasticsearch"}, notWant: []string{"Deployment/auth-service"}},
		{name: "argo cd plugin environment", catalog: partitioned, env: map[string]string{ArgoCDPartitionEnv: "content"},
			want: []string{"Deployment/content-service", "Ingress/graphql-gateway"}, notWant: []string{"Deployment/auth-service", "Namespace/nova-partitioned"}},
		{name: "spec and environment agree", catalog: partitioned, spec: "content", env: map[string]string{PartitionEnv: "content"},
			want: []string{"Deployment/content-service"}},
		{name: "spec and environment disagree", catalog: partitioned, spec: "identity", env: map[string]string{ArgoCDPartitionEnv: "content"},
			wantErr: `function config nova: spec.partition "identity" and ARGOCD_ENV_NOVAGEN_PARTITION="content" name different partitions: set one`},
		{name: "unknown partition", catalog: partitioned, spec: "nope",
			wantErr: `function config nova: spec.partition: partition "nope" is not in the catalog: it has infrastructure, content, hash-0, hash-1, identity`},
		{name: "unpartitioned catalog", catalog: "testdata/catalog.yaml", env: map[string]string{PartitionEnv: "identity"},
			wantErr: `NOVAGEN_PARTITION: partition "identity": the catalog declares no spec.partitions`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PartitionEnv, "")
			t.Setenv(ArgoCDPartitionEnv, "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			partition := ""
			if tt.spec != "" {
				partition = "\n      partition: " + tt.spec
			}
			in := fmt.Sprintf(`apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: []
functionConfig:
  apiVersion: %s
  kind: %s
  metadata: {name: nova}
  spec:
    catalog: %s%s
`, ConfigAPIVersion, ConfigKind, tt.catalog, strings.Replace(partition, "      ", "    ", 1))
			var out bytes.Buffer
			err := framework.Execute(function.Processor(), &kio.ByteReadWriter{Reader: strings.NewReader(in), Writer: &out})
			if tt.wantErr != "" {
				// What Main prints on stderr, which kustomize shows.
				var f failure
				require.ErrorAs(t, err, &f)
				assert.Equal(t, tt.wantErr, f.err.Error())
				return
			}
			require.NoError(t, err)
			items, err := (&kio.ByteReader{Reader: &out}).Read()
			require.NoError(t, err)
			got := map[string]bool{}
			for _, it := range items {
				got[it.GetKind()+"/"+it.GetName()] = true
			}
			for _, w := range tt.want {
				assert.True(t, got[w], "missing %s", w)
			}
			for _, w := range tt.notWant {
				assert.False(t, got[w], "unexpected %s", w)
			}
		})
	}
}
