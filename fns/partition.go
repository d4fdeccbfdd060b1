package fns

import (
	"fmt"
	"os"

	"github.com/novagen/novagen/schema"
)

// PartitionEnv names the partition to render when the function config
// names none, so that ONE kustomization serves every partition's Argo CD
// Application: the ApplicationSet sets it in each Application's plugin
// env, Argo CD hands it to the plugin's generate command as
// ArgoCDPartitionEnv, and kustomize passes its whole environment on to
// exec functions (kyaml's fn/runtime/exec: os.Environ()).
const PartitionEnv = "NOVAGEN_PARTITION"

// ArgoCDPartitionEnv is PartitionEnv as an Argo CD Config Management
// Plugin sees it: Argo CD prefixes an Application's plugin env with
// ARGOCD_ENV_ (and the plugin's generate command is an argv, with no
// shell to rename it).
const ArgoCDPartitionEnv = "ARGOCD_ENV_" + PartitionEnv

// partitionOf is the partition of cat the function renders:
// spec.partition, else the environment's; "" for the whole catalog. A
// config and an environment that name different partitions are a
// mistake, refused; so is a partition cat does not have, with where the
// name came from.
func partitionOf(cfg *Config, cat *schema.Catalog) (string, error) {
	env, from := os.Getenv(PartitionEnv), PartitionEnv
	if env == "" {
		env, from = os.Getenv(ArgoCDPartitionEnv), ArgoCDPartitionEnv
	}
	spec := cfg.Spec.Partition
	if spec != "" && env != "" && spec != env {
		return "", fmt.Errorf("function config %s: spec.partition %q and %s=%q name different partitions: set one", cfg.Metadata.Name, spec, from, env)
	}
	name := spec
	if name == "" {
		name = env
	}
	if name == "" {
		return "", nil
	}
	if _, err := cat.InPartition(name); err != nil {
		if spec == "" {
			return "", fmt.Errorf("%s: %w", from, err)
		}
		return "", fmt.Errorf("function config %s: spec.partition: %w", cfg.Metadata.Name, err)
	}
	return name, nil
}
