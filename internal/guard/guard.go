// Package guard is the one gate every input of novagen passes through:
// the catalog, a function's ResourceList and config, the manifests
// `check` and `diff` read, files of a git revision, kustomizations found
// by discovery. It reads within a size cap, refuses what is not a regular
// file and bytes no YAML may hold, parses with a bound on nesting and on
// what aliases may add, and words every refusal the same way: located,
// escaped, and without repeating the input or naming what exists outside
// the repository. The function runs inside a shared Argo CD repo-server
// on every refresh, so no input may hang it or exhaust its memory.
package guard

// Size caps. A cap is read just past, then refused: a device or an
// endless pipe fails at once.
const (
	// MaxCatalogBytes bounds a catalog, a function config and any file a
	// catalog names: far above any real catalog (10 000 services take
	// about 3 MiB).
	MaxCatalogBytes = 16 << 20
	// MaxManifestBytes bounds rendered manifests (check, a function's
	// ResourceList): 10 000 services render 149 MiB.
	MaxManifestBytes = 256 << 20
)

// MinAliasBudget is how many nodes YAML aliases may add to an input
// however small it is; a larger input may add as many as it has. The
// bound keeps a few hundred bytes of nested aliases (a "billion laughs")
// from expanding into gigabytes.
const MinAliasBudget = 10_000

// MaxDepth is how deeply an input's values may nest, aliases expanded.
// Real manifests nest a few dozen levels (a CRD's schema); the bound
// keeps recursive walkers far from the stack's end.
const MaxDepth = 1000
