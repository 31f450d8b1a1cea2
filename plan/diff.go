package plan

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// compareSpecs decides the action for a running resource whose desired
// spec is after. Anything the process or container would see forces a
// replacement; the rest (how trustform waits for and stops it, and how it
// displays it) is an in-place update of state.
func compareSpecs(before, after *state.Spec) (Action, []string) {
	var replace []string
	add := func(cond bool, path string) {
		if cond {
			replace = append(replace, path)
		}
	}
	// A resource moving to another trust set sees every path into the
	// set change with it: that is one reason, the set, not one per
	// variable and argument naming a file in it.
	moved := func(s string) string { return s }
	if before.TrustDir != "" && after.TrustDir != "" && before.TrustDir != after.TrustDir {
		moved = func(s string) string { return moveDirIn(s, before.TrustDir, after.TrustDir) }
	}
	add(before.Kind != after.Kind, "kind")
	add(!slices.EqualFunc(before.Argv, after.Argv, func(b, a string) bool { return moved(b) == a }), "command")
	add(before.WorkingDir != after.WorkingDir, "working_dir")
	for _, k := range unionKeys(before.Env, after.Env) {
		bv, bok := before.Env[k]
		av, aok := after.Env[k]
		add(bok != aok || moved(bv) != av, "env."+k)
	}
	add(before.Scope != after.Scope, "trust_scope")
	if after.TrustSet != "" || before.TrustSet != "" {
		add(before.TrustDir != after.TrustDir || !certsSame(before.Certificates, after.Certificates) || !slices.Equal(before.Files, after.Files), "trust_set")
	} else {
		add(before.TrustDir != after.TrustDir, "trust_dir")
		add(!certsSame(before.Certificates, after.Certificates), "certificates")
		add(!slices.Equal(before.Files, after.Files), "files")
	}
	add(before.LogPath != after.LogPath, "log_path")
	replace = append(replace, containerReasons(before.Container, after.Container, moved)...)
	if len(replace) > 0 {
		return Replace, replace
	}
	update := before.StopTimeout != after.StopTimeout ||
		before.StartPeriod != after.StartPeriod ||
		!readyEqual(before.ReadyWhen, after.ReadyWhen) ||
		!slices.Equal(before.DependsOn, after.DependsOn) ||
		!slices.Equal(before.Watch, after.Watch) ||
		restartPolicy(before.Restart) != restartPolicy(after.Restart) ||
		!sameStrings(before.SensitiveEnv, after.SensitiveEnv) ||
		!slices.Equal(before.SensitiveArgs, after.SensitiveArgs) ||
		!certSummariesEqual(before.Certificates, after.Certificates)
	if update {
		return Update, nil
	}
	return NoOp, nil
}

// moveDirIn returns s with the directory old, and paths below it, moved to
// dir.
func moveDirIn(s, old, dir string) string {
	if s == old {
		return dir
	}
	if !strings.Contains(s, old) {
		return s
	}
	return strings.ReplaceAll(s, old+string(filepath.Separator), dir+string(filepath.Separator))
}

func containerReasons(b, a *runtimes.ContainerLaunch, moved func(string) string) []string {
	if b == nil && a == nil {
		return nil
	}
	if b == nil || a == nil {
		return []string{"container"}
	}
	var out []string
	add := func(cond bool, path string) {
		if cond {
			out = append(out, path)
		}
	}
	// Engine is left out: the plan leaves it to apply, which records the
	// one it used.
	add(b.Image != a.Image, "image")
	add(b.Entrypoint != a.Entrypoint, "entrypoint")
	add(!slices.EqualFunc(b.Args, a.Args, func(x, y string) bool { return moved(x) == y }), "args")
	add(!sameStrings(b.Ports, a.Ports), "ports")
	add(b.Network != a.Network, "network")
	add(!sameStrings(b.Volumes, a.Volumes), "volumes")
	add(!sameStrings(b.RuntimeArgs, a.RuntimeArgs), "runtime_args")
	add(b.Name != a.Name, "container_name")
	// The host directory is the trust set's, compared with the set.
	add((b.TrustDir == "") != (a.TrustDir == "") || b.Destination != a.Destination, "certificates_destination")
	add(!sameStrings(b.OverwriteBundles, a.OverwriteBundles), "overwrite_bundles")
	add(b.MergeImage != a.MergeImage, "merge_image_bundle")
	return out
}

// sameStrings treats nil and empty alike, as a JSON round trip does.
func sameStrings(a, b []string) bool { return slices.Equal(a, b) }

func certsSame(a, b []state.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].SHA256 != b[i].SHA256 || a[i].SHA256 == "" {
			return false
		}
	}
	return true
}

func certSummariesEqual(a, b []state.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Subject != y.Subject || x.Issuer != y.Issuer || x.SHA256 != y.SHA256 || x.Source != y.Source || !x.NotAfter.Equal(y.NotAfter) {
			return false
		}
	}
	return true
}

func readyEqual(a, b *state.ReadyWhen) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func unionKeys(a, b map[string]string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	return keys.Sorted(seen)
}

// restartPolicy is a spec's restart policy, "no" when unset (states
// written before restart existed).
func restartPolicy(p string) string {
	if p == "" {
		return "no"
	}
	return p
}
