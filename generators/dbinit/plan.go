package dbinit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/novagen/novagen/generators/secrets"
	"github.com/novagen/novagen/schema"
)

// plan is what the scripts are built from: the catalog's databases with
// who may use them, its login roles and its extensions.
type plan struct {
	catalog    string
	databases  []database
	logins     []login
	extensions []string
}

// login is a login role and the environment variable holding its password.
type login struct {
	secrets.Login
	PasswordEnv string
}

// Describe is the role in words, for comments and the mapping.
func (l login) Describe() string {
	if l.Service != nil {
		return fmt.Sprintf("%s: login of service %s, owner of schema public in %s", l.Role, l.Service.Name, l.Database)
	}
	return fmt.Sprintf("%s: reader of %s (SELECT only)", l.Role, l.Database)
}

// database is one catalog database and the roles that may use it.
type database struct {
	schema.Database
	Owner  *login // the owning service's role; nil: none
	Reader *login // the reader role; nil: none
}

// Describe is the database in words, for comments.
func (d database) Describe() string {
	var b strings.Builder
	b.WriteString(d.Name + ": ")
	switch {
	case d.Owner != nil:
		fmt.Fprintf(&b, "written by %s (service %s)", d.Owner.Role, d.Owner.Service.Name)
	case d.ReadOnly:
		b.WriteString("read-only: no role may write")
	default:
		b.WriteString("no owning service: only the superuser writes")
	}
	if d.Reader != nil {
		fmt.Fprintf(&b, "; read by %s", d.Reader.Role)
	}
	return b.String()
}

// PasswordEnv is the environment variable the scripts read the password of
// role from: NOVA_PG_PASSWORD_<ROLE>. Roles are lower-case identifiers, so
// the upper-case form is a valid, distinct variable name.
func PasswordEnv(role string) string { return "NOVA_PG_PASSWORD_" + strings.ToUpper(role) }

// roleName is what PasswordEnv and \getenv need of a role name; the
// catalog schema enforces the same pattern.
var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// reservedRoles cannot be created (PostgreSQL reserves them).
var reservedRoles = []string{"public", "none", "current_role", "current_user", "session_user"}

func newPlan(cat *schema.Catalog) (*plan, error) {
	p := &plan{catalog: cat.Metadata.Name}
	if pg := cat.Spec.Infrastructure.Postgres; pg != nil {
		p.extensions = pg.Extensions
	}
	byDB := map[string]*database{}
	for _, d := range cat.Spec.Databases {
		p.databases = append(p.databases, database{Database: d})
	}
	for i := range p.databases {
		byDB[p.databases[i].Name] = &p.databases[i]
	}
	for _, l := range secrets.Logins(cat) {
		if err := checkRole(l.Role); err != nil {
			return nil, err
		}
		p.logins = append(p.logins, login{Login: l, PasswordEnv: PasswordEnv(l.Role)})
	}
	for i := range p.logins {
		l := &p.logins[i]
		d, ok := byDB[l.Database]
		if !ok {
			return nil, fmt.Errorf("role %s: database %q is not in spec.databases", l.Role, l.Database)
		}
		if l.Service != nil {
			d.Owner = l
		} else {
			d.Reader = l
		}
	}
	for _, name := range append(databaseNames(p.databases), p.extensions...) {
		if err := checkName(name); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func databaseNames(ds []database) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// checkRole rejects role names the scripts cannot create. The loader's
// schema already enforces the pattern; reserved names it does not know.
func checkRole(role string) error {
	if !roleName.MatchString(role) || len(role) > 63 {
		return fmt.Errorf("role %q: must match %s and have at most 63 characters", role, roleName)
	}
	for _, r := range reservedRoles {
		if role == r {
			return fmt.Errorf("role %q: reserved in PostgreSQL, choose another name", role)
		}
	}
	if strings.HasPrefix(role, "pg_") {
		return fmt.Errorf("role %q: names starting with pg_ are reserved in PostgreSQL", role)
	}
	return nil
}

// checkName rejects what no quoting makes a usable PostgreSQL name: NUL,
// and line breaks, which would end a psql meta-command line or comment.
func checkName(name string) error {
	if name == "" || len(name) > 63 || strings.ContainsAny(name, "\x00\n\r") {
		return fmt.Errorf("name %q: must have 1 to 63 bytes and no NUL or line break", name)
	}
	return nil
}
