package secrets

import (
	"net/url"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	es "github.com/novagen/novagen/generators/kube/externalsecrets"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// esoFuncs are the template functions DATABASE_URL uses, as the External
// Secrets Operator's v2 engine defines them: text/template's builtins
// (urlquery) plus sprig's replace (old, new, src).
var esoFuncs = template.FuncMap{"replace": func(old, new, src string) string { return strings.ReplaceAll(src, old, new) }}

// TestDatabaseURLTemplate renders the template as ESO would and parses
// the URL back: every password must come out exactly as it went in.
func TestDatabaseURLTemplate(t *testing.T) {
	pg := catalog.Endpoint{Name: "postgres", Host: "postgres", Port: 5432}
	passwords := []string{
		"simple",
		"with space",
		"plus+sign",
		"p@ss:w/rd?#[]",
		`quote' double" back\slash`,
		"percent%20not-an-escape",
		"unicode é ✓",
		"{{ .password }}",
	}
	for _, pw := range passwords {
		tmpl, err := template.New("url").Funcs(esoFuncs).Parse(DatabaseURLTemplate(pg, "auth_service", "nova_auth"))
		require.NoError(t, err)
		var b strings.Builder
		require.NoError(t, tmpl.Execute(&b, map[string]string{"password": pw}))
		u, err := url.Parse(b.String())
		require.NoError(t, err, "password %q gives %s", pw, b.String())
		got, _ := u.User.Password()
		assert.Equal(t, pw, got, "password %q gives %s", pw, b.String())
		userinfo := strings.TrimPrefix(b.String()[:strings.LastIndex(b.String(), "@")], "postgres://")
		assert.NotContains(t, userinfo, "+", "libpq and sqlx read a '+' in userinfo as a plus, not a space")
		assert.Equal(t, "auth_service", u.User.Username())
		assert.Equal(t, "postgres:5432", u.Host)
		assert.Equal(t, "/nova_auth", u.Path)
	}
}

// No generated object holds a password: only template references to
// what ESO fetched.
func TestNoPasswordValues(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	require.Len(t, objs, 1+len(cat.Logins())+1+len(cat.ClickHouseClients())+1,
		"the admin, one per login role, Redis, one per ClickHouse client and the ClickHouse schema Job")
	require.NotEmpty(t, cat.ClickHouseClients())
	for _, o := range objs {
		e := o.(*es.ExternalSecret)
		assert.Equal(t, "{{ .password }}", e.Spec.Target.Template.Data[naming.KeyPassword], e.Name)
		assert.Equal(t, kube.ComponentCredentials, e.Labels[kube.LabelComponent])
		for _, d := range e.Spec.Data {
			assert.Equal(t, naming.KeyPassword, d.RemoteRef.Property)
			assert.True(t, strings.HasPrefix(d.RemoteRef.Key, cat.Spec.Secrets.KeyPrefix+"/postgres/") ||
				strings.HasPrefix(d.RemoteRef.Key, cat.Spec.Secrets.KeyPrefix+"/clickhouse/") ||
				d.RemoteRef.Key == RedisRemoteKey(cat), d.RemoteRef.Key)
		}
	}
}

// TestBackupCredentials: with PostgreSQL backups on, Secret
// postgres-backup-s3 holds the two keys the AWS CLI reads, templated from
// the two properties of one remote key; the template, run as ESO runs it,
// gives back exactly what the store holds.
func TestBackupCredentials(t *testing.T) {
	cat, err := load.Load("../backup/testdata/enabled/catalog.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	var got *es.ExternalSecret
	for _, o := range objs {
		if e, ok := o.(*es.ExternalSecret); ok && e.Name == naming.BackupS3Secret {
			got = e
		}
	}
	require.NotNil(t, got, "ExternalSecret %s", naming.BackupS3Secret)
	store := map[string]string{BackupAccessKeyProperty: "AKIA/EXAMPLE", BackupSecretKeyProperty: "s3cr+t/{{x}}"}
	values := map[string]string{}
	for _, d := range got.Spec.Data {
		assert.Equal(t, BackupRemoteKey(cat), d.RemoteRef.Key)
		values[d.SecretKey] = store[d.RemoteRef.Property]
	}
	want := map[string]string{naming.KeyS3AccessKey: "AKIA/EXAMPLE", naming.KeyS3SecretKey: "s3cr+t/{{x}}"}
	for key, text := range got.Spec.Target.Template.Data {
		var b strings.Builder
		require.NoError(t, template.Must(template.New(key).Parse(text)).Execute(&b, values))
		assert.Equal(t, want[key], b.String(), key)
	}
	assert.Len(t, got.Spec.Target.Template.Data, 2)

	disabled, err := load.Load("../backup/testdata/disabled/catalog.yaml")
	require.NoError(t, err)
	objs, err = Generate(disabled)
	require.NoError(t, err)
	for _, o := range objs {
		assert.NotEqual(t, naming.BackupS3Secret, o.GetName(), "no S3 keys without backups")
	}
}
