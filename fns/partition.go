package fns

import (
	"fmt"

	"github.com/novagen/novagen/catalog"
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

// EnvironmentEnv names the catalog environment to render when the
// function config names none (spec.environment), as PartitionEnv does
// the partition: novagen build sets it from the Argo CD plugin's
// environment parameter.
const EnvironmentEnv = "NOVAGEN_ENVIRONMENT"

// ArgoCDEnvironmentEnv is EnvironmentEnv as an Application's plugin env.
const ArgoCDEnvironmentEnv = "ARGOCD_ENV_" + EnvironmentEnv

// specOrEnv is a setting the function config may name (spec, its field
// spec.<field>) or its environment supply (the first of names set):
// the config's, else the environment's, with where it came from ("" for
// the config). A config and an environment that disagree are a mistake,
// refused.
func specOrEnv(cfg *Config, field, spec string, getenv func(string) string, names ...string) (value, from string, err error) {
	var env string
	for _, name := range names {
		if env, from = getenv(name), name; env != "" {
			break
		}
	}
	switch {
	case env == "":
		return spec, "", nil
	case spec == "":
		return env, from, nil
	case spec != env:
		return "", "", fmt.Errorf("function config %s: spec.%s %q and %s=%q name different %ss: set one", cfg.Metadata.Name, field, spec, from, env, field)
	}
	return spec, "", nil
}

// environmentOf is the catalog environment the function renders:
// spec.environment, else the one its environment names; "" for the
// catalog as written. Loading the catalog refuses one it does not have.
func environmentOf(cfg *Config, getenv func(string) string) (string, error) {
	env, _, err := specOrEnv(cfg, "environment", cfg.Spec.Environment, getenv, EnvironmentEnv, ArgoCDEnvironmentEnv)
	return env, err
}

// partitionOf is the partition of cat the function renders:
// spec.partition, else the environment's; "" for the whole catalog. A
// config and an environment that name different partitions are a
// mistake, refused; so is a partition cat does not have, with where the
// name came from.
func partitionOf(cfg *Config, cat *catalog.Catalog, getenv func(string) string) (string, error) {
	name, from, err := specOrEnv(cfg, "partition", cfg.Spec.Partition, getenv, PartitionEnv, ArgoCDPartitionEnv)
	if err != nil || name == "" {
		return name, err
	}
	if _, err := cat.InPartition(name); err != nil {
		if from != "" {
			return "", fmt.Errorf("%s: %w", from, err)
		}
		return "", fmt.Errorf("function config %s: spec.partition: %w", cfg.Metadata.Name, err)
	}
	return name, nil
}
