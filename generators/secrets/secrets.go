// Package secrets generates the ExternalSecrets that hold every PostgreSQL
// credential: one per database-owning service (Secret <service>-db with
// username, password and DATABASE_URL), one per readerRole of a database,
// and one for the admin (superuser) credential the init Job runs as.
//
// Passwords live only in the secret store (cat.Spec.Secrets.Store), under
// <keyPrefix>/postgres/<role>, property "password". No generated object
// contains one: the External Secrets Operator writes the Secrets.
//
// The username is not read from the store: it is the role name the
// catalog derives (Service.Role(), readerRole, admin.user) and the db-init
// scripts create, written into the Secret by the template. One source for
// a name that two systems must agree on, so they cannot drift apart.
//
// The package also owns the list of login roles (Logins) and where their
// Secrets are, which the db-init Job reads.
package secrets

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/novagen/novagen/generators/kube"
	es "github.com/novagen/novagen/generators/kube/externalsecrets"
	"github.com/novagen/novagen/schema"
)

// Name is the generator's name in function configs and the registry.
const Name = "secrets"

// Keys of every generated credential Secret.
const (
	KeyUsername    = "username"
	KeyPassword    = "password"
	KeyDatabaseURL = "DATABASE_URL" // services and readers, not the admin
)

// AdminSecretName is the Secret with the PostgreSQL admin credential.
const AdminSecretName = "postgres-admin"

// passwordURLExpr is the password, percent-encoded for the userinfo of a
// URL, in the ESO v2 template language (text/template + sprig). urlquery
// (a text/template builtin) is url.QueryEscape: it escapes everything but
// [A-Za-z0-9-_.~], a literal '+' included, yet writes a space as '+',
// which libpq and sqlx read literally in userinfo. Every '+' left after
// urlquery therefore was a space, and sprig's replace makes it %20.
const passwordURLExpr = `{{ .password | urlquery | replace "+" "%20" }}`

// Login is one PostgreSQL login role the catalog declares.
type Login struct {
	Role     string          // the PostgreSQL role
	Database string          // the one database it may connect to
	Secret   string          // the Secret with its username, password, DATABASE_URL
	Service  *schema.Service // the service owning Database; nil for a reader role
}

// Logins lists every login role: database-owning services in catalog
// order, then the reader roles in database order. The admin is not one:
// it exists before any of this runs.
func Logins(cat *schema.Catalog) []Login {
	var out []Login
	for i := range cat.Spec.Services {
		svc := &cat.Spec.Services[i]
		if svc.Database != "" {
			out = append(out, Login{Role: svc.Role(), Database: svc.Database, Secret: kube.DBSecretName(svc), Service: svc})
		}
	}
	for _, db := range cat.Spec.Databases {
		if db.ReaderRole != "" {
			out = append(out, Login{Role: db.ReaderRole, Database: db.Name, Secret: ReaderSecretName(db.ReaderRole)})
		}
	}
	return out
}

// ReaderSecretName is postgres-<role>-reader with '_' as '-'. Role names
// have no '-', so the mapping is one-to-one; the prefix and suffix keep a
// leading or trailing '_' inside the name, and the -reader suffix keeps it
// apart from every <service>-db.
func ReaderSecretName(role string) string {
	return kube.DNSLabel("postgres-" + strings.ReplaceAll(role, "_", "-") + "-reader")
}

// RemoteKey is where the store keeps the password of role.
func RemoteKey(cat *schema.Catalog, role string) string {
	return cat.Spec.Secrets.KeyPrefix + "/postgres/" + role
}

// DatabaseURLTemplate is the ESO template of a postgres:// URL for role
// on db. The literal parts are escaped by Go for their place in a URL,
// which also keeps template delimiters out of them.
func DatabaseURLTemplate(pg *schema.Postgres, role, db string) string {
	hostPort := net.JoinHostPort(pg.Host, strconv.Itoa(int(pg.Port)))
	return "postgres://" + url.User(role).String() + ":" + passwordURLExpr + "@" + hostPort + "/" + url.PathEscape(db)
}

// Generate returns the admin credential's ExternalSecret, then one per
// login role. A catalog without PostgreSQL has no credentials.
func Generate(cat *schema.Catalog) ([]kube.Object, error) {
	pg := cat.Spec.Infrastructure.Postgres
	if pg == nil {
		return nil, nil
	}
	admin, err := externalSecret(cat, AdminSecretName, pg.Admin.User, nil)
	if err != nil {
		return nil, err
	}
	out := []kube.Object{admin}
	for _, l := range Logins(cat) {
		extra := map[string]string{KeyDatabaseURL: DatabaseURLTemplate(pg, l.Role, l.Database)}
		o, err := externalSecret(cat, l.Secret, l.Role, extra)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// externalSecret makes Secret name hold username role, the password
// fetched from the store and the extra templated keys.
func externalSecret(cat *schema.Catalog, name, role string, extra map[string]string) (*es.ExternalSecret, error) {
	// The role becomes template text; the catalog's identifier rules
	// already exclude braces, this keeps it so whatever they become.
	if strings.Contains(role, "{{") {
		return nil, fmt.Errorf("role %q: contains a template delimiter", role)
	}
	data := map[string]string{
		KeyUsername: role,
		KeyPassword: "{{ .password }}",
	}
	for k, v := range extra {
		data[k] = v
	}
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
				SecretKey: KeyPassword,
				RemoteRef: es.RemoteRef{Key: RemoteKey(cat, role), Property: KeyPassword},
			}},
		},
	}, nil
}
