package load

import (
	"math"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/novagen/novagen/catalog"
)

// checkDataTier: the PostgreSQL server and the Redis Cluster can be built
// as the catalog sizes them.
func (v *validator) checkDataTier() {
	inf := v.cat.Spec.Infrastructure
	if pg := inf.Postgres; pg != nil {
		v.quantity("/spec/infrastructure/postgres/storage", "storage", pg.Storage)
		v.checkResourceList("/spec/infrastructure/postgres/resources", "postgres", pg.Resources, true)
		// The CronJob controller parses schedules with this library.
		if _, err := cron.ParseStandard(pg.PasswordSync.Schedule); err != nil {
			v.errorf("/spec/infrastructure/postgres/passwordSync/schedule", "schedule %s is not a cron schedule: %v", quoteShort(pg.PasswordSync.Schedule), err)
		}
		v.checkBackup(pg)
	}
	if r := inf.Redis; r != nil {
		v.quantity("/spec/infrastructure/redis/storage", "storage", r.Storage)
		if q, ok := v.quantity("/spec/infrastructure/redis/memory", "memory", r.Memory); ok && q.Cmp(resource.MustParse(MinRedisMemory)) < 0 {
			v.errorf("/spec/infrastructure/redis/memory", "redis memory %s is too small: at least %s", r.Memory, MinRedisMemory)
		}
		group := r.ReplicasPerMaster + 1
		ptr := "/spec/infrastructure/redis/nodes"
		switch {
		case r.Nodes%group != 0:
			v.errorf(ptr, "redis has %d nodes, not a multiple of %d (a master and its %d replicas)", r.Nodes, group, r.ReplicasPerMaster)
		case r.Nodes/group < 3:
			v.errorf(ptr, "redis has %d nodes for %d masters with %d replicas each; a Redis Cluster needs at least 3 masters (%d nodes)", r.Nodes, r.Nodes/group, r.ReplicasPerMaster, 3*group)
		}
		// The cluster bus listens on the client port + 10000.
		if r.IsManaged() && r.Port > 65535-10000 {
			v.errorf("/spec/infrastructure/redis/port", "redis port %d leaves no room for its cluster bus (port + 10000): at most %d", r.Port, 65535-10000)
		}
		if r.NodeTimeout.Duration < RedisMinNodeTimeout || r.NodeTimeout.Duration%RedisMinNodeTimeout != 0 {
			v.errorf("/spec/infrastructure/redis/nodeTimeout", "redis nodeTimeout %s must be a whole number of milliseconds, at least 1ms", r.NodeTimeout.Raw)
		}
	}
}

// checkBackup: backups are for a server novagen runs, on a schedule the
// CronJob controller parses, to an endpoint the AWS CLI can be pointed at
// (an https URL of a server, nothing after its port).
func (v *validator) checkBackup(pg *catalog.Postgres) {
	b := pg.Backup
	if b == nil {
		return
	}
	const ptr = "/spec/infrastructure/postgres/backup"
	if !pg.IsManaged() {
		v.errorf(ptr, "backup is only for a PostgreSQL novagen runs; this one is provided from outside (managed: false), so its provider backs it up: remove backup")
		return
	}
	if _, err := cron.ParseStandard(b.Schedule); err != nil {
		v.errorf(ptr+"/schedule", "schedule %s is not a cron schedule: %v", quoteShort(b.Schedule), err)
	}
	u, err := url.Parse(b.Storage.Endpoint)
	switch {
	case err != nil:
		v.errorf(ptr+"/storage/endpoint", "endpoint %s is not a URL: %v", quoteShort(b.Storage.Endpoint), err)
	case u.Scheme != "https" || u.Hostname() == "":
		v.errorf(ptr+"/storage/endpoint", "endpoint %s must be an https URL of the S3 server, such as https://s3.eu-west-1.amazonaws.com", quoteShort(b.Storage.Endpoint))
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		v.errorf(ptr+"/storage/endpoint", "endpoint %s must be only https://host[:port]: credentials come from the secret store, the bucket and prefix from their own fields", quoteShort(b.Storage.Endpoint))
	case u.Port() != "" && !validPort(u.Port()):
		v.errorf(ptr+"/storage/endpoint", "endpoint %s has no valid port (1-65535)", quoteShort(b.Storage.Endpoint))
	}
}

// validPort says whether s is a TCP port number.
func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// MinRedisMemory is the least memory a Redis pod gets: below it, 75 % of
// it leaves Redis nothing to work with.
const MinRedisMemory = "64Mi"

// quantity parses a quantity the catalog states for resource (cpu,
// memory, storage...) as the API server will, and refuses one Kubernetes
// would change rather than hold: more than 64 bits of its unit
// (ParseQuantity clamps 8Ei and above; a decimal one overflows where it
// is used) or a fraction of it, which is rounded up. The unit is the
// millicore for cpu, the byte for everything else.
func (v *validator) quantity(ptr, resourceName, s string) (resource.Quantity, bool) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		v.errorf(ptr, "%s is not a valid quantity: %v", quoteShort(s), err)
		return q, false
	}
	units, unit := exactQuantity(s, q), "bytes"
	if resourceName == "cpu" {
		units.Mul(units, big.NewRat(1000, 1))
		unit = "millicores (1m)"
	}
	switch {
	case !units.IsInt():
		v.errorf(ptr, "%s %s is not a whole number of %s: Kubernetes would round it up", resourceName, quoteShort(s), unit)
		return q, false
	case units.Num().Cmp(big.NewInt(math.MaxInt64)) > 0:
		v.errorf(ptr, "%s %s is too large: Kubernetes holds at most %d %s", resourceName, quoteShort(s), int64(math.MaxInt64), unit)
		return q, false
	}
	return q, true
}

// quantityText splits a quantity as the schema writes it: a decimal
// number and a suffix.
var quantityText = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$`)

// exactQuantity is the value s stands for, computed exactly: q, which
// ParseQuantity may have rounded or clamped, holds it only in range.
func exactQuantity(s string, q resource.Quantity) *big.Rat {
	m := quantityText.FindStringSubmatch(s)
	if m == nil {
		exact, _ := new(big.Rat).SetString(q.AsDec().String())
		return exact
	}
	num, _ := new(big.Rat).SetString(m[1])
	unit := resource.MustParse("1" + m[2]) // a valid suffix: s parsed
	mult, _ := new(big.Rat).SetString(unit.AsDec().String())
	return num.Mul(num, mult)
}

// checkResourceList parses requests and limits and, when fits, rejects a
// request above its limit (the API server does).
func (v *validator) checkResourceList(ptr, who string, r catalog.Resources, fits bool) {
	ok := true
	for _, kind := range []struct {
		name string
		m    map[string]string
	}{{"requests", r.Requests}, {"limits", r.Limits}} {
		for _, k := range sortedKeys(kind.m) {
			// Values inherited from the defaults are checked there.
			at := ptr + "/" + kind.name + "/" + k
			if !v.pos.has(at) {
				continue
			}
			if _, good := v.quantity(at, k, kind.m[k]); !good {
				ok = false
			}
		}
	}
	if !ok || !fits {
		return
	}
	for _, k := range sortedKeys(r.Requests) {
		lim, has := r.Limits[k]
		if !has {
			continue
		}
		req, limit := resource.MustParse(r.Requests[k]), resource.MustParse(lim)
		if req.Cmp(limit) > 0 {
			v.errorf(ptr, "%s requests %s %s, more than its limit %s (a limit not set here is a default)", who, k, r.Requests[k], lim)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(mapKeys(m)) }

// RedisMinNodeTimeout is the unit of cluster-node-timeout (milliseconds).
const RedisMinNodeTimeout = time.Millisecond
