package fns

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/novagen/novagen/schema"
)

// RootEnv names a directory the catalog may come from when it is wider
// than the repository (a monorepo checkout split into several, say). It
// must be absolute.
const RootEnv = "NOVAGEN_CATALOG_ROOT"

// readCatalog reads the catalog a function config names. The function
// runs in kustomize (and so in Argo CD's repo-server) on whatever a
// repository contains, so, as Argo CD does for value files, it reads only
// inside the repository: the path, resolved against the kustomization's
// directory with every symlink followed, must lie within the nearest
// ancestor directory holding .git (without one, the kustomization's own
// directory), or within $NOVAGEN_CATALOG_ROOT; and it must be a regular
// file of at most schema.MaxCatalogBytes. It returns the name errors use
// (the path as written), the bytes and the catalog's directory (its
// relative paths, the proto files of spec.contracts, resolve there and
// cannot leave it), which the caller closes.
func readCatalog(path string) (string, []byte, *os.Root, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", nil, nil, err
	}
	root, err := allowedRoot(wd)
	if err != nil {
		return "", nil, nil, err
	}
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(wd, filepath.FromSlash(path))
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot read: %s", path, schema.ErrorCause(err))
	}
	if !within(root, real) {
		return "", nil, nil, fmt.Errorf("spec.catalog %q resolves to %s, outside the repository %s: the function reads catalogs only from inside it (set %s to allow a wider directory)", path, real, root, RootEnv)
	}
	// O_NONBLOCK: opening a FIFO must not wait for a writer; the type
	// check below then refuses it.
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot read: %s", path, schema.ErrorCause(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot read: %s", path, schema.ErrorCause(err))
	}
	if !info.Mode().IsRegular() {
		return "", nil, nil, fmt.Errorf("spec.catalog %q is not a regular file (%s)", path, info.Mode().Type())
	}
	data, err := schema.Read(path, f)
	if err != nil {
		return "", nil, nil, err
	}
	dir, err := os.OpenRoot(filepath.Dir(real))
	if err != nil {
		return "", nil, nil, fmt.Errorf("spec.catalog %q: cannot open its directory: %s", path, schema.ErrorCause(err))
	}
	return path, data, dir, nil
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
