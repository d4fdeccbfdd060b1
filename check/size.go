package check

import "fmt"

// Object size limits. The API server refuses a request over 3 MiB and
// etcd stores at most 1.5 MiB, but a ConfigMap's or Secret's data may
// not exceed 1 MiB, which is the limit for all here; Argo CD's client-side
// apply copies the whole object into the
// kubectl.kubernetes.io/last-applied-configuration annotation, and all
// annotations of an object together may not exceed 256 KiB.
const (
	MaxObjectBytes   = 1 << 20   // FAIL above
	WarnObjectBytes  = 256 << 10 // WARN above
	objectSizeReason = "Argo CD's client-side apply copies it into an annotation, and an object's annotations may not exceed 256 KiB (use server-side apply, or split it)"
)

// wholeObject is the field of a finding about the whole object.
const wholeObject = "(whole object)"

// checkObjectSizes: every object's YAML stays under MaxObjectBytes
// (FAIL) and WarnObjectBytes (WARN).
func checkObjectSizes(in *input, r *Result) {
	for _, o := range in.objects {
		r.Checked++
		text, err := o.node.String()
		if err != nil {
			r.add(Fail, o.String(), wholeObject, "cannot serialize: %v", err)
			continue
		}
		switch size := len(text); {
		case size > MaxObjectBytes:
			r.add(Fail, o.String(), wholeObject, "is %s of YAML: over 1 MiB, more than the API server accepts for a ConfigMap or Secret and than etcd is meant to hold", kib(size))
		case size > WarnObjectBytes:
			r.add(Warn, o.String(), wholeObject, "is %s of YAML: over 256 KiB; %s", kib(size), objectSizeReason)
		}
	}
}

func kib(n int) string { return fmt.Sprintf("%d bytes (%.0f KiB)", n, float64(n)/1024) }
