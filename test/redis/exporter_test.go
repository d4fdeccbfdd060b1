package redis_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/monitoring"
	"github.com/novagen/novagen/naming"
)

// envExporter names the redis_exporter binary run.sh builds from the
// module proxy at the pinned version (test/redis/exporter/go.mod).
const envExporter = "NOVAGEN_REDIS_EXPORTER"

// TestExporterServesTheDashboardsMetrics: redis_exporter, at the version
// novagen pins, run with the rendered redis-exporter Deployment's
// environment (the password from the Secret), scrapes every node of a
// real cluster through /scrape?target=, with the targets the
// ServiceMonitor names (host:port), and serves every redis_* metric the
// rendered Redis dashboard reads, with redis_up and redis_cluster_state 1
// on each node.
func TestExporterServesTheDashboardsMetrics(t *testing.T) {
	tl := needTools(t)
	binary := os.Getenv(envExporter)
	if binary == "" {
		t.Fatalf("%s is not set: run test/redis/run.sh", envExporter)
	}
	tc := cases[0]
	r := render(t, tc.catalog)
	container, wanted := exporterOf(t, r.cat)
	// The binary is built at the tag the image pins.
	mod, err := os.ReadFile("exporter/go.mod")
	require.NoError(t, err)
	built := regexp.MustCompile(`github\.com/oliver006/redis_exporter (v[0-9.]+)`).FindSubmatch(mod)
	require.NotNil(t, built, "exporter/go.mod requires no redis_exporter")
	require.True(t, strings.HasSuffix(container.Image, ":"+string(built[1])), "image %s, built %s", container.Image, built[1])

	nodes := tc.masters * (tc.replicas + 1)
	c := newCluster(t, tl, r, "exporter", slices.Repeat([]string{"127.0.0.1"}, nodes), freePorts(t, nodes, "127.0.0.1"))
	c.announce = "127.0.0.1"
	c.startAll()
	init := c.runInit(slices.Repeat([]string{loopbackName(t)}, nodes))
	require.Zero(t, init.code, "init:\n%s\n%s", init, c.tails())
	c.waitOK(time.Minute)
	// A key, so some node has a keyspace (redis_db_keys).
	require.Contains(t, cli(tl, c.nodes[0], "-c", "SET", "novagen-exporter", "1"), "OK")

	// The rendered container as the kubelet runs it; only the listen
	// address differs (the pod's default :9121 is not free to take here).
	listen := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePorts(t, 1, "127.0.0.1")[0]))
	require.Len(t, container.Ports, 1)
	require.Equal(t, int32(catalog.RedisExporterPort), container.Ports[0].ContainerPort, "the exporter's own default port, so the pod needs no flag")
	cmd := exec.Command(binary, append(slices.Clone(container.Args), "--web.listen-address="+listen)...)
	cmd.Env = environ(t, container, "", "", os.Getenv("PATH"), nil)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	pidFile := tl.pidFile(t, cmd.Process.Pid)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.Remove(pidFile)
	})

	served := map[string]bool{}
	for _, n := range c.nodes {
		// The ServiceMonitor's target is <pod>.<headless>:<port>; here the
		// node's address, in the same host:port form.
		metrics := scrapeExporter(t, listen, n.addr(), &logs)
		require.Equal(t, "1", metrics["redis_up"], "%s: redis_up\n%s", n.addr(), logs.String())
		require.Equal(t, "1", metrics["redis_cluster_state"], "%s: redis_cluster_state", n.addr())
		for name := range metrics {
			served[name] = true
		}
	}
	require.NotEmpty(t, wanted)
	for _, name := range wanted {
		require.True(t, served[name], "the Redis dashboard reads %s, which redis_exporter does not serve", name)
	}
	t.Logf("redis_exporter serves the %d metrics the dashboard reads (%v) from %d nodes", len(wanted), wanted, nodes)
}

// redisMetric is a redis_exporter metric name in a PromQL expression
// (the dashboard's label values, such as service="redis-exporter", have
// a hyphen).
var redisMetric = regexp.MustCompile(`\bredis_[a-z_]+\b`)

// exporterOf is the rendered redis-exporter container and the redis_*
// metrics the rendered Redis dashboard's queries name.
func exporterOf(t *testing.T, cat *catalog.Catalog) (corev1.Container, []string) {
	t.Helper()
	objs, err := monitoring.Generate(cat)
	require.NoError(t, err)
	var (
		container corev1.Container
		wanted    []string
	)
	for _, o := range objs {
		switch v := o.(type) {
		case *appsv1.Deployment:
			if v.Name == naming.Exporter(catalog.ExporterRedis) {
				require.Len(t, v.Spec.Template.Spec.Containers, 1)
				container = v.Spec.Template.Spec.Containers[0]
			}
		case *corev1.ConfigMap:
			if text, ok := v.Data[naming.Dashboard(cat.Metadata.Name, catalog.ExporterRedis)+".json"]; ok {
				var d struct {
					Panels []struct{ Targets []struct{ Expr string } }
				}
				require.NoError(t, json.Unmarshal([]byte(text), &d))
				for _, p := range d.Panels {
					for _, q := range p.Targets {
						wanted = append(wanted, redisMetric.FindAllString(q.Expr, -1)...)
					}
				}
			}
		}
	}
	require.NotEmpty(t, container.Name, "no Deployment %s", naming.Exporter(catalog.ExporterRedis))
	slices.Sort(wanted)
	return container, slices.Compact(wanted)
}

// scrapeExporter asks the exporter at listen for target's metrics, as
// Prometheus does, once it answers, and returns each sample's value by
// metric name (the last sample of a name).
func scrapeExporter(t *testing.T, listen, target string, logs fmt.Stringer) map[string]string {
	t.Helper()
	url := fmt.Sprintf("http://%s%s?target=%s", listen, monitoring.ScrapePath, target)
	var resp *http.Response
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		resp, err = http.Get(url)
		if err == nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "%s: %v\n%s", url, err, logs)
		time.Sleep(200 * time.Millisecond)
	}
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	out := map[string]string{}
	s := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(name, '{'); i >= 0 {
			// Labels may hold spaces: the value follows the closing brace.
			name, rest = line[:i], line[strings.LastIndexByte(line, '}')+2:]
		}
		out[name] = strings.Fields(rest)[0]
	}
	require.NoError(t, s.Err())
	return out
}
