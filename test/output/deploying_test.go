package output

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/internal/rendertest"
)

// deployingGuide is the deployment guide, whose list of images to mirror
// must be what services.yaml's environments run.
const deployingGuide = "../../docs/deploying.md"

// imageRow is a row of the guide's images table: | `IMAGE` | ... |.
var imageRow = regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")

// TestDeployingGuideListsEveryImage: every image a pod of services.yaml,
// as written (staging) or in any of its environments, runs is a row of
// docs/deploying.md's images table, and every row is such an image, so
// the list of what to mirror cannot drift from the render.
func TestDeployingGuideListsEveryImage(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	renders := [][]string{imagesOf(t, cat)}
	for _, env := range cat.EnvironmentNames {
		c, err := load.LoadEnv("../../services.yaml", env)
		if err != nil {
			t.Fatal(err)
		}
		renders = append(renders, imagesOf(t, c))
	}
	want := slices.Sorted(slices.Values(slices.Concat(renders...)))
	want = slices.Compact(want)

	guide, err := os.ReadFile(deployingGuide)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range imageRow.FindAllStringSubmatch(string(guide), -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if len(listed) == 0 {
		t.Fatalf("%s has no images table (rows of the form | `IMAGE` | …)", deployingGuide)
	}
	for _, img := range want {
		if _, found := slices.BinarySearch(listed, img); !found {
			t.Errorf("%s runs image %s, which %s does not list", "services.yaml", img, deployingGuide)
		}
	}
	for _, img := range listed {
		if _, found := slices.BinarySearch(want, img); !found {
			t.Errorf("%s lists %s, which no pod of services.yaml runs", deployingGuide, img)
		}
	}
}

// imagesOf are the images of every container of cat's render.
func imagesOf(t *testing.T, cat *catalog.Catalog) []string {
	t.Helper()
	pods, err := check.Pods(rendertest.Catalog(t, cat))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pods {
		for _, c := range slices.Concat(p.Spec.InitContainers, p.Spec.Containers) {
			out = append(out, strings.TrimSpace(c.Image))
		}
	}
	if len(out) == 0 {
		t.Fatal("the render runs no container")
	}
	return out
}
