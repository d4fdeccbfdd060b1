package dbinit

import (
	"fmt"
	"strings"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

// plan is what the scripts are built from: the catalog's databases with
// who may use them, its login roles and its extensions. Databases and
// roles are sorted by name, so reordering the catalog's lists changes no
// script (and does not re-run the Job).
type plan struct {
	catalog    string
	group      string // the group's suffix: "" when it is the only one
	databases  []database
	logins     []login
	extensions []string
}

// login is a login role and the environment variable holding its password.
type login struct {
	catalog.Login
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
	catalog.Database
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

// newPlan relates the given databases of the catalog (one group's) and
// their logins. The loader has checked every name (identifiers, reserved
// databases and roles) and that every login's database exists.
func newPlan(cat *catalog.Catalog, dbs []catalog.Database) *plan {
	p := &plan{catalog: cat.Metadata.Name}
	if pg := cat.Spec.Infrastructure.Postgres; pg != nil {
		p.extensions = pg.Extensions
	}
	byDB := map[string]*database{}
	for _, d := range dbs {
		p.databases = append(p.databases, database{Database: d})
	}
	for i := range p.databases {
		byDB[p.databases[i].Name] = &p.databases[i]
	}
	for _, l := range cat.Logins() {
		if byDB[l.Database] != nil {
			p.logins = append(p.logins, login{Login: l, PasswordEnv: naming.PasswordEnv(l.Role)})
		}
	}
	for i := range p.logins {
		l := &p.logins[i]
		d := byDB[l.Database]
		if l.Service != nil {
			d.Owner = l
		} else {
			d.Reader = l
		}
	}
	return p
}
