package cli

import "testing"

func TestRestoreCommand(t *testing.T) {
	prod := []string{"restore", "-f", staging, "-e", "production"}
	with := func(args ...string) []string { return append(append([]string{}, prod...), args...) }
	runCommandCases(t, []commandCase{
		{
			name:       "one database into <db>_restored",
			args:       with("--backup", "latest", "--database", "nova_user"),
			wantStdout: []string{"kind: Job", "name: postgres-restore-", "value: nova_user", "amazon/aws-cli:"},
			wantStderr: []string{"nova_user -> nova_user_restored (new database)", "kubectl -n nova-production logs -f job/postgres-restore-"},
		},
		{
			name:       "whole server over itself",
			args:       with("--backup", "20261205T020000Z", "--replace"),
			wantStdout: []string{"value: 20261205T020000Z", "value: \"true\""},
			wantStderr: []string{"every database of the backup, over itself (--replace), after its roles"},
		},
		{
			name:       "into",
			args:       with("--backup", "latest", "--database", "nova_user", "--into", "nova_user_copy"),
			wantStdout: []string{"value: nova_user_copy"},
			wantStderr: []string{"nova_user -> nova_user_copy"},
		},
		{name: "unknown database", args: with("--backup", "latest", "--database", "nova_users"), wantCode: 1, wantStderr: []string{`database "nova_users" is not in catalog nova: expected one of nova_auth`}},
		{name: "bad stamp", args: with("--backup", "yesterday"), wantCode: 1, wantStderr: []string{`backup "yesterday": expected latest or a stamp such as 20261205T020000Z`}},
		{name: "no backup flag", args: prod, wantCode: 1, wantStderr: []string{`required flag(s) "backup" not set`}},
		{name: "into two databases", args: with("--backup", "latest", "--database", "nova_user", "--database", "nova_auth", "--into", "x"), wantCode: 1, wantStderr: []string{"--into x names the target of one database"}},
		{name: "no backups configured", args: []string{"restore", "-f", staging, "--backup", "latest"}, wantCode: 1, wantStderr: []string{"spec.infrastructure.postgres.backup is not set"}},
		{name: "catalog that does not load", args: []string{"restore", "-f", "testdata/missing.yaml", "--backup", "latest"}, wantCode: 1, wantStderr: []string{"missing.yaml"}},
	})
}
