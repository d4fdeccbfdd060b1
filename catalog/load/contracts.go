package load

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/contracts"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/naming"
)

// Limits of what the loader reads: nothing above what one ConfigMap holds.
const (
	MaxContractBytes = contracts.MaxConfigMapBytes
)

func defaultContracts(c *catalog.Contracts) {
	if c == nil {
		return
	}
	c.Root = or(c.Root, catalog.DefaultContractsRoot)
	if p := c.Previous; p != nil && len(p.Files) == 0 {
		p.Files = slices.Clone(c.Files)
	}
}

// source is where a catalog's relative paths resolve: its directory,
// opened as an os.Root (nothing outside it can be read, not even through
// a symlink), and that directory as errors name it.
type source struct {
	root *os.Root
	// read, if set, reads a file instead of root (the files of a git
	// revision).
	read FileReader
	dir  string
	err  error // why the directory could not be opened
	// files are the proto files read so far, by path below the root:
	// the environments of a catalog reuse what it read (an overlay
	// cannot change spec.contracts).
	files map[string]string
}

// checkContracts reads, compiles and renders spec.contracts.
func (v *validator) checkContracts(src *source) {
	c := v.cat.Spec.Contracts
	if c == nil {
		return
	}
	before := len(v.errs)
	v.checkPath("/spec/contracts/root", c.Root, true)
	v.checkProtoList("/spec/contracts/files", c.Files)
	if c.BufConfig != "" {
		v.checkPath("/spec/contracts/bufConfig", c.BufConfig, false)
	}
	if p := c.Previous; p != nil {
		v.checkPath("/spec/contracts/previous/root", p.Root, true)
		if v.pos.has("/spec/contracts/previous/files") {
			v.checkProtoList("/spec/contracts/previous/files", p.Files)
		}
		if p.Version == c.Version {
			v.errorf("/spec/contracts/previous/version", "contracts.previous.version %q is the current version: the previous release must be an older one", p.Version)
		}
	}
	if len(v.errs) > before {
		return
	}
	if src == nil || (src.root == nil && src.read == nil && src.files == nil) {
		why := "the catalog was given without a directory"
		if src != nil && src.err != nil {
			why = ErrorCause(src.err)
		}
		v.errorf("/spec/contracts", "cannot read the proto files: %s", why)
		return
	}
	budget := int64(MaxContractBytes)
	current, ok := v.readRelease(src, "/spec/contracts", c.Root, c.Files, &budget)
	if !ok {
		return
	}
	in := contracts.Input{Catalog: v.cat.Metadata.Name, Current: contracts.Release{Version: c.Version, Files: current}, Registry: v.cat.ServiceRegistry()}
	if c.BufConfig != "" {
		content, ok := v.readFile(src, "/spec/contracts/bufConfig", c.Root, c.BufConfig, &budget)
		if !ok {
			return
		}
		in.BufConfig = &contracts.Source{Path: naming.KeyBufConfig, Content: content}
	}
	if p := c.Previous; p != nil {
		prevBudget := int64(MaxContractBytes)
		files, ok := v.readRelease(src, "/spec/contracts/previous", p.Root, p.Files, &prevBudget)
		if !ok {
			return
		}
		in.Previous = &contracts.Release{Version: p.Version, Files: files}
	}
	cms, err := contracts.Render(in)
	if err != nil {
		v.errorf("/spec/contracts", "internal: %v", err)
		return
	}
	for _, cm := range cms {
		if n := contracts.Size(cm.Data); n > contracts.MaxConfigMapBytes {
			v.errorf("/spec/contracts", "ConfigMap %q would hold %d bytes, more than the %d (1 MiB) a ConfigMap may hold: list fewer or smaller files", cm.Name, n, contracts.MaxConfigMapBytes)
		}
	}
	v.cat.SetContractConfigMaps(cms)
}

// readRelease reads and compiles the files of one release (below ptr:
// its root and files).
func (v *validator) readRelease(src *source, ptr, root string, files []string, budget *int64) ([]contracts.File, bool) {
	filesPtr := ptr + "/files"
	if !v.pos.has(filesPtr) {
		filesPtr = "/spec/contracts/files" // previous defaults to the current list
	}
	var sources []contracts.Source
	at := map[string]string{}
	for i, f := range files {
		fptr := fmt.Sprintf("%s/%d", filesPtr, i)
		content, ok := v.readFile(src, fptr, root, f, budget)
		if !ok {
			return nil, false
		}
		sources = append(sources, contracts.Source{Path: f, Content: content})
		at[f] = fptr
	}
	compiled, problems := contracts.Compile(sources)
	for _, p := range problems {
		fptr, ok := at[p.Path]
		if !ok {
			fptr = filesPtr
		}
		where := displayPath(src, root, p.Path)
		if p.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", where, p.Line, p.Column)
		}
		if p.Path == "" {
			where = displayPath(src, root, "")
		}
		v.errorf(fptr, "%s: %s: %s", fieldPath(fptr), where, p.Message)
	}
	return compiled, len(problems) == 0
}

// readFile reads one regular file below root (both relative to the
// catalog's directory), taking its size from budget. Errors name the
// file and why, never its content.
func (v *validator) readFile(src *source, ptr, root, name string, budget *int64) (string, bool) {
	full := path.Join(root, name)
	shown := displayPath(src, root, name)
	fail := func(format string, args ...any) (string, bool) {
		v.errorf(ptr, "%s: %s: %s", fieldPath(ptr), shown, fmt.Sprintf(format, args...))
		return "", false
	}
	if data, ok := src.files[full]; ok {
		*budget -= int64(len(data))
		return data, true
	}
	if src.read != nil {
		data, err := src.read(full, *budget+1)
		if err != nil {
			return fail("%s", err.Error())
		}
		if int64(len(data)) > *budget {
			return fail("the contract files would exceed %d bytes (1 MiB), the most a ConfigMap may hold", MaxContractBytes)
		}
		return v.keep(src, full, data, budget), true
	}
	if src.root == nil {
		return fail("cannot read: the catalog was given without a directory")
	}
	data, err := guard.ReadIn(src.root, full, shown, "file", *budget)
	var gerrs guard.Errors
	switch {
	case guard.IsTooLarge(err):
		return fail("the contract files would exceed %d bytes (1 MiB), the most a ConfigMap may hold", MaxContractBytes)
	case errors.Is(err, guard.ErrOutside):
		return fail("cannot read: it leads out of the catalog's directory")
	case errors.As(err, &gerrs):
		return fail("%s", gerrs[0].Message)
	case err != nil:
		return fail("cannot read: %s", ErrorCause(err))
	}
	return v.keep(src, full, data, budget), true
}

// keep takes a file read from the budget and remembers it for the
// environments of the catalog.
func (v *validator) keep(src *source, full string, data []byte, budget *int64) string {
	*budget -= int64(len(data))
	if src.files == nil {
		src.files = map[string]string{}
	}
	src.files[full] = string(data)
	return string(data)
}

// displayPath names a file as the user can find it: relative to the
// directory the catalog was named from.
func displayPath(src *source, root, name string) string {
	return filepath.Join(src.dir, filepath.FromSlash(root), filepath.FromSlash(name))
}

// checkPath: a path relative to the catalog's directory that stays in it.
func (v *validator) checkPath(ptr, p string, dir bool) bool {
	problem := ""
	switch {
	case p == "":
		problem = "is empty"
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		problem = "is absolute: paths are relative to the catalog's directory"
	case strings.Contains(p, `\`):
		problem = `holds '\': separate directories with '/'`
	case slices.Contains(strings.Split(p, "/"), ".."):
		problem = "leaves the catalog's directory ('..')"
	case dir && p == ".":
	case path.Clean(p) != p:
		problem = fmt.Sprintf("is not clean: write %q", path.Clean(p))
	}
	if problem != "" {
		v.errorf(ptr, "%s: path %s %s", fieldPath(ptr), quoteShort(p), problem)
	}
	return problem == ""
}

// checkProtoList: each file a clean relative .proto path whose ConfigMap
// key is valid, listed once, and no two with the same key.
func (v *validator) checkProtoList(ptr string, files []string) {
	keys := map[string]string{}
	for i, f := range files {
		fptr := fmt.Sprintf("%s/%d", ptr, i)
		if !v.checkPath(fptr, f, false) {
			continue
		}
		if !strings.HasSuffix(f, ".proto") {
			v.errorf(fptr, "%s: %s is not a .proto file", fieldPath(fptr), quoteShort(f))
			continue
		}
		key := naming.ProtoKey(f)
		if errs := validation.IsConfigMapKey(key); len(errs) > 0 {
			v.errorf(fptr, "%s: %s cannot be a ConfigMap key (%s): use letters, digits, '_', '-' and '.' in proto paths", fieldPath(fptr), quoteShort(key), errs[0])
			continue
		}
		if prev, ok := keys[key]; ok {
			if prev == f {
				v.errorf(fptr, "%s: %s is listed twice", fieldPath(fptr), quoteShort(f))
			} else {
				v.errorf(fptr, "%s: %s and %s would both be ConfigMap key %s ('/' becomes \"__\"): rename one", fieldPath(fptr), quoteShort(prev), quoteShort(f), quoteShort(key))
			}
			continue
		}
		keys[key] = f
	}
}
