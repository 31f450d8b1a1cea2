package plan

import (
	"slices"

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
	add(before.Kind != after.Kind, "kind")
	add(!slices.Equal(before.Argv, after.Argv), "command")
	add(before.WorkingDir != after.WorkingDir, "working_dir")
	for _, k := range unionKeys(before.Env, after.Env) {
		bv, bok := before.Env[k]
		av, aok := after.Env[k]
		add(bok != aok || bv != av, "env."+k)
	}
	add(before.Scope != after.Scope, "trust_scope")
	add(before.TrustDir != after.TrustDir, "trust_dir")
	add(!certsSame(before.Certificates, after.Certificates), "certificates")
	add(!slices.Equal(before.Files, after.Files), "files")
	add(before.LogPath != after.LogPath, "log_path")
	replace = append(replace, containerReasons(before.Container, after.Container)...)
	if len(replace) > 0 {
		return Replace, replace
	}
	update := before.StopTimeout != after.StopTimeout ||
		before.StartPeriod != after.StartPeriod ||
		!readyEqual(before.ReadyWhen, after.ReadyWhen) ||
		!slices.Equal(before.DependsOn, after.DependsOn) ||
		!sameStrings(before.SensitiveEnv, after.SensitiveEnv) ||
		!slices.Equal(before.SensitiveArgs, after.SensitiveArgs) ||
		!certSummariesEqual(before.Certificates, after.Certificates)
	if update {
		return Update, nil
	}
	return NoOp, nil
}

func containerReasons(b, a *runtimes.ContainerLaunch) []string {
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
	add(!sameStrings(b.Args, a.Args), "args")
	add(!sameStrings(b.Ports, a.Ports), "ports")
	add(b.Network != a.Network, "network")
	add(!sameStrings(b.Volumes, a.Volumes), "volumes")
	add(!sameStrings(b.RuntimeArgs, a.RuntimeArgs), "runtime_args")
	add(b.Name != a.Name, "container_name")
	add(b.TrustDir != a.TrustDir || b.Destination != a.Destination, "certificates_destination")
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
	return sortedKeys(seen)
}
