// Package image tests what the function image (../../Dockerfile) holds,
// without a container engine: the Dockerfile agrees with the project
// (Go version, static build, numeric non-root user, empty base), and the
// binaries built as it builds them are static and work with an empty
// environment, as a UID without a passwd entry, on a filesystem where
// nothing is writable. `make image-test` runs it (NOVAGEN_IMAGE_TEST=1).
package image

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/testtool"
)

const repo = "../.."

// nonRoot is the image's USER.
const nonRoot = "65532"

func enabled(t *testing.T) {
	if os.Getenv("NOVAGEN_IMAGE_TEST") == "" {
		t.Skip("make image-test runs this (NOVAGEN_IMAGE_TEST=1): it builds the image's binaries")
	}
}

// dockerfile is the Dockerfile's instructions, continuation lines joined.
func dockerfile(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	require.NoError(t, err)
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

// The Dockerfile builds with the project's Go, statically, and ships an
// empty base with a numeric non-root user.
func TestDockerfile(t *testing.T) {
	ins := dockerfile(t)
	var froms, users, envs, runs []string
	for _, in := range ins {
		word, rest, _ := strings.Cut(in, " ")
		switch word {
		case "FROM":
			froms = append(froms, rest)
		case "USER":
			users = append(users, rest)
		case "ENV":
			envs = append(envs, rest)
		case "RUN":
			runs = append(runs, rest)
		}
	}
	require.Len(t, froms, 2, "a build stage and the image")
	assert.Equal(t, "golang:"+strings.TrimPrefix(runtime.Version(), "go")+" AS build", froms[0], "the toolchain the project builds and tests with")
	assert.Equal(t, "scratch", froms[1], "nothing but the binaries")
	require.Len(t, users, 1)
	assert.Equal(t, nonRoot+":"+nonRoot, users[0], "numeric and not root")
	assert.Contains(t, strings.Join(envs, " "), "CGO_ENABLED=0")
	build := strings.Join(runs, " ")
	assert.Contains(t, build, "-o /out/novagen ./cmd/novagen")
	// No .git in the build context: the commit novagen version prints
	// comes from make image's build arguments.
	for _, v := range []string{"version=${VERSION}", "commit=${COMMIT}", "modified=${MODIFIED}"} {
		assert.Contains(t, build, "-X github.com/novagen/novagen/cli."+v)
	}
	assert.Contains(t, build, "-modfile=tools/go.mod -ldflags=\"-s -w\" -o /out/kustomize sigs.k8s.io/kustomize/kustomize/v5",
		"kustomize at the version tools/go.mod pins")
}

// build builds the image's two binaries as the Dockerfile does.
func build(t *testing.T) string {
	t.Helper()
	bin := testtool.SharedDir(t)
	for _, args := range [][]string{
		{"build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(bin, "novagen"), "./cmd/novagen"},
		{"build", "-trimpath", "-modfile=tools/go.mod", "-ldflags=-s -w", "-o", filepath.Join(bin, "kustomize"), "sigs.k8s.io/kustomize/kustomize/v5"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %v: %s", args, out)
	}
	return bin
}

// TestBinaries: static executables that need nothing from their
// environment and write nothing.
func TestBinaries(t *testing.T) {
	enabled(t)
	bin := build(t)
	for _, name := range []string{"novagen", "kustomize"} {
		f, err := elf.Open(filepath.Join(bin, name))
		require.NoError(t, err)
		for _, p := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "%s asks for a dynamic loader", name)
		}
		libs, err := f.ImportedLibraries()
		require.NoError(t, err)
		assert.Empty(t, libs, "%s links shared libraries", name)
		f.Close()
	}

	// A copy of the repository (catalog, protos, examples) the binaries
	// work on; then every mount read-only, an empty environment but PATH,
	// and the image's UID, which has no passwd entry here.
	work := testtool.SharedDir(t)
	for _, p := range []string{"services.yaml", "protos", "examples"} {
		src := filepath.Join(repo, p)
		if info, err := os.Stat(src); err == nil && info.IsDir() {
			testtool.CopyDir(t, src, filepath.Join(work, p))
		} else {
			data, err := os.ReadFile(src)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(work, p), data, 0o644))
		}
	}
	require.NoError(t, os.Mkdir(filepath.Join(work, ".git"), 0o755)) // the repository's root for the function
	golden, err := os.ReadFile(filepath.Join(repo, "golden", "render.yaml"))
	require.NoError(t, err)
	staging, err := os.ReadFile(filepath.Join(repo, "golden", "examples", "staging.yaml"))
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		argv []string
		want []byte
	}{
		{"render", []string{"novagen", "render", "-f", "services.yaml"}, golden},
		{"kustomize build with the exec function", []string{"kustomize", "build", "--enable-alpha-plugins", "--enable-exec", "examples/staging"}, staging},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr := readOnly(t, work, bin, tc.argv)
			assert.True(t, bytes.Equal(tc.want, stdout), "output differs from the golden file; stderr:\n%s", stderr)
		})
	}
	// And it really cannot write: the same sandbox refuses a file.
	_, stderr := readOnly(t, work, bin, []string{"novagen", "copy-self", "."})
	assert.Regexp(t, regexp.MustCompile(`read-only file system|permission denied`), stderr)
}

// readOnly runs argv in dir, in a mount namespace where every mount is
// read-only, as the image's UID with only PATH=bin set, and returns its
// stdout and stderr (failing the test on a non-zero exit unless the
// command is expected to fail, which the caller checks by its output).
func readOnly(t *testing.T, dir, bin string, argv []string) ([]byte, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root (a mount namespace with every mount read-only)")
		}
		t.Skip("needs root: a mount namespace with every mount read-only")
	}
	unshare := testtool.Require(t, "unshare")
	setpriv := testtool.Require(t, "setpriv")
	// Remount every mount point read-only inside the new namespace only,
	// then drop to the image's UID with an empty environment.
	script := `set -e
findmnt -rn -o TARGET | while read -r m; do
  m=$(printf '%b' "$m")
  mount -o remount,bind,ro "$m" 2>/dev/null || { mount --bind "$m" "$m" 2>/dev/null && mount -o remount,bind,ro "$m" 2>/dev/null; } || true
done
cd "$1"; shift
exec "$@"`
	args := append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh", dir,
		setpriv, "--reuid=" + nonRoot, "--regid=" + nonRoot, "--clear-groups", "--", "/usr/bin/env", "-i", "PATH=" + bin}, argv...)
	cmd := exec.Command(unshare, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && argv[1] != "copy-self" {
		t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	return stdout.Bytes(), stderr.String()
}
