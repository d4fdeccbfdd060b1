package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxLabel is the longest DNS-1123 label (names of containers, ports'
// owners, most objects).
const MaxLabel = 63

// DNSLabel returns name unchanged when it fits in 63 characters, else
// its first characters and an 8-character hash of the whole name, so
// two long names never collide and the same name always maps the same.
func DNSLabel(name string) string {
	if len(name) <= MaxLabel {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:])[:8]
	head := strings.TrimRight(name[:MaxLabel-len(suffix)-1], "-")
	return head + "-" + suffix
}
