package kube

import (
	"math"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// WaitPostgresUser is the user name pg_isready sends. The server answers a
// startup packet whatever the user, so any name proves it accepts
// connections; without one, libpq looks the pod's UID up in /etc/passwd,
// where a numeric non-root UID has no entry, and gives up before it
// connects.
const WaitPostgresUser = "novagen-wait"

// WaitContainer is an init container that blocks until dep accepts
// connections, using the catalog's wait policy: pg_isready in the
// postgres image for PostgreSQL, busybox nc for everything else.
func WaitContainer(cat *catalog.Catalog, dep catalog.Endpoint) corev1.Container {
	image, script := cat.Spec.Images.Busybox, scripts.WaitForTCP
	var extra []corev1.EnvVar
	if dep.Kind == catalog.KindInfrastructure && dep.Name == "postgres" {
		image, script = cat.Spec.Images.Postgres, scripts.WaitForPostgres
		extra = []corev1.EnvVar{{Name: "PGUSER", Value: WaitPostgresUser}}
	}
	w := cat.Spec.Defaults.Wait
	// The loader accepts only whole seconds; Ceil only guards the type.
	seconds := max(1, int(math.Ceil(w.Interval.Seconds())))
	c := corev1.Container{
		Name:    naming.WaitContainer(dep.Name),
		Image:   image,
		Command: []string{"/bin/sh", "-c", script},
		Env: append([]corev1.EnvVar{
			{Name: scripts.EnvName, Value: dep.Name},
			{Name: scripts.EnvHost, Value: dep.Host},
			{Name: scripts.EnvPort, Value: strconv.Itoa(int(dep.Port))},
			{Name: scripts.EnvRetries, Value: strconv.Itoa(w.Retries)},
			{Name: scripts.EnvInterval, Value: strconv.Itoa(seconds)},
		}, extra...),
		Resources: HelperResources(),
	}
	HardenContainer(cat, &c)
	return c
}

// StretchedWait is the catalog's wait policy stretched to last at least
// least: retries, and whole seconds between them. An init Job waiting for
// a new server (whose volumes may take minutes to bind) uses it.
func StretchedWait(w catalog.Wait, least time.Duration) (retries, interval int) {
	interval = max(1, int(math.Ceil(w.Interval.Seconds())))
	need := int(math.Ceil(least.Seconds() / float64(interval)))
	return max(w.Retries, need), interval
}
