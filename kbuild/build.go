package kbuild

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/generators"
)

// The Argo CD plugin's parameters (plugin.yaml's parameters.static):
// Argo CD hands the generate command each string parameter as
// PARAM_<NAME> and all of them, as JSON, in ARGOCD_APP_PARAMETERS.
const (
	ParamEnvironment = "environment"
	ParamPartition   = "partition"
	appParametersEnv = "ARGOCD_APP_PARAMETERS"
)

// paramEnv is the variable Argo CD sets for a string parameter.
func paramEnv(name string) string {
	return "PARAM_" + map[string]string{ParamEnvironment: "ENVIRONMENT", ParamPartition: "PARTITION"}[name]
}

// Params are the plugin's parameters: what the function reads as
// fns.EnvironmentEnv and fns.PartitionEnv; "" unset.
type Params struct {
	Environment, Partition string
}

// ParamsFromEnv reads the parameters Argo CD sets, and refuses what the
// plugin does not declare: an unknown name or a parameter that is not a
// string (ARGOCD_APP_PARAMETERS), a value that is not a DNS label (what
// environment and partition names are).
func ParamsFromEnv(getenv func(string) string) (Params, error) {
	if s := getenv(appParametersEnv); s != "" {
		var list []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &list); err != nil {
			return Params{}, fmt.Errorf("%s: %v", appParametersEnv, err)
		}
		for _, p := range list {
			var name string
			_ = json.Unmarshal(p["name"], &name)
			if name != ParamEnvironment && name != ParamPartition {
				return Params{}, fmt.Errorf("parameter %q: the novagen plugin has only %s and %s", name, ParamEnvironment, ParamPartition)
			}
			if _, ok := p["string"]; !ok || len(p) != 2 {
				return Params{}, fmt.Errorf("parameter %s: expected a string value", name)
			}
		}
	}
	p := Params{Environment: getenv(paramEnv(ParamEnvironment)), Partition: getenv(paramEnv(ParamPartition))}
	return p, p.validate()
}

func (p Params) validate() error {
	for _, kv := range [][2]string{{ParamEnvironment, p.Environment}, {ParamPartition, p.Partition}} {
		if kv[1] != "" && len(validation.IsDNS1123Label(kv[1])) > 0 {
			return fmt.Errorf("parameter %s %q is not a DNS label (lower-case letters, digits and '-', at most 63), as %s names are", kv[0], kv[1], kv[0])
		}
	}
	return nil
}

// env is the environment the function sees under p: the parameters as
// fns.EnvironmentEnv and fns.PartitionEnv (the variables the function
// reads), over getenv's; a parameter the environment already sets
// otherwise is refused.
func (p Params) env(getenv func(string) string) (map[string]string, error) {
	set := map[string]string{}
	for _, s := range []struct{ param, value, env, argo string }{
		{ParamEnvironment, p.Environment, fns.EnvironmentEnv, fns.ArgoCDEnvironmentEnv},
		{ParamPartition, p.Partition, fns.PartitionEnv, fns.ArgoCDPartitionEnv},
	} {
		if s.value == "" {
			continue
		}
		for _, name := range []string{s.env, s.argo} {
			if v := getenv(name); v != "" && v != s.value {
				return nil, fmt.Errorf("parameter %s %q and %s=%q differ: set one", s.param, s.value, name, v)
			}
		}
		set[s.env] = s.value
	}
	return set, nil
}

// Options of Build.
type Options struct {
	Params
	// Registry holds the generators and transformers the direct path
	// runs: this program's, those its `novagen fn` runs; required.
	Registry *generators.Registry
	// Kustomize is the kustomize executable of the fallback, found
	// through PATH when it has no slash.
	Kustomize string
	// Self says why `novagen` on PATH is not this program (the direct
	// path renders what this program's function would); "" when it is.
	// Nil: not checked.
	Self func() string
	// Explain, when set, is told which path ran and why.
	Explain io.Writer
}

// Build prints to stdout what `kustomize build --enable-alpha-plugins
// --enable-exec dir` prints: directly when Analyze and Direct allow it,
// else by running that kustomize (argv, no shell) with the parameters in
// its environment, its stderr on stderr.
func Build(dir string, o Options, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	set, err := o.env(os.Getenv)
	if err != nil {
		return err
	}
	getenv := func(name string) string {
		if v, ok := set[name]; ok {
			return v
		}
		return os.Getenv(name)
	}
	plan := Analyze(dir)
	why := plan.Fallback
	if why == "" && o.Self != nil {
		why = o.Self()
	}
	if why == "" {
		var out []byte
		if out, why, err = Direct(plan, o.Registry, getenv); err != nil {
			return err
		}
		if why == "" {
			o.explain("direct: %d generator and %d transformer configs", len(plan.Generators), len(plan.Transformers))
			_, err = stdout.Write(out)
			return err
		}
	}
	o.explain("kustomize: %s", why)
	return o.kustomize(dir, set, stdout, stderr)
}

func (o Options) explain(format string, args ...any) {
	if o.Explain != nil {
		fmt.Fprintf(o.Explain, "novagen build: "+format+"\n", args...)
	}
}

// KustomizeArgs are the fallback's arguments after the executable.
func KustomizeArgs(dir string) []string {
	return []string{"build", "--enable-alpha-plugins", "--enable-exec", dir}
}

// kustomize runs the fallback.
func (o Options) kustomize(dir string, set map[string]string, stdout, stderr io.Writer) error {
	name := o.Kustomize
	if name == "" {
		name = "kustomize"
	}
	cmd := exec.Command(name, KustomizeArgs(dir)...)
	cmd.Env = os.Environ()
	for k, v := range set {
		cmd.Env = append(cmd.Env, k+"="+v) // the last of a name wins
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w", name, KustomizeArgs(dir), err)
	}
	return nil
}

// SelfOnPath says why the `novagen` that kustomize would find through
// PATH is not this executable ("" when it is): the direct path renders
// with this program's code, kustomize with that one's.
func SelfOnPath() string {
	onPath, err := exec.LookPath("novagen")
	if err != nil {
		return "no novagen on PATH"
	}
	self, err := os.Executable()
	if err != nil {
		return err.Error()
	}
	a, errA := filepath.EvalSymlinks(onPath)
	b, errB := filepath.EvalSymlinks(self)
	if err := errors.Join(errA, errB); err != nil {
		return err.Error()
	}
	if a != b {
		return fmt.Sprintf("novagen on PATH (%s) is not this executable (%s)", a, b)
	}
	return ""
}
