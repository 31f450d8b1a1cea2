package benchgen

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// These benchmarks back the figures `make bench` measures with the real
// binary (see website/docs/performance.md), in-process so that a profile
// (-cpuprofile) shows where the time goes without process start-up or
// terminal output in the way:
//
//	go test ./internal/benchgen -run '^$' -bench LoadPlan -cpuprofile cpu.out
//	go tool pprof -top cpu.out

const benchCerts = 150

// benchDir writes a configuration of n resources and 150 CA certificates.
func benchDir(b *testing.B, n int) string {
	b.Helper()
	pems, err := CACerts(benchCerts)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := Write(dir, Options{Resources: n, Certs: pems}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// planInput is what the CLI hands plan.Build, without reading the machine:
// no development CA, nothing discovered, system roots never needed
// (append scope).
func planInput(b *testing.B, cfg *lang.Config, opts lang.Options) *plan.Input {
	return &plan.Input{
		Config: cfg,
		State:  &state.State{Version: state.Version},
		Host: plan.Host{
			GOOS:           runtime.GOOS,
			Environ:        map[string]string{"PATH": "/usr/bin:/bin"},
			SystemCertDirs: []string{"/etc/ssl/certs"},
			SystemRoots: func() ([]*pem.Certificate, error) {
				return nil, fmt.Errorf("system roots are not needed in append scope")
			},
			ReadFile: os.ReadFile,
		},
		Devcert: plan.DevcertInput{Dir: opts.DevcertDir},
		Now:     opts.Now,
		Version: "bench",
	}
}

// loadPlan is one fresh `trustform plan`: load, build, render.
func loadPlan(b *testing.B, dir string, opts lang.Options, st *state.State, refreshed map[string]runtimes.Status) *plan.Plan {
	return loadPlanIn(b, dir, opts, nil, st, refreshed)
}

// loadPlanIn is loadPlan in trustform's environment environ (nil: PATH
// alone).
func loadPlanIn(b *testing.B, dir string, opts lang.Options, environ map[string]string, st *state.State, refreshed map[string]runtimes.Status) *plan.Plan {
	cfg, diags := lang.Load(dir, opts)
	if diags.HasErrors() {
		b.Fatalf("Load: %v", diags)
	}
	in := planInput(b, cfg, opts)
	if environ != nil {
		in.Host.Environ = environ
	}
	if st != nil {
		in.State, in.Refreshed = st, refreshed
	}
	p, diags := plan.Build(in)
	if diags.HasErrors() {
		b.Fatalf("Build: %v", diags)
	}
	if err := plan.RenderHuman(io.Discard, p, false); err != nil {
		b.Fatal(err)
	}
	return p
}

func benchmarkLoadPlan(b *testing.B, n int) {
	dir := benchDir(b, n)
	opts := loadOptions(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if p := loadPlan(b, dir, opts, nil, nil); len(p.Changes) != n || p.Changes[0].Action != plan.Create {
			b.Fatalf("%d changes", len(p.Changes))
		}
	}
}

// BenchmarkLoadPlan1000 is a fresh plan of 1,000 resources, in-process.
func BenchmarkLoadPlan1000(b *testing.B) { benchmarkLoadPlan(b, 1000) }

// BenchmarkLoadPlan5000 is a fresh plan of 5,000 resources; its ratio to
// BenchmarkLoadPlan1000 is the scaling target (at most 5.5).
func BenchmarkLoadPlan5000(b *testing.B) { benchmarkLoadPlan(b, 5000) }

// BenchmarkLoadPlan1000Inherited is BenchmarkLoadPlan1000 run from a
// login environment like the corporate one of the benchmark machines: a
// dozen trust variables name one system bundle (here of 140 CAs), so every
// resource inherits them all and each is decided (ten merged bundles per
// set). Its gap to BenchmarkLoadPlan1000 is what those decisions cost.
func BenchmarkLoadPlan1000Inherited(b *testing.B) {
	dir := benchDir(b, 1000)
	opts := loadOptions(b)
	pems, err := CACerts(140)
	if err != nil {
		b.Fatal(err)
	}
	bundle := filepath.Join(b.TempDir(), "ca-certificates.crt")
	if err := os.WriteFile(bundle, bytes.Join(pems, nil), 0o644); err != nil {
		b.Fatal(err)
	}
	environ := map[string]string{"PATH": "/usr/bin:/bin", "SSL_CERT_DIR": filepath.Dir(bundle)}
	for _, name := range []string{"SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
		"GIT_SSL_CAINFO", "AWS_CA_BUNDLE", "PIP_CERT", "HTTPLIB2_CA_CERTS", "NIX_SSL_CERT_FILE",
		"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE"} {
		environ[name] = bundle
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p := loadPlanIn(b, dir, opts, environ, nil, nil)
		if len(p.Changes) != 1000 || len(p.Changes[0].Inherited) != len(environ)-1 {
			b.Fatalf("%d changes, %d inherited decisions", len(p.Changes), len(p.Changes[0].Inherited))
		}
	}
}

// appliedState plans dir once and saves, with state's own encoder, the
// state an apply of that plan leaves: every resource running.
func appliedState(b *testing.B, dir string, opts lang.Options) (string, map[string]runtimes.Status) {
	first := loadPlan(b, dir, opts, nil, nil)
	st := &state.State{Version: state.Version, Lineage: "bench"}
	refreshed := map[string]runtimes.Status{}
	for i, ch := range first.Changes {
		st.Resources = append(st.Resources, &state.Resource{
			Address: ch.Address, Type: ch.Type, Name: ch.Name, Spec: ch.After,
			Handle: runtimes.Handle{PID: 100000 + i, StartTime: uint64(1000 + i)},
		})
		refreshed[ch.Address] = runtimes.StatusRunning
	}
	statePath := layout.StatePath(dir)
	if err := os.MkdirAll(filepath.Dir(statePath), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := st.Save(statePath); err != nil {
		b.Fatal(err)
	}
	return statePath, refreshed
}

// BenchmarkLoadPlan1000NoOp re-plans 1,000 applied, running resources: the
// plan every edit-and-check loop pays for. Like the CLI, it reads the
// state file on every plan.
func BenchmarkLoadPlan1000NoOp(b *testing.B) {
	dir := benchDir(b, 1000)
	opts := loadOptions(b)
	statePath, refreshed := appliedState(b, dir, opts)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st, err := state.Load(statePath)
		if err != nil {
			b.Fatal(err)
		}
		p := loadPlan(b, dir, opts, st, refreshed)
		if p.HasChanges() {
			b.Fatalf("re-plan of applied resources has changes: %+v", p.Summary())
		}
	}
}

// BenchmarkStateLoad1000 reads the state of 1,000 applied resources, the
// part of the no-op plan that grows with what apply recorded (every file
// of every resource). It reports the file's size.
func BenchmarkStateLoad1000(b *testing.B) {
	dir := benchDir(b, 1000)
	statePath, _ := appliedState(b, dir, loadOptions(b))
	fi, err := os.Stat(statePath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st, err := state.Load(statePath)
		if err != nil || len(st.Resources) != 1000 {
			b.Fatalf("Load: %v", err)
		}
	}
	// After the loop: ResetTimer drops metrics reported before it.
	b.ReportMetric(float64(fi.Size())/1e6, "MB-state")
}
