// Package kustomizetest runs kustomize in process for the tests that
// build examples (e2e, kbuild). It is a package of its own, not part of
// testtool: kustomize's API and its OpenAPI data add megabytes to every
// test binary that links them, and most of testtool's users build none.
package kustomizetest

import (
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Build is `kustomize build --enable-alpha-plugins --enable-exec
// dir` in process (the kustomize library, in the CLI's default legacy
// order): its exec functions are found through PATH.
func Build(dir string) ([]byte, error) {
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionLegacy // what the kustomize CLI does by default
	opts.PluginConfig = types.EnabledPluginConfig(types.BploUseStaticallyLinked)
	opts.PluginConfig.FnpLoadingOptions.EnableExec = true
	resMap, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return resMap.AsYaml()
}
