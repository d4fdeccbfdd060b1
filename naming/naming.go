// Package naming is the one place where novagen's naming conventions live:
// the names of derived objects and containers, Secret keys, port names and
// environment variables. Generators build names with it, and the catalog
// loader checks with it, at load time, that every derived name fits the
// Kubernetes limits. It imports nothing of novagen, so everything may
// import it.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxLabel is the longest DNS-1123 label and the longest label value: the
// limit of container names, Service names and app.kubernetes.io/name.
const MaxLabel = 63

// Shortened returns name unchanged when it fits in 63 characters, else its
// first characters and an 8-character hash of the whole name, so two long
// names never collide and the same name always maps to the same label.
// Used only for names nothing outside the object refers to (container
// names); names other objects or people refer to are checked at load time
// instead, so they are never changed.
func Shortened(name string) string {
	if len(name) <= MaxLabel {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:])[:8]
	head := strings.TrimRight(name[:MaxLabel-len(suffix)-1], "-")
	return head + "-" + suffix
}

// Suffixed is base-suffix with base cut so the whole fits in a label: for
// names whose suffix is a content hash (Jobs), where the hash, not the
// base, makes the name unique.
func Suffixed(base, suffix string) string {
	room := MaxLabel - len(suffix) - 1
	if len(base) > room {
		base = strings.TrimRight(base[:room], "-")
	}
	return base + "-" + suffix
}

// Objects named after the catalog, a service or a role.

// HeadlessService is the discovery Service over every gRPC pod of
// catalog: <catalog>-grpc-services.
func HeadlessService(catalog string) string { return catalog + "-grpc-services" }

// DBSecret is the Secret (written by External Secrets) with a service's
// database credentials: <service>-db.
func DBSecret(service string) string { return service + "-db" }

// ReaderSecret is the Secret of a database's reader role:
// postgres-<role>-reader with '_' as '-'. Role names have no '-', so the
// mapping is one-to-one; the -reader suffix keeps it apart from every
// <service>-db. Shortened, because a role may have 63 characters.
func ReaderSecret(role string) string {
	return Shortened("postgres-" + strings.ReplaceAll(role, "_", "-") + "-reader")
}

// Role is the PostgreSQL login role of a service: its name in SQL form.
func Role(service string) string { return strings.ReplaceAll(service, "-", "_") }

// PasswordEnv is the environment variable the db-init scripts read the
// password of role from: NOVA_PG_PASSWORD_<ROLE>. Roles are lower-case
// identifiers, so the upper-case form is a valid, distinct variable name.
func PasswordEnv(role string) string { return "NOVA_PG_PASSWORD_" + strings.ToUpper(role) }

// Fixed object names.
const (
	AdminSecret         = "postgres-admin"        // the PostgreSQL admin credential
	DefaultDenyPolicy   = "default-deny"          // the namespace's deny-all NetworkPolicy
	DBInitConfigMap     = "postgres-init-scripts" // the db-init SQL
	DBInitJob           = "postgres-db-init"      // plus -<hash>
	MigrationsJob       = "sqlx-migrate"          // plus -<hash>
	DBInitComponent     = "db-init"               // component, and the NetworkPolicy of its pods
	MigrationsComponent = "migrations"            // component, and the NetworkPolicy of its pods
)

// ReservedServiceNames are names a service (which gets a Service, a
// Deployment and a NetworkPolicy of its name) or an external component
// (a Service) may not have, because a fixed object of the same kind has
// it. (The headless Service, which depends on the catalog's name, is
// HeadlessService.)
var ReservedServiceNames = map[string]string{
	DefaultDenyPolicy:   "the namespace's deny-all NetworkPolicy",
	DBInitComponent:     "the NetworkPolicy of the db-init Job",
	MigrationsComponent: "the NetworkPolicy of the migration Job",
	PostgresHeadless:    "the headless Service of PostgreSQL",
	RedisHeadless:       "the headless Service of Redis",
	RedisInitPolicy:     "the NetworkPolicy of the Redis cluster-init Job",
	RedisFromInitPolicy: "a NetworkPolicy of the Redis pods",
}

// Container names.

// WaitContainerPrefix starts the name of every wait-for init container.
const WaitContainerPrefix = "wait-for-"

// WaitContainer is wait-for-<dependency>, shortened with a stable hash when
// it would exceed 63 characters.
func WaitContainer(dependency string) string { return Shortened(WaitContainerPrefix + dependency) }

// CopyContainer copies a service's migrations out of its image.
func CopyContainer(service string) string { return Shortened("copy-" + service) }

// MigrateContainer runs a service's migrations.
func MigrateContainer(service string) string { return Shortened("migrate-" + service) }

// Secret keys of every generated credential Secret.
const (
	KeyUsername    = "username"
	KeyPassword    = "password"
	KeyDatabaseURL = "DATABASE_URL" // services and readers, not the admin
)

// EnvDatabaseURL is the variable services and sqlx read their connection
// string from; it has the name of the Secret key it comes from.
const EnvDatabaseURL = KeyDatabaseURL

// Port names of every service: its Service and its container agree on them.
const (
	PortGRPC    = "grpc"
	PortMetrics = "http-metrics"
)

// The data tier: the PostgreSQL server and the Redis Cluster.
const (
	PostgresHeadless    = "postgres-headless"  // governs the StatefulSet postgres
	RedisHeadless       = "redis-headless"     // governs the StatefulSet redis: <pod>.redis-headless
	RedisConfig         = "redis-config"       // redis.conf
	RedisInitJob        = "redis-cluster-init" // plus -<hash>
	RedisSecret         = "redis-auth"         // the Redis password, key KeyPassword
	PasswordSyncJob     = "postgres-password-sync"
	RedisInitPolicy     = RedisInitJob              // the Job's pods: egress to Redis
	RedisFromInitPolicy = "redis-from-cluster-init" // the Redis pods: ingress from the Job
	PortPostgres        = "postgres"
	PortRedis           = "redis"
	PortRedisBus        = "cluster-bus"
)

// Environment of services that use Redis: where it is and its password.
const (
	EnvRedisAddr     = "REDIS_ADDR"
	EnvRedisPassword = "REDIS_PASSWORD"
)
