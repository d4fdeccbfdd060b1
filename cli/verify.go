package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/verify"
)

// errVerifyFailed is verify's finding of a FAIL: the report is the
// output, the status 1.
var errVerifyFailed = errors.New("verify found a FAIL")

// verifyColour decides colour as the validation Job's report does: on a
// terminal or with FORCE_COLOR set, never with NO_COLOR (terminal is
// false with NO_COLOR already).
func verifyColour(terminal bool) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	return terminal || os.Getenv("FORCE_COLOR") != ""
}

func (a app) verifyCmd(colour bool) *cobra.Command {
	var path catalogRef
	var conn verify.Connection
	var namespace, format string
	var timeout time.Duration
	opts := verify.DefaultOptions
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check a live environment against its catalog: the seed's 13 checks, through the Kubernetes API",
		Long: `Check a live environment against the catalog, through the Kubernetes API (a
kubeconfig, as kubectl reads it): the seed's validation script's 13 checks,
each expecting exactly what the render of the catalog holds: namespace and
access, StorageClass, Secrets synced, init Jobs completed, PostgreSQL,
Redis, Kafka, ClickHouse, pods Ready, gRPC discovery, proto definitions,
resource limits and error lines in recent logs. What only a pod inside can
reach (a database, a topic, a gRPC health check) comes from the render's
validation Job: its state and its report's lines.

  novagen verify -f services.yaml --context staging
  novagen verify -e production -o json

One line per fact, PASS, FAIL, WARN or SKIP (the catalog has no such
component), then the totals. Exits 1 on any FAIL, 0 otherwise, 2 when the
command line, the catalog or the cluster connection is wrong.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--output %q: expected text or json", format)
			}
			cat, err := a.loadCatalog(c, path)
			if err != nil {
				return err
			}
			nodes, err := a.renderAll(cat)
			if err != nil {
				return err
			}
			if namespace == "" {
				namespace = cat.Spec.Namespace
			}
			e, err := verify.NewExpect(namespace, nodes)
			if err != nil {
				return err
			}
			cluster, err := verify.Connect(conn)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(c.Context(), timeout)
			defer cancel()
			if err := verify.Reachable(ctx, cluster, namespace); err != nil {
				return err
			}
			report := verify.Run(ctx, cluster, e, opts)
			if format == "json" {
				err = verify.WriteJSON(c.OutOrStdout(), report)
			} else {
				err = verify.WriteText(c.OutOrStdout(), report, verifyColour(colour))
			}
			if err == nil && report.Failed() {
				return errVerifyFailed
			}
			return err
		},
	}
	catalogFlag(c, &path)
	f := c.Flags()
	f.StringVar(&conn.Kubeconfig, "kubeconfig", "", "path of the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
	f.StringVar(&conn.Context, "context", "", "the kubeconfig context (default: its current one)")
	f.StringVarP(&namespace, "namespace", "n", "", "the environment's namespace (default: the catalog's)")
	f.StringVarP(&format, "output", "o", "text", "text or json")
	f.DurationVar(&timeout, "timeout", 2*time.Minute, "how long verify may take in all")
	f.Int64Var(&opts.LogSince, "log-since", opts.LogSince, "seconds of each container's log the error-logs check reads")
	f.Int64Var(&opts.LogTail, "log-tail", opts.LogTail, "lines of each container's log the error-logs check reads at most")
	return c
}
