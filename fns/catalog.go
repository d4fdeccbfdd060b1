package fns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/guard"
)

// RootEnv names a directory the catalog may come from when it is wider
// than the repository (a monorepo checkout split into several, say). It
// must be absolute.
const RootEnv = "NOVAGEN_CATALOG_ROOT"

// PackagePathAnnotation is where kpt's fn render says which package (its
// directory) an object, the function config included, belongs to; the
// path annotation is then relative to it.
const PackagePathAnnotation = "internal.config.kubernetes.io/package-path"

// configDir is the directory of the function config's file, when the
// config says where that is (kpt's path annotation, relative to the
// package kpt's package-path annotation names, else to the working
// directory), for readCatalog to resolve spec.catalog against; "" when it
// does not (kustomize's configs: the working directory, the
// kustomization's, is theirs). Whatever it says, readCatalog still reads
// only inside the repository.
func configDir(config *yaml.RNode) string {
	a := config.GetAnnotations(kioutil.PathAnnotation, kioutil.LegacyPathAnnotation, PackagePathAnnotation)
	path := a[kioutil.PathAnnotation]
	if path == "" {
		path = a[kioutil.LegacyPathAnnotation]
	}
	if path == "" {
		return ""
	}
	dir := filepath.Dir(filepath.FromSlash(path))
	if pkg := a[PackagePathAnnotation]; pkg != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.FromSlash(pkg), dir)
	}
	return dir
}

// readCatalog reads the catalog a function config names, with wd the
// function's working directory (the kustomization's). The function
// runs in kustomize (and so in Argo CD's repo-server) on whatever a
// repository contains, so, as Argo CD does for value files, it reads only
// inside the repository: the path, resolved against base (see configDir:
// the function config's directory when kpt says where it is, else ""),
// itself resolved against the working directory (kustomize's: the
// kustomization's directory), must lie within the nearest ancestor of the
// working directory holding .git (without one, the working directory), or
// within $NOVAGEN_CATALOG_ROOT, and so must every symlink on the way; and
// it must be a regular file of at most load.MaxCatalogBytes. The
// repository is found from the working directory, never from base: base
// comes from the input, which must not widen what may be read. Its errors
// name the path as written and say nothing of what lies outside (not
// whether it exists, nor where a symlink points). It returns the name errors use
// (the path as written), the bytes and the catalog's directory (its
// relative paths, the proto files of spec.contracts, resolve there and
// cannot leave it), which the caller closes.
func readCatalog(wd, path, base string) (string, []byte, *os.Root, error) {
	wd, err := filepath.Abs(wd)
	if err != nil {
		return "", nil, nil, err
	}
	rootDir, err := allowedRoot(wd)
	if err != nil {
		return "", nil, nil, err
	}
	realWd, err := filepath.EvalSymlinks(wd)
	if err != nil {
		return "", nil, nil, err
	}
	from := resolveBase(rootDir, realWd, base)
	// The path is judged as written (lexically), then opened below the
	// root, which refuses a symlink leading out: the answer is the same
	// whether or not something exists outside.
	full := filepath.FromSlash(path)
	if !filepath.IsAbs(full) {
		full = filepath.Join(from, full)
	}
	rel, err := filepath.Rel(rootDir, filepath.Clean(full))
	if err != nil || !within(rootDir, filepath.Clean(full)) {
		return "", nil, nil, outside(path)
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot open the repository: %s", path, load.ErrorCause(err))
	}
	defer root.Close()
	data, err := guard.ReadIn(root, rel, path, "catalog", load.MaxCatalogBytes)
	if errors.Is(err, guard.ErrOutside) {
		return "", nil, nil, outside(path)
	}
	if err != nil {
		return "", nil, nil, err
	}
	dir, err := root.OpenRoot(filepath.Dir(rel))
	if guard.Escapes(err) {
		return "", nil, nil, outside(path)
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot open its directory: %s", path, load.ErrorCause(err))
	}
	return path, data, dir, nil
}

// resolveBase is the directory a relative catalog path starts from: base
// against the working directory, symlinks resolved if that leads inside
// rootDir (kpt names a package by a path that may go through one), else
// as written, for readCatalog to judge (and refuse) lexically, in the
// same words whether or not it exists.
func resolveBase(rootDir, realWd, base string) string {
	if base == "" {
		return realWd
	}
	from := filepath.FromSlash(base)
	if !filepath.IsAbs(from) {
		from = filepath.Join(realWd, from)
	}
	if real, err := filepath.EvalSymlinks(from); err == nil && within(rootDir, real) {
		return real
	}
	return filepath.Clean(from)
}

// outside refuses a catalog path that leaves the repository.
func outside(path string) error {
	return fmt.Errorf("spec.catalog %q is outside the repository: the function reads catalogs only from inside it (set %s to allow a wider directory)", path, RootEnv)
}

// allowedRoot is the directory catalogs must lie in, symlinks resolved.
func allowedRoot(wd string) (string, error) {
	if env := os.Getenv(RootEnv); env != "" {
		if !filepath.IsAbs(env) {
			return "", fmt.Errorf("%s=%q must be an absolute path", RootEnv, env)
		}
		root, err := filepath.EvalSymlinks(env)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %s", RootEnv, env, load.ErrorCause(err))
		}
		return root, nil
	}
	dir, err := filepath.EvalSymlinks(wd)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return dir, nil // no repository: the kustomization's directory
		}
	}
}

// within reports whether path is root or lies below it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
