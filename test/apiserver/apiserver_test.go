package apiserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
)

// applyTimeout bounds applying one manifest file.
const applyTimeout = 2 * time.Minute

// TestManifestsServerSideDryRun applies every object of every file in
// NOVAGEN_MANIFESTS with server-side dry run; each must be accepted.
func TestManifestsServerSideDryRun(t *testing.T) {
	h := requireHarness(t)
	dir := os.Getenv("NOVAGEN_MANIFESTS")
	if dir == "" {
		t.Fatal("NOVAGEN_MANIFESTS must name a directory of multi-document YAML files (one per example)")
	}
	files, err := kubeapi.YAMLFiles(dir)
	if err != nil {
		t.Fatal(err)
	}

	var total, accepted int
	for _, f := range files {
		res := applyOrFatal(t, h, f)
		for _, w := range res.Warnings {
			t.Logf("%s: warning: %s", filepath.Base(f), w)
		}
		for _, r := range res.Rejections {
			t.Errorf("%s", r)
		}
		total += res.Total
		accepted += res.Accepted()
		// Printed, not t.Log'ed: the counts are the harness's report and
		// should show in `go test -v` output whether or not a test fails.
		fmt.Printf("%s: accepted %d of %d objects\n", filepath.Base(f), res.Accepted(), res.Total)
	}
	fmt.Printf("accepted %d of %d objects\n", accepted, total)
	if total == 0 {
		t.Errorf("no objects found in %s", dir)
	}
}

// TestBrokenFixturesRejected proves that the harness can fail: each fixture
// passes kubeconform's JSON schema but breaks a rule only the API server
// enforces, and must come back as a rejection naming the problem.
func TestBrokenFixturesRejected(t *testing.T) {
	h := requireHarness(t)
	cases := []struct {
		file string
		want string // substring of the server's message
	}{
		// IANA_SVC_NAME: at most 15 characters.
		{"port-name-too-long.yaml", "metrics-exporter"},
		{"selector-mismatch.yaml", "selector` does not match template `labels"},
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.file, ".yaml"), func(t *testing.T) {
			res := applyOrFatal(t, h, filepath.Join("testdata", "broken", tc.file))
			if len(res.Rejections) == 0 {
				t.Fatalf("harness accepted all %d objects of %s; want a rejection mentioning %q", res.Total, tc.file, tc.want)
			}
			for _, r := range res.Rejections {
				t.Logf("rejected as expected: %s", r.Message)
				if !strings.Contains(r.Message, tc.want) {
					t.Errorf("rejection of %s %s does not mention %q: %s", r.Kind, r.Name, tc.want, r.Message)
				}
			}
		})
	}
}

func applyOrFatal(t *testing.T, h *harness, path string) fileResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	res, err := h.applyFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
