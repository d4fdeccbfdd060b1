package fns

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/novagen/novagen/internal/guard"
)

// Discovery limits: a hostile repository must not make it read forever.
const (
	maxDiscoverFiles = 1000
	maxDiscoverDepth = 20
	maxDiscoverBytes = 4 << 20 // per file
)

// kustomizationFiles are the names kustomize reads, in its order.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// Discover lists the novagen function configs (kind NovaGen) that
// `kustomize build dir` would run: those its kustomization names under
// generators, transformers or validators, and those of the local bases
// and components it includes (resources, components, bases), followed
// recursively. Argo CD's plugin discovery runs it in an application's
// directory: an overlay whose function config lies in its base is
// novagen's too. It reads only inside the repository (as the function
// does), follows each directory once, skips remote bases, and returns
// paths relative to dir, sorted in the order found.
func Discover(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	rootDir, err := allowedRoot(abs)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	d := &discovery{root: root, rootDir: rootDir, seen: map[string]bool{}}
	start, err := filepath.Rel(rootDir, abs)
	if err != nil {
		return nil, err
	}
	if err := d.kustomization(start, 0); err != nil {
		return nil, err
	}
	var out []string
	for _, f := range d.found {
		rel, err := filepath.Rel(start, f)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, nil
}

type discovery struct {
	root    *os.Root
	rootDir string
	seen    map[string]bool
	files   int
	found   []string // below root
}

// kustomization follows the kustomization in dir (below root).
func (d *discovery) kustomization(dir string, depth int) error {
	if d.seen[dir] {
		return nil
	}
	d.seen[dir] = true
	if depth > maxDiscoverDepth {
		return fmt.Errorf("%s: kustomizations nest deeper than %d", dir, maxDiscoverDepth)
	}
	var k struct {
		Resources    []string `yaml:"resources"`
		Components   []string `yaml:"components"`
		Bases        []string `yaml:"bases"`
		Generators   []string `yaml:"generators"`
		Transformers []string `yaml:"transformers"`
		Validators   []string `yaml:"validators"`
	}
	var data []byte
	for _, name := range kustomizationFiles {
		p := filepath.Join(dir, name)
		if _, err := d.root.Lstat(p); os.IsNotExist(err) {
			continue
		}
		b, err := d.read(p)
		if err != nil {
			return err
		}
		data = b
		break
	}
	if data == nil {
		return nil // not a kustomization: nothing of ours
	}
	docs, err := guard.Manifests(filepath.Join(dir, "kustomization"), data)
	if err != nil {
		return err
	}
	if len(docs) != 1 {
		return fmt.Errorf("%s: a kustomization is one YAML document, found %d", dir, len(docs))
	}
	if err := docs[0].YNode().Decode(&k); err != nil {
		return fmt.Errorf("%s: kustomization: %s", dir, guard.EscapeLines(err.Error()))
	}
	for _, list := range [][]string{k.Generators, k.Transformers, k.Validators} {
		for _, entry := range list {
			if err := d.entry(dir, entry, depth, true); err != nil {
				return err
			}
		}
	}
	for _, list := range [][]string{k.Resources, k.Components, k.Bases} {
		for _, entry := range list {
			if err := d.entry(dir, entry, depth, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry follows one entry of a kustomization: a directory is another
// kustomization; a file, in a function list, may be a function config.
func (d *discovery) entry(dir, entry string, depth int, functions bool) error {
	if remote(entry) {
		return nil
	}
	p := filepath.Clean(filepath.Join(dir, filepath.FromSlash(entry)))
	if p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) || filepath.IsAbs(entry) {
		return nil // outside the repository: not read, as the function would not
	}
	info, err := d.root.Stat(p)
	if err != nil {
		return nil // kustomize reports what is missing
	}
	if info.IsDir() {
		return d.kustomization(p, depth+1)
	}
	if !functions || !info.Mode().IsRegular() {
		return nil
	}
	data, err := d.read(p)
	if err != nil {
		return err
	}
	nodes, err := guard.Manifests(p, data)
	if err != nil {
		return nil // not YAML kustomize could use either
	}
	for _, n := range nodes {
		if n.GetApiVersion() == ConfigAPIVersion && n.GetKind() == ConfigKind {
			d.found = append(d.found, p)
			return nil
		}
	}
	return nil
}

// read reads a file below root, within the limits.
func (d *discovery) read(p string) ([]byte, error) {
	if d.files++; d.files > maxDiscoverFiles {
		return nil, fmt.Errorf("more than %d files to read", maxDiscoverFiles)
	}
	return guard.ReadIn(d.root, p, p, "file", maxDiscoverBytes)
}

// remote says a kustomization entry is a URL (a remote base).
func remote(entry string) bool {
	return strings.Contains(entry, "://") || strings.HasPrefix(entry, "git@") || strings.Contains(entry, "?ref=") ||
		strings.HasPrefix(entry, "github.com/")
}
