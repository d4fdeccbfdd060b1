// Package secrets is the generator secrets: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail.
//
// Passwords live only in the secret store (cat.Spec.Secrets.Store), under
// <keyPrefix>/postgres/<role>, property "password". No generated object
// contains one: the External Secrets Operator writes the Secrets.
//
// The username is not read from the store: it is the role name the
// catalog derives (catalog.Catalog.Logins, admin.user) and the db-init
// scripts create, written into the Secret by the template. One source for
// a name that two systems must agree on, so they cannot drift apart.
// Secret names and keys are naming's.
package secrets

import (
	"net"
	"net/url"
	"strconv"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	es "github.com/novagen/novagen/generators/kube/externalsecrets"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "secrets"

// passwordURLExpr is the password, percent-encoded for the userinfo of a
// URL, in the ESO v2 template language (text/template + sprig). urlquery
// (a text/template builtin) is url.QueryEscape: it escapes everything but
// [A-Za-z0-9-_.~], a literal '+' included, yet writes a space as '+',
// which libpq and sqlx read literally in userinfo. Every '+' left after
// urlquery therefore was a space, and sprig's replace makes it %20.
const passwordURLExpr = `{{ .password | urlquery | replace "+" "%20" }}`

// RemoteKey is where the store keeps the password of role.
func RemoteKey(cat *catalog.Catalog, role string) string {
	return cat.Spec.Secrets.KeyPrefix + "/postgres/" + role
}

// DatabaseURLTemplate is the ESO template of a postgres:// URL for role
// on db. The literal parts are escaped by Go for their place in a URL,
// which also keeps template delimiters out of them.
func DatabaseURLTemplate(server catalog.Endpoint, role, db string) string {
	hostPort := net.JoinHostPort(server.Host, strconv.Itoa(int(server.Port)))
	return "postgres://" + url.User(role).String() + ":" + passwordURLExpr + "@" + hostPort + "/" + url.PathEscape(db)
}

// ClickHouseRemoteKey is where the store keeps the password of a
// ClickHouse user.
func ClickHouseRemoteKey(cat *catalog.Catalog, user string) string {
	return cat.Spec.Secrets.KeyPrefix + "/clickhouse/" + user
}

// RedisRemoteKey is where the store keeps the Redis password.
func RedisRemoteKey(cat *catalog.Catalog) string {
	return cat.Spec.Secrets.KeyPrefix + "/redis/default"
}

// Generate returns the admin credential's ExternalSecret, one per login
// role, and the Redis password's (Secret redis-auth, key password) when
// the catalog has Redis, whoever runs it: its clients need it either way.
// A partition's render gets the logins of its services' databases (a
// reader's with its database) and ClickHouse logins of its services; the
// infrastructure's gets the shared ones (admin, Redis, ClickHouse schema,
// the logins of databases no service owns).
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	var out []kube.Object
	shared := cat.OwnsShared()
	if pg := cat.Spec.Infrastructure.Postgres; pg != nil {
		server, _ := cat.DatabaseServer()
		if shared {
			out = append(out, externalSecret(cat, naming.AdminSecret, RemoteKey(cat, pg.Admin.User), login(pg.Admin.User)))
		}
		for _, l := range cat.Logins() {
			if !cat.OwnsDatabase(l.Database) {
				continue
			}
			data := login(l.Role)
			data[naming.KeyDatabaseURL] = DatabaseURLTemplate(server, l.Role, l.Database)
			out = append(out, externalSecret(cat, l.Secret, RemoteKey(cat, l.Role), data))
		}
	}
	if pg := cat.Spec.Infrastructure.Postgres; pg != nil && pg.Backup.On() && shared {
		out = append(out, backupCredentials(cat))
	}
	if cat.Spec.Infrastructure.Redis != nil && shared {
		out = append(out, externalSecret(cat, naming.RedisSecret, RedisRemoteKey(cat), map[string]string{naming.KeyPassword: "{{ .password }}"}))
	}
	if cat.Spec.Infrastructure.ClickHouse != nil {
		for _, svc := range cat.ClickHouseClients() {
			if !cat.Owns(svc) {
				continue
			}
			user := naming.ClickHouseUser(svc)
			out = append(out, externalSecret(cat, naming.ClickHouseSecret(svc), ClickHouseRemoteKey(cat, user), login(user)))
		}
		if shared {
			user := naming.ClickHouseSchemaUser
			out = append(out, externalSecret(cat, naming.ClickHouseSchemaSecret, ClickHouseRemoteKey(cat, user), login(user)))
		}
	}
	return out, nil
}

// login is the Secret data of a PostgreSQL login: its username, and the
// password fetched from the store. The role becomes template text: the
// catalog's SQL identifier rule ([a-z_][a-z0-9_]*) keeps template
// delimiters out of it.
func login(role string) map[string]string {
	return map[string]string{
		naming.KeyUsername: role,
		naming.KeyPassword: "{{ .password }}",
	}
}

// BackupRemoteKey is where the store keeps the S3 credentials of the
// PostgreSQL backups, properties BackupAccessKeyProperty and
// BackupSecretKeyProperty.
func BackupRemoteKey(cat *catalog.Catalog) string {
	return cat.Spec.Secrets.KeyPrefix + "/postgres-backup/s3"
}

// The properties of BackupRemoteKey.
const (
	BackupAccessKeyProperty = "accessKeyId"
	BackupSecretKeyProperty = "secretAccessKey"
)

// backupCredentials is Secret postgres-backup-s3: the two S3 keys the
// backup and restore pods hand the AWS CLI as its own variables.
func backupCredentials(cat *catalog.Catalog) *es.ExternalSecret {
	key := BackupRemoteKey(cat)
	e := externalSecret(cat, naming.BackupS3Secret, key, map[string]string{
		naming.KeyS3AccessKey: "{{ ." + BackupAccessKeyProperty + " }}",
		naming.KeyS3SecretKey: "{{ ." + BackupSecretKeyProperty + " }}",
	})
	e.Spec.Data = []es.Data{
		{SecretKey: BackupAccessKeyProperty, RemoteRef: es.RemoteRef{Key: key, Property: BackupAccessKeyProperty}},
		{SecretKey: BackupSecretKeyProperty, RemoteRef: es.RemoteRef{Key: key, Property: BackupSecretKeyProperty}},
	}
	return e
}

// externalSecret makes Secret name hold data, templated from the password
// at remoteKey in the store.
func externalSecret(cat *catalog.Catalog, name, remoteKey string, data map[string]string) *es.ExternalSecret {
	store := cat.Spec.Secrets.Store
	return &es.ExternalSecret{
		TypeMeta:   kube.TypeMeta(es.APIVersion, es.Kind),
		ObjectMeta: kube.Meta(cat, Name, name, kube.ComponentCredentials),
		Spec: es.Spec{
			SecretStoreRef:  es.StoreRef{Kind: store.Kind, Name: store.Name},
			RefreshInterval: cat.Spec.Secrets.RefreshInterval.String(),
			Target: es.Target{
				Name:           name,
				CreationPolicy: es.CreationPolicyOwner,
				Template: &es.Template{
					EngineVersion: es.EngineV2,
					Metadata:      &es.TemplateMetadata{Labels: kube.Labels(cat, name, kube.ComponentCredentials)},
					Data:          data,
				},
			},
			Data: []es.Data{{
				SecretKey: naming.KeyPassword,
				RemoteRef: es.RemoteRef{Key: remoteKey, Property: naming.KeyPassword},
			}},
		},
	}
}
