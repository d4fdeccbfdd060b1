package fns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/schema"
)

// RootEnv names a directory the catalog may come from when it is wider
// than the repository (a monorepo checkout split into several, say). It
// must be absolute.
const RootEnv = "NOVAGEN_CATALOG_ROOT"

// readCatalog reads the catalog a function config names, with wd the
// function's working directory (the kustomization's). The function
// runs in kustomize (and so in Argo CD's repo-server) on whatever a
// repository contains, so, as Argo CD does for value files, it reads only
// inside the repository: the path, resolved against the kustomization's
// directory, must lie within the nearest ancestor directory holding .git
// (without one, the kustomization's own directory), or within
// $NOVAGEN_CATALOG_ROOT, and so must every symlink on the way; and it
// must be a regular file of at most schema.MaxCatalogBytes. Its errors
// name the path as written and say nothing of what lies outside (not
// whether it exists, nor where a symlink points). It returns the name errors use
// (the path as written), the bytes and the catalog's directory (its
// relative paths, the proto files of spec.contracts, resolve there and
// cannot leave it), which the caller closes.
func readCatalog(wd, path string) (string, []byte, *os.Root, error) {
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
	// The path is judged as written (lexically), then opened below the
	// root, which refuses a symlink leading out: the answer is the same
	// whether or not something exists outside.
	full := filepath.FromSlash(path)
	if !filepath.IsAbs(full) {
		full = filepath.Join(realWd, full)
	}
	rel, err := filepath.Rel(rootDir, filepath.Clean(full))
	if err != nil || !within(rootDir, filepath.Clean(full)) {
		return "", nil, nil, outside(path)
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot open the repository: %s", path, schema.ErrorCause(err))
	}
	defer root.Close()
	data, err := guard.ReadIn(root, rel, path, "catalog", schema.MaxCatalogBytes)
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
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot open its directory: %s", path, schema.ErrorCause(err))
	}
	return path, data, dir, nil
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
			return "", fmt.Errorf("%s=%q: %s", RootEnv, env, schema.ErrorCause(err))
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
