package load

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/novagen/novagen/catalog"
)

// Environments: one catalog describes every environment. spec.environments
// maps a name (production) to an overlay of the spec that environment
// changes: its namespace, defaults, images, secrets, monitoring,
// migrations and infrastructure (merged key by key; a list or a value
// replaces the catalog's) and, under services, a patch
// per service by name (replicas, resources, image, labels,
// startupGrace). Selecting an environment merges its overlay into the
// spec before defaults and validation, so an environment is checked like
// a catalog of its own, and its errors point at the overlay's lines.

// environmentsKey is the spec field that holds the overlays.
const environmentsKey = "environments"

// selectEnvironment takes spec.environments out of the converted catalog
// (instance) and, when env is not empty, merges that environment's
// overlay into the spec, pointing the positions of every value it
// replaces at the overlay. It returns the names of every environment,
// sorted.
func selectEnvironment(instance map[string]any, pos *positions, env string) ([]string, Errors) {
	spec, _ := instance["spec"].(map[string]any)
	envs, _ := spec[environmentsKey].(map[string]any)
	delete(spec, environmentsKey)
	names := make([]string, 0, len(envs))
	for n := range envs {
		names = append(names, n)
	}
	slices.Sort(names)
	if env == "" {
		return names, nil
	}
	overlay, ok := envs[env].(map[string]any)
	if !ok {
		known := "it has none"
		if len(names) > 0 {
			known = "it has " + strings.Join(names, ", ")
		}
		return names, Errors{{Pos: pos.key("/spec/" + environmentsKey), Message: fmt.Sprintf("environment %q is not in the catalog's spec.environments: %s", env, known)}}
	}
	base := "/spec/" + environmentsKey + "/" + escapePointer(env)
	var errs Errors
	if patches, ok := overlay["services"].(map[string]any); ok {
		services, _ := spec["services"].([]any)
		index := make(map[string]int, len(services))
		for i, s := range services {
			if m, ok := s.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					index[name] = i
				}
			}
		}
		for _, name := range sortedKeys(patches) {
			src := base + "/services/" + escapePointer(name)
			i, ok := index[name]
			if !ok {
				errs = append(errs, Error{Pos: pos.key(src), Message: fmt.Sprintf("no service %q in spec.services", name)})
				continue
			}
			svc := services[i].(map[string]any)
			merge(svc, patches[name].(map[string]any), "/spec/services/"+strconv.Itoa(i), src, pos)
		}
		delete(overlay, "services")
	}
	merge(spec, overlay, "/spec", base, pos)
	return names, errs
}

// merge merges src into dst: mappings merge key by key, anything else
// replaces (a JSON merge patch without null, which the schema refuses in
// an overlay). A replaced value's position (and its children's) becomes
// the overlay's.
func merge(dst, src map[string]any, dstPtr, srcPtr string, pos *positions) {
	for _, k := range sortedKeys(src) {
		v := src[k]
		d, s := dstPtr+"/"+escapePointer(k), srcPtr+"/"+escapePointer(k)
		if vm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, vm, d, s, pos)
				continue
			}
		}
		dst[k] = v
		pos.redirect(d, s)
	}
}

// CheckEnvironments parses every environment of a catalog that loaded
// and returns their problems together, each prefixed by
// its environment's name: a catalog whose environments all load renders
// in every one of them.
func CheckEnvironments(cat *catalog.Catalog) error {
	var errs Errors
	for _, env := range cat.EnvironmentNames {
		if env == cat.Environment {
			continue
		}
		o, ok := cat.Origin.(*origin)
		if !ok {
			return fmt.Errorf("catalog %s was not loaded by the loader", cat.File)
		}
		var src *source
		if o.src != nil {
			src = &source{dir: o.src.dir, err: o.src.err, files: o.src.files}
		}
		_, err := o.opts.parse(cat.File, o.raw, env, src)
		var es Errors
		if errors.As(err, &es) {
			for _, e := range es {
				e.Message = "environment " + env + ": " + e.Message
				errs = append(errs, e)
			}
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return errs.Sorted()
	}
	return nil
}
