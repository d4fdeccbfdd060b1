package redis_test

// The validation Job's Redis check (generator deployment-validation) on
// real servers: its script under busybox sh as the Job's numeric UID,
// with the container's environment (the Secret's password in
// REDISCLI_AUTH, the host and port pointed at a loopback node).

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/generators/validation"
	"github.com/novagen/novagen/internal/testtool"
)

// validationCheck is the Redis check container of the catalog's
// validation Job and the Job's UID.
func validationCheck(t *testing.T, r *rendered) (corev1.Container, int64) {
	t.Helper()
	objs, err := validation.Generate(r.cat)
	require.NoError(t, err)
	for _, o := range objs {
		if j, ok := o.(*batchv1.Job); ok {
			spec := j.Spec.Template.Spec
			i := slices.IndexFunc(spec.InitContainers, func(c corev1.Container) bool { return c.Name == validation.CheckRedis })
			require.GreaterOrEqual(t, i, 0, "a redis check")
			return spec.InitContainers[i], *spec.SecurityContext.RunAsUser
		}
	}
	t.Fatal("no Job")
	return corev1.Container{}, 0
}

// runRedisCheck runs the check against host:port and returns its result
// lines, which it also logged.
func runRedisCheck(t *testing.T, c corev1.Container, uid int64, host string, port int) string {
	t.Helper()
	dir := testtool.SharedDir(t)
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, e := range c.Env {
		v := e.Value
		switch e.Name {
		case scripts.EnvRedisCLIAuth:
			require.NotNil(t, e.ValueFrom, "the password comes from the Secret")
			v = password
		case scripts.EnvRedisHost:
			v = host
		case scripts.EnvRedisPort:
			v = strconv.Itoa(port)
		case scripts.EnvReportDir:
			v = dir
		}
		env = append(env, e.Name+"="+v)
	}
	out, errOut, code := testtool.AsUID(t, uid, c.Command[2], nil, env)
	assert.Zero(t, code, "a check never fails its container:\n%s%s", out, errOut)
	assert.NotContains(t, out+errOut, password)
	b, err := os.ReadFile(filepath.Join(dir, validation.CheckRedis))
	require.NoError(t, err)
	assert.Equal(t, string(b), out)
	t.Logf("%s", out)
	return out
}

// TestValidationRedisCheck: a formed cluster passes; with a master
// killed (staging has no replicas) the others report cluster_state:fail
// and the check fails, as it does against the dead node's port and
// against a redis-server that is not in cluster mode.
func TestValidationRedisCheck(t *testing.T) {
	tl := needTools(t)
	r := render(t, "../../services.yaml")
	check, uid := validationCheck(t, r)
	requireUnlisted(t, uid)
	red := r.cat.Spec.Infrastructure.Redis

	ips := slices.Repeat([]string{"127.0.0.1"}, red.Nodes)
	c := newCluster(t, tl, r, "validation", ips, freePorts(t, red.Nodes, "127.0.0.1"))
	c.announce = "127.0.0.1"
	c.startAll()
	init := c.runInit(slices.Repeat([]string{loopbackName(t)}, red.Nodes))
	require.Zero(t, init.code, "init:\n%s", init)

	first := c.nodes[0]
	out := runRedisCheck(t, check, uid, first.ip, first.port)
	assert.Equal(t, "PASS redis at 127.0.0.1:"+strconv.Itoa(first.port)+": cluster_state:ok, 16384 slots assigned, "+strconv.Itoa(red.Nodes)+" nodes\n", out)

	victim := c.nodes[red.Nodes-1]
	c.kill(victim)
	out = runRedisCheck(t, check, uid, victim.ip, victim.port)
	assert.Regexp(t, `^FAIL redis at 127\.0\.0\.1:\d+: no cluster state: Could not connect to Redis at .*refused\n$`, out)

	c.waitFor("the others see the cluster fail", time.Duration(red.NodeTimeout.Milliseconds())*time.Millisecond*4+20*time.Second,
		func() (bool, string) {
			st := info(tl, first, "cluster_state")
			return st == "fail", "cluster_state:" + st
		})
	out = runRedisCheck(t, check, uid, first.ip, first.port)
	assert.Regexp(t, `^FAIL redis at 127\.0\.0\.1:\d+: cluster_state:fail, \d+ slots ok, \d+ failed\n$`, out)

	// A standalone server (cluster mode off) answers, but with no cluster.
	port := freePorts(t, 1, "127.0.0.1")[0]
	srv := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--requirepass", password,
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	require.Eventually(t, func() bool {
		return exec.Command(tl.redisCLI, "-p", strconv.Itoa(port), "--no-auth-warning", "-a", password, "ping").Run() == nil
	}, 10*time.Second, 100*time.Millisecond)
	out = runRedisCheck(t, check, uid, "127.0.0.1", port)
	assert.Regexp(t, `^FAIL redis at 127\.0\.0\.1:\d+: no cluster state: ERR This instance has cluster support disabled\n$`, out)
}
