package rollout

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
)

// WaveAnnotation is Argo CD's sync wave.
const WaveAnnotation = "argocd.argoproj.io/sync-wave"

// Render is an Application's desired state: what `kustomize build` of its
// path gives, as the novagen plugin runs it.
type Render struct {
	Objects []*unstructured.Unstructured
}

// RenderPath builds dir/path with kustomize (found through PATH, with
// novagen, as in the plugin's sidecar).
func RenderPath(dir, path string) (*Render, error) {
	cmd := exec.Command("kustomize", "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join(dir, path))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w\n%s", path, err, stderr.String())
	}
	objs, err := kubeapi.ParseObjects(out)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", path, err)
	}
	return &Render{Objects: objs}, nil
}

// Waves maps each object (Kind/name) to its sync wave.
func (r *Render) Waves() map[string]int {
	out := map[string]int{}
	for _, o := range r.Objects {
		w, _ := strconv.Atoi(o.GetAnnotations()[WaveAnnotation]) // none: wave 0, as for Argo CD
		out[o.GetKind()+"/"+o.GetName()] = w
	}
	return out
}

// Find returns the objects of kind.
func (r *Render) Find(kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range r.Objects {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// jobHash is the spec hash generated Jobs end in (generators/kube.Job).
var jobHash = regexp.MustCompile(`-[0-9a-f]{10}$`)

// Identity names an object across renders: Kind/name, a Job without its
// spec hash (a changed Job is the same Job run again).
func Identity(o *unstructured.Unstructured) string {
	name := o.GetName()
	if o.GetKind() == "Job" {
		name = jobHash.ReplaceAllString(name, "")
	}
	return o.GetKind() + "/" + name
}
