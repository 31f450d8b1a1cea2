package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// fakeRunner records every call and simulates processes by pid.
type fakeRunner struct {
	mu      sync.Mutex
	nextPID int
	calls   []string
	running map[int]bool
	byAddr  map[string]int

	// startErr fails Start for an address; exits makes a started address
	// report exited; logLines are written to the log before Start returns.
	startErr map[string]error
	exits    map[string]bool
	logLines map[string][]string
	// startDelay makes Start take a while, to observe concurrency.
	startDelay      time.Duration
	active, maxSeen int
	onStart         func(spec *runtimes.LaunchSpec)
	specs           map[string]*runtimes.LaunchSpec
}

func newFakeRunner() *fakeRunner {
	return &fakeRunner{
		nextPID:  100,
		running:  map[int]bool{},
		byAddr:   map[string]int{},
		startErr: map[string]error{},
		exits:    map[string]bool{},
		logLines: map[string][]string{},
		specs:    map[string]*runtimes.LaunchSpec{},
	}
}

func (f *fakeRunner) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeRunner) Start(ctx context.Context, spec *runtimes.LaunchSpec) (runtimes.Handle, error) {
	f.mu.Lock()
	f.active++
	f.maxSeen = max(f.maxSeen, f.active)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	if f.startDelay > 0 {
		time.Sleep(f.startDelay)
	}
	f.record("start " + spec.Address)
	// Like a real runner, create the log, with any lines the test wants.
	if spec.LogPath != "" {
		var out string
		if lines := f.logLines[spec.Address]; lines != nil {
			out = strings.Join(lines, "\n") + "\n"
		}
		if err := os.WriteFile(spec.LogPath, []byte(out), 0o644); err != nil {
			return runtimes.Handle{}, err
		}
	}
	if err := f.startErr[spec.Address]; err != nil {
		return runtimes.Handle{}, err
	}
	f.mu.Lock()
	f.nextPID++
	pid := f.nextPID
	f.running[pid] = !f.exits[spec.Address]
	f.byAddr[spec.Address] = pid
	f.specs[spec.Address] = spec
	f.mu.Unlock()
	if f.onStart != nil {
		f.onStart(spec)
	}
	return runtimes.Handle{PID: pid}, nil
}

func (f *fakeRunner) Status(ctx context.Context, h runtimes.Handle) (runtimes.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running[h.PID] {
		return runtimes.StatusRunning, nil
	}
	return runtimes.StatusExited, nil
}

func (f *fakeRunner) Stop(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	f.record(fmt.Sprintf("stop %d", h.PID))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[h.PID] = false
	return nil
}

func (f *fakeRunner) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeRunner) index(call string) int {
	for i, c := range f.callList() {
		if c == call {
			return i
		}
	}
	return -1
}

// orphanRunner is a fakeRunner that also finds orphans.
type orphanRunner struct {
	*fakeRunner
	orphans []runtimes.Orphan
	lineage string
}

func (o *orphanRunner) FindOrphans(ctx context.Context, lineage string) ([]runtimes.Orphan, error) {
	o.lineage = lineage
	return o.orphans, nil
}

// countingStore wraps Store and counts saves, keeping the addresses in
// state at every save.
type countingStore struct {
	*Store
	mu        sync.Mutex
	saves     int
	snapshots [][]string
}

func newCountingStore(st *state.State) *countingStore {
	c := &countingStore{}
	c.Store = NewStore(st, func(s *state.State) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.saves++
		var addrs []string
		for _, r := range s.Resources {
			addrs = append(addrs, r.Address)
		}
		c.snapshots = append(c.snapshots, addrs)
		return nil
	})
	return c
}

func (c *countingStore) saveCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saves
}

// fixture builds plans for one temporary configuration directory.
type fixture struct {
	t     *testing.T
	dir   string
	blobs map[string][]byte
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t, dir: t.TempDir(), blobs: map[string][]byte{}}
}

func (f *fixture) blob(content string) string {
	sum := sha256.Sum256([]byte(content))
	h := hex.EncodeToString(sum[:])
	f.blobs[h] = []byte(content)
	return h
}

// spec returns a process spec with a trust directory holding a bundle, one
// certificate and a hash-named link to it.
func (f *fixture) spec(addr string, deps ...string) *state.Spec {
	td := layout.ResourceDir(f.dir, addr)
	bundle := f.blob("BUNDLE of " + addr + "\n")
	cert := f.blob("CERT shared\n")
	return &state.Spec{
		Kind:       runtimes.KindProcess,
		Argv:       []string{"/bin/true", addr},
		WorkingDir: f.dir,
		Env:        map[string]string{"SSL_CERT_FILE": filepath.Join(td, "cert.pem")},
		TrustDir:   td,
		Files: []state.File{
			{Path: filepath.Join(td, "cert.pem"), Mode: 0o644, SHA256: bundle},
			{Path: filepath.Join(td, "certs", "aaaa.pem"), Mode: 0o644, SHA256: cert},
			{Path: filepath.Join(td, "certs", "12345678.0"), Link: "aaaa.pem"},
		},
		LogPath:     layout.LogPath(f.dir, addr),
		StopTimeout: time.Second,
		DependsOn:   deps,
	}
}

func (f *fixture) plan(changes ...*plan.Change) *plan.Plan {
	return &plan.Plan{FormatVersion: plan.FormatVersion, Dir: f.dir, Changes: changes, Blobs: f.blobs}
}

func change(action plan.Action, addr string, before, after *state.Spec) *plan.Change {
	typ, name, _ := strings.Cut(addr, ".")
	return &plan.Change{Address: addr, Type: typ, Name: name, Action: action, Before: before, After: after}
}

func create(addr string, after *state.Spec) *plan.Change {
	return change(plan.Create, addr, nil, after)
}

func newState() *state.State {
	return &state.State{Version: state.Version, Lineage: "lineage-1"}
}

func opts(r runtimes.Runner, store StateStore) Options {
	return Options{
		Runners:          map[runtimes.Kind]runtimes.Runner{runtimes.KindProcess: r},
		Store:            store,
		Lineage:          "lineage-1",
		Now:              func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
		ProgressInterval: time.Hour,
	}
}
