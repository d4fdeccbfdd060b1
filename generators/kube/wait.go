package kube

import (
	"math"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators/scripts"
	catalog "github.com/novagen/novagen/schema"
)

// WaitContainerPrefix starts the name of every wait-for init container.
const WaitContainerPrefix = "wait-for-"

// WaitContainer is an init container that blocks until dep accepts
// connections, using the catalog's wait policy: pg_isready in the
// postgres image for PostgreSQL, busybox nc for everything else.
func WaitContainer(cat *catalog.Catalog, dep catalog.Endpoint) corev1.Container {
	image, script := cat.Spec.Images.Busybox, scripts.WaitForTCP
	if dep.Kind == catalog.KindInfrastructure && dep.Name == "postgres" {
		image, script = cat.Spec.Images.Postgres, scripts.WaitForPostgres
	}
	w := cat.Spec.Defaults.Wait
	seconds := max(1, int(math.Ceil(w.Interval.Seconds())))
	c := corev1.Container{
		Name:    WaitContainerName(dep.Name),
		Image:   image,
		Command: []string{"/bin/sh", "-c", script},
		Env: []corev1.EnvVar{
			{Name: scripts.EnvName, Value: dep.Name},
			{Name: scripts.EnvHost, Value: dep.Host},
			{Name: scripts.EnvPort, Value: strconv.Itoa(int(dep.Port))},
			{Name: scripts.EnvRetries, Value: strconv.Itoa(w.Retries)},
			{Name: scripts.EnvInterval, Value: strconv.Itoa(seconds)},
		},
		Resources: HelperResources(),
	}
	HardenContainer(cat, &c)
	return c
}

// WaitContainerName is wait-for-<dep>, shortened with a stable hash suffix
// when it would exceed the 63 characters a container name may have.
func WaitContainerName(dep string) string {
	return DNSLabel(WaitContainerPrefix + dep)
}
