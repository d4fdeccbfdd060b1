package load

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// checkImages: every image novagen writes is a reference a container
// runtime can pull, pinned by a tag other than latest or by a digest.
func (v *validator) checkImages() {
	img := v.cat.Spec.Images
	for _, h := range []struct{ field, ref string }{
		{"postgres", img.Postgres}, {"redis", img.Redis}, {"busybox", img.Busybox}, {"sqlx", img.Sqlx},
		{"zookeeper", img.Zookeeper}, {"kafka", img.Kafka}, {"kafkaKraft", img.KafkaKraft},
		{"clickhouse", img.ClickHouse}, {"grpcHealthProbe", img.GRPCHealthProbe}, {"buf", img.Buf},
	} {
		if msg := imageProblem(h.ref); msg != "" {
			v.errorf("/spec/images/"+h.field, "image %s %s", quoteShort(h.ref), msg)
		}
	}
	for i, s := range v.cat.Spec.Services {
		ptr := fmt.Sprintf("/spec/services/%d", i)
		// Report where the missing or bad part comes from: the service's
		// own image, else the defaults.
		where := "/spec/defaults/image"
		if v.pos.has(ptr + "/image") {
			where = ptr + "/image"
		}
		switch {
		case s.Image.Repository == "":
			v.errorf(ptr+"/name", "service %q has no image: set spec.defaults.image.registry (images are <registry>/<service>:<tag>) or the service's image.repository", s.Name)
		case s.Image.Tag == "" && s.Image.Digest == "":
			v.errorf(ptr+"/name", "service %q has no image tag: set spec.defaults.image.tag (or digest) or the service's image.tag", s.Name)
		default:
			if msg := imageProblem(s.ImageRef()); msg != "" {
				v.errorf(where, "service %q: image %s %s", s.Name, quoteShort(s.ImageRef()), msg)
			}
		}
	}
}

// imageProblem says what is wrong with an image reference, or "".
func imageProblem(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "is not a valid image reference: " + err.Error()
	}
	if _, ok := named.(reference.Digested); ok {
		return ""
	}
	tagged, ok := named.(reference.Tagged)
	switch {
	case !ok:
		return "has no tag or digest: pin it"
	case strings.EqualFold(tagged.Tag(), "latest"):
		return "is not pinned: tag latest moves"
	}
	return ""
}
