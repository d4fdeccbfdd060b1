package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/generators/backup"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/render"
)

func (a app) restoreCmd() *cobra.Command {
	var path catalogRef
	var o backup.RestoreOptions
	c := &cobra.Command{
		Use:   "restore --backup STAMP|latest [--database NAME]... [--into NAME] [--replace]",
		Short: "Print the Job that restores a PostgreSQL backup of spec.infrastructure.postgres.backup (apply it with kubectl)",
		Long: `Print the Job that restores a backup made by the postgres-backup CronJob, as
YAML to apply with kubectl apply -f -. An init container (images.awsCli)
downloads the backup, --backup STAMP (its folder in the bucket, such as
20261205T020000Z) or latest (the newest complete one); a backup without its
COMPLETE marker is never restored. The container (images.postgres) then restores
each database with pg_restore, in one transaction per database, as the admin:

  - by default into a new database <db>_restored beside the live one (it
    must not exist), for inspection or copying;
  - --into NAME: the one --database into NAME instead;
  - --replace: over the database itself (pg_restore --clean --if-exists),
    creating it if missing. Stop its writers first.

Without --database: every database of the backup, and first its roles
(globals.sql, without passwords: those come from the secret store). Which
database goes where is printed on stderr.`,
		Example: `  novagen restore -e production --backup latest --database orders | kubectl apply -f -
  novagen restore -e production --backup 20261205T020000Z --replace | kubectl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, err := a.loadCatalog(c, path)
			if err != nil {
				return err
			}
			job, err := backup.RestoreJob(cat, o)
			if err != nil {
				return fmt.Errorf("%s: %w", path.path, err)
			}
			nodes, err := render.Nodes([]kube.Object{job})
			if err != nil {
				return err
			}
			if err := render.Write(c.OutOrStdout(), nodes); err != nil {
				return err
			}
			_, err = fmt.Fprint(c.ErrOrStderr(), restorePlan(o, job.Name, cat.Spec.Namespace))
			return err
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringVar(&o.Backup, "backup", "", "the backup: its stamp (20261205T020000Z) or latest, the newest complete one (required)")
	c.Flags().StringSliceVar(&o.Databases, "database", nil, "a database to restore (repeatable; default: every database of the backup, and the roles)")
	c.Flags().StringVar(&o.Into, "into", "", "restore the one --database into this database (default <db>_restored, or itself with --replace)")
	c.Flags().BoolVar(&o.Replace, "replace", false, "restore over the live databases (pg_restore --clean --if-exists) instead of into new ones")
	_ = c.MarkFlagRequired("backup")
	return c
}

// restorePlan says on stderr what the Job will write where.
func restorePlan(o backup.RestoreOptions, job, namespace string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Job %s restores backup %s:\n", job, o.Backup)
	if len(o.Databases) == 0 {
		if o.Replace {
			b.WriteString("#   every database of the backup, over itself (--replace), after its roles\n")
		} else {
			b.WriteString("#   every database <db> of the backup into a new database <db>_restored, after its roles\n")
		}
	}
	targets := o.Targets()
	for _, db := range slices.Sorted(maps.Keys(targets)) {
		how := "new database"
		if o.Replace {
			how = "replacing its content"
		}
		fmt.Fprintf(&b, "#   %s -> %s (%s)\n", db, targets[db], how)
	}
	fmt.Fprintf(&b, "# Apply it with kubectl apply -f -; follow it with kubectl -n %s logs -f job/%s --all-containers\n", namespace, job)
	return b.String()
}
