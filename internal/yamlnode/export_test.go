package yamlnode

// What the external tests use of the package's insides.
var (
	NaturalCompare = naturalCompare
	NeedsQuotes    = needsQuotes
)
