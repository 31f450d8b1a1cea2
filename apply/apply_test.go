package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/deferred"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

func TestApplyStartsDependenciesFirst(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	store := newCountingStore(newState())
	// c -> b -> a, d independent; listed out of order on purpose.
	p := f.plan(
		create("executable.c", f.spec("executable.c", "executable.b")),
		create("executable.a", f.spec("executable.a")),
		create("executable.d", f.spec("executable.d")),
		create("executable.b", f.spec("executable.b", "executable.a")),
	)
	res, err := Apply(context.Background(), p, opts(r, store))
	if err != nil {
		t.Fatal(err)
	}
	ia, ib, ic := r.index("start executable.a"), r.index("start executable.b"), r.index("start executable.c")
	if ia < 0 || ib < 0 || ic < 0 || r.index("start executable.d") < 0 {
		t.Fatalf("not every resource started: %v", r.callList())
	}
	if !(ia < ib && ib < ic) {
		t.Errorf("start order %v; want a before b before c", r.callList())
	}
	if res.Added != 4 || res.Destroyed != 0 || res.Changed != 0 {
		t.Errorf("result counts = %+v", res)
	}
	for _, rr := range res.Resources {
		if rr.Outcome != OutcomeApplied || rr.Handle.PID == 0 {
			t.Errorf("%s: outcome %s handle %+v", rr.Address, rr.Outcome, rr.Handle)
		}
	}
	// Two saves per resource: its record before anything is written or
	// started, then its handle; only the first adds a record (a and d
	// start in parallel, so their saves interleave).
	if store.saveCount() != 8 {
		t.Errorf("state saved %d times, want 8 (twice per resource)", store.saveCount())
	}
	prev := 0
	for i, snap := range store.snapshots {
		if len(snap) != prev && len(snap) != prev+1 {
			t.Errorf("save %d recorded %v after %d records", i, snap, prev)
		}
		prev = len(snap)
	}
	if prev != 4 {
		t.Errorf("last save recorded %d resources, want 4", prev)
	}
	// The launch spec carries what runners tag processes with.
	ls := r.specs["executable.b"]
	if ls.Lineage != "lineage-1" || ls.Address != "executable.b" || ls.LogPath != layout.LogPath(f.dir, "executable.b") {
		t.Errorf("launch spec = %+v", ls)
	}
	// The spec digest is a container label; processes do not carry it.
	if ls.ConfigSHA256 != "" {
		t.Errorf("process launch spec has ConfigSHA256 %q", ls.ConfigSHA256)
	}
	cs := &state.Spec{Kind: runtimes.KindContainer, Container: &runtimes.ContainerLaunch{Image: "img"}}
	if d := launchSpec("container.c", "l", f.dir, cs, nil).ConfigSHA256; len(d) != 64 {
		t.Errorf("container launch spec ConfigSHA256 = %q, want a sha256", d)
	}
	rec := store.Lookup("executable.b")
	want := []string{layout.ResourceDir(f.dir, "executable.b"), layout.LogPath(f.dir, "executable.b")}
	if rec == nil || !reflect.DeepEqual(rec.CreatedPaths, want) || rec.Handle != res.Resources[1].Handle || rec.Since.IsZero() {
		t.Errorf("state record = %+v; want created paths %v", rec, want)
	}
}

func TestApplyParallelismIsBounded(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	r.startDelay = 20 * time.Millisecond
	var changes []*plan.Change
	for i := range 12 {
		addr := fmt.Sprintf("executable.r%02d", i)
		changes = append(changes, create(addr, f.spec(addr)))
	}
	o := opts(r, NewStore(newState(), nil))
	o.Parallelism = 3
	if _, err := Apply(context.Background(), f.plan(changes...), o); err != nil {
		t.Fatal(err)
	}
	if r.maxSeen > 3 {
		t.Errorf("%d starts ran at once, parallelism is 3", r.maxSeen)
	}
	if r.maxSeen < 2 {
		t.Errorf("independent resources never started in parallel (max %d)", r.maxSeen)
	}
	if n := len(r.callList()); n != 12 {
		t.Errorf("%d starts, want 12", n)
	}
}

func TestApplyFailureStopsDependantsOnly(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	r.startErr["executable.a"] = errors.New("exec: no such file")
	r.logLines["executable.a"] = []string{"booting", "cannot find module"}
	store := newCountingStore(newState())
	p := f.plan(
		create("executable.a", f.spec("executable.a")),
		create("executable.b", f.spec("executable.b", "executable.a")),
		create("executable.c", f.spec("executable.c", "executable.b")),
		create("executable.d", f.spec("executable.d")),
	)
	res, err := Apply(context.Background(), p, opts(r, store))
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v; want *Error", err)
	}
	if r.index("start executable.b") >= 0 || r.index("start executable.c") >= 0 {
		t.Errorf("dependants of a failed resource started: %v", r.callList())
	}
	if r.index("start executable.d") < 0 {
		t.Errorf("independent resource not started: %v", r.callList())
	}
	if len(ae.Failures) != 1 || ae.Failures[0].Address != "executable.a" ||
		!reflect.DeepEqual(ae.Failures[0].LastLog, []string{"booting", "cannot find module"}) {
		t.Errorf("failures = %+v", ae.Failures)
	}
	if !reflect.DeepEqual(ae.Skipped, []string{"executable.b", "executable.c"}) {
		t.Errorf("skipped = %v", ae.Skipped)
	}
	msg := err.Error()
	for _, want := range []string{"executable.a: starting:", "exec: no such file", "    cannot find module", "run apply again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error message lacks %q:\n%s", want, msg)
		}
	}
	// d is recorded and saved; a, b, c are not; a's files are gone. a was
	// recorded before its start and forgotten after it failed (2 saves),
	// d before and after its start (2 saves).
	if store.saveCount() != 4 || store.Lookup("executable.d") == nil || store.Lookup("executable.a") != nil {
		t.Errorf("saves=%d state=%v", store.saveCount(), store.snapshots)
	}
	if _, err := os.Stat(layout.ResourceDir(f.dir, "executable.a")); !os.IsNotExist(err) {
		t.Errorf("trust material of a resource that never started was left behind: %v", err)
	}
	if res == nil || res.Added != 1 {
		t.Errorf("result = %+v", res)
	}
}

func TestApplyKeepsStartedResourceThatNeverGetsReady(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	r.exits["executable.a"] = true
	r.logLines["executable.a"] = []string{"panic: port in use"}
	store := NewStore(newState(), nil)
	_, err := Apply(context.Background(), f.plan(create("executable.a", f.spec("executable.a"))), opts(r, store))
	if err == nil || !strings.Contains(err.Error(), "panic: port in use") || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("err = %v; want exit reported with the log", err)
	}
	if rec := store.Lookup("executable.a"); rec == nil || rec.Handle.PID == 0 {
		t.Errorf("a started resource must stay recorded; got %+v", rec)
	}
}

func TestApplyReplaceStopsBeforeStarting(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	old := f.spec("executable.a")
	st := newState()
	st.Resources = []*state.Resource{{
		Address: "executable.a", Type: "executable", Name: "a", Spec: old,
		Handle: runtimes.Handle{PID: 7}, CreatedPaths: []string{old.TrustDir, old.LogPath},
	}}
	r.running[7] = true
	store := newCountingStore(st)
	after := f.spec("executable.a")
	after.Env["LOG_LEVEL"] = "debug"
	res, err := Apply(context.Background(), f.plan(change(plan.Replace, "executable.a", old, after)), opts(r, store))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.callList(); !reflect.DeepEqual(got, []string{"stop 7", "start executable.a"}) {
		t.Errorf("calls = %v; want stop of the old instance, then start", got)
	}
	rec := store.Lookup("executable.a")
	if rec == nil || rec.Handle.PID == 7 || rec.Spec.Env["LOG_LEVEL"] != "debug" {
		t.Errorf("state after replace = %+v", rec)
	}
	if res.Added != 1 || res.Destroyed != 1 {
		t.Errorf("counts = %+v", res)
	}
	// Removed from state after the stop, recorded again before and after
	// the start.
	if !reflect.DeepEqual(store.snapshots, [][]string{nil, {"executable.a"}, {"executable.a"}}) {
		t.Errorf("saves = %v", store.snapshots)
	}
}

func TestApplyUpdateKeepsProcess(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	old := f.spec("executable.a")
	st := newState()
	st.Resources = []*state.Resource{{Address: "executable.a", Spec: old, Handle: runtimes.Handle{PID: 9}}}
	store := NewStore(st, nil)
	after := f.spec("executable.a")
	after.StopTimeout = 30 * time.Second
	res, err := Apply(context.Background(), f.plan(change(plan.Update, "executable.a", old, after)), opts(r, store))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.callList()) != 0 {
		t.Errorf("update touched the process: %v", r.callList())
	}
	if rec := store.Lookup("executable.a"); rec.Handle.PID != 9 || rec.Spec.StopTimeout != 30*time.Second {
		t.Errorf("record = %+v", rec)
	}
	if res.Changed != 1 {
		t.Errorf("counts = %+v", res)
	}
}

func TestDestroyStopsDependantsFirstAndRemovesOnlyRecordedPaths(t *testing.T) {
	f := newFixture(t)
	r := newFakeRunner()
	store := NewStore(newState(), nil)
	a, b := f.spec("executable.a"), f.spec("executable.b", "executable.a")
	if _, err := Apply(context.Background(), f.plan(create("executable.a", a), create("executable.b", b)), opts(r, store)); err != nil {
		t.Fatal(err)
	}
	pa, pb := store.Lookup("executable.a").Handle.PID, store.Lookup("executable.b").Handle.PID

	// Files trustform did not create, next to and inside what it did.
	foreign := []string{
		filepath.Join(layout.ResourcesDir(f.dir), "notes.txt"),
		filepath.Join(layout.LogsDir(f.dir), "other.log"),
		filepath.Join(a.TrustDir, "certs", "mine.pem"),
	}
	for _, p := range foreign {
		if err := os.WriteFile(p, []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	r2 := newFakeRunner()
	p := f.plan(change(plan.Delete, "executable.a", a, nil), change(plan.Delete, "executable.b", b, nil))
	res, err := Apply(context.Background(), p, opts(r2, store))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r2.callList(), []string{fmt.Sprintf("stop %d", pb), fmt.Sprintf("stop %d", pa)}; !reflect.DeepEqual(got, want) {
		t.Errorf("stops = %v; want %v (dependant first)", got, want)
	}
	if res.Destroyed != 2 || len(store.State().Resources) != 0 {
		t.Errorf("destroyed %d, state %v", res.Destroyed, store.State().Resources)
	}
	for _, p := range foreign {
		if b, err := os.ReadFile(p); err != nil || string(b) != "keep" {
			t.Errorf("%s did not survive destroy: %v", p, err)
		}
	}
	for _, p := range []string{b.TrustDir, b.LogPath, a.LogPath, filepath.Join(a.TrustDir, "cert.pem"), filepath.Join(a.TrustDir, "certs", "aaaa.pem")} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived destroy: %v", p, err)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(layout.StateDir(f.dir), StoreDirName)); len(ents) != 0 {
		t.Errorf("store entries left after destroy: %v", ents)
	}
}

func TestDestroyRefusesPathsOutsideTrustformDir(t *testing.T) {
	f := newFixture(t)
	outside := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := newState()
	st.Resources = []*state.Resource{{Address: "executable.a", Spec: &state.Spec{}, Handle: runtimes.Handle{PID: 5}, CreatedPaths: []string{outside, f.dir}}}
	store := NewStore(st, nil)
	_, err := Apply(context.Background(), f.plan(change(plan.Delete, "executable.a", &state.Spec{}, nil)), opts(newFakeRunner(), store))
	if err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("err = %v; want refusal", err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("a path outside .trustform was removed: %v", err)
	}
	if store.Lookup("executable.a") == nil {
		t.Error("record dropped although removal failed")
	}
}

func TestApplyReadyWhenTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{TCP: ln.Addr().String(), Timeout: 5 * time.Second}
	dep := f.spec("executable.b", "executable.a")
	r := newFakeRunner()
	store := NewStore(newState(), nil)
	if _, err := Apply(context.Background(), f.plan(create("executable.a", s), create("executable.b", dep)), opts(r, store)); err != nil {
		t.Fatal(err)
	}
	if r.index("start executable.b") < 0 {
		t.Error("dependant of a ready resource did not start")
	}
	if rec := store.Lookup("executable.a"); rec == nil || rec.Tainted {
		t.Errorf("a resource that became ready must not stay tainted: %+v", rec)
	}
}

func TestApplyTaintsResourceThatNeverGetsReady(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{TCP: closedPort(t), Timeout: 300 * time.Millisecond}
	r := newFakeRunner()
	store := NewStore(newState(), nil)
	if _, err := Apply(context.Background(), f.plan(create("executable.a", s)), opts(r, store)); err == nil {
		t.Fatal("apply succeeded although the resource never became ready")
	}
	rec := store.Lookup("executable.a")
	if rec == nil || !rec.Tainted {
		t.Fatalf("a started but never-ready resource must be recorded as tainted: %+v", rec)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestApplyReadyWhenTimesOutWithLogLines(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{TCP: closedPort(t), Timeout: 300 * time.Millisecond}
	r := newFakeRunner()
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	r.logLines["executable.a"] = lines
	store := NewStore(newState(), nil)
	_, err := Apply(context.Background(), f.plan(create("executable.a", s), create("executable.b", f.spec("executable.b", "executable.a"))), opts(r, store))
	var ae *Error
	if !errors.As(err, &ae) || len(ae.Failures) != 1 {
		t.Fatalf("err = %v", err)
	}
	fl := ae.Failures[0]
	if !strings.Contains(fl.Err.Error(), "not ready after 300ms") {
		t.Errorf("error = %v", fl.Err)
	}
	if !reflect.DeepEqual(fl.LastLog, lines[10:]) {
		t.Errorf("last log lines = %v; want the last 20", fl.LastLog)
	}
	if r.index("start executable.b") >= 0 {
		t.Error("dependant of a never-ready resource started")
	}
	if store.Lookup("executable.a") == nil {
		t.Error("started resource not recorded")
	}
}

func TestApplyReadyWhenExitFailsFast(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{TCP: closedPort(t), Timeout: time.Hour}
	r := newFakeRunner()
	r.exits["executable.a"] = true
	done := make(chan error)
	go func() {
		_, err := Apply(context.Background(), f.plan(create("executable.a", s)), opts(r, NewStore(newState(), nil)))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("apply kept waiting for a process that exited")
	}
}

func TestApplyReadyWhenHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable) // any answer counts
	}))
	defer srv.Close()
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{HTTP: srv.URL + "/health", Timeout: 5 * time.Second}
	if _, err := Apply(context.Background(), f.plan(create("executable.a", s)), opts(newFakeRunner(), NewStore(newState(), nil))); err != nil {
		t.Fatal(err)
	}
}

func TestApplyCancellation(t *testing.T) {
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{TCP: closedPort(t), Timeout: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newFakeRunner()
	r.onStart = func(spec *runtimes.LaunchSpec) {
		if spec.Address == "executable.a" {
			cancel() // as if SIGINT arrived while a waits for readiness
		}
	}
	store := NewStore(newState(), nil)
	p := f.plan(create("executable.a", s), create("executable.b", f.spec("executable.b", "executable.a")))
	res, err := Apply(ctx, p, opts(r, store))
	var ae *Error
	if !errors.As(err, &ae) || !ae.Interrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want interrupted", err)
	}
	if r.index("start executable.b") >= 0 {
		t.Error("a resource started after cancellation")
	}
	if store.Lookup("executable.a") == nil {
		t.Error("the started resource is not in state")
	}
	if res == nil || len(res.Resources) != 2 || res.Resources[1].Outcome == OutcomeApplied {
		t.Errorf("result = %+v", res)
	}
}

func TestApplyStopsOrphansBeforeStarting(t *testing.T) {
	f := newFixture(t)
	fr := newFakeRunner()
	fr.running[41], fr.running[42] = true, true
	st := newState()
	st.Resources = []*state.Resource{{Address: "executable.b", Spec: f.spec("executable.b"), Handle: runtimes.Handle{PID: 42}}}
	r := &orphanRunner{fakeRunner: fr, orphans: []runtimes.Orphan{
		{Address: "executable.a", Handle: runtimes.Handle{PID: 41}}, // not in state: left by a crash
		{Address: "executable.b", Handle: runtimes.Handle{PID: 42}}, // recorded: ours
	}}
	var ev bytes.Buffer
	o := opts(r, NewStore(st, nil))
	o.Events = TextEvents{W: &ev}
	if _, err := Apply(context.Background(), f.plan(create("executable.a", f.spec("executable.a"))), o); err != nil {
		t.Fatal(err)
	}
	if got := fr.callList(); !reflect.DeepEqual(got, []string{"stop 41", "start executable.a"}) {
		t.Errorf("calls = %v", got)
	}
	if r.lineage != "lineage-1" {
		t.Errorf("orphans looked up for lineage %q", r.lineage)
	}
	if !strings.Contains(ev.String(), "executable.a: Stopped a leftover from an interrupted apply [pid=41]") {
		t.Errorf("events:\n%s", ev.String())
	}
}

func TestApplyRefusesPendingDevcert(t *testing.T) {
	f := newFixture(t)
	c := create("executable.a", f.spec("executable.a"))
	c.DevcertPending = true
	r := newFakeRunner()
	o := opts(r, NewStore(newState(), nil))
	o.NoDevcertCreate = true
	_, err := Apply(context.Background(), f.plan(c), o)
	if !errors.Is(err, ErrDevcertPending) {
		t.Fatalf("err = %v", err)
	}
	if len(r.callList()) != 0 {
		t.Error("started something despite the pending CA")
	}
}

func TestApplyRecordsOutputs(t *testing.T) {
	f := newFixture(t)
	st := newState()
	st.Outputs = map[string]*state.Output{"gone": {Value: []byte(`1`)}}
	store := NewStore(st, nil)
	p := f.plan()
	p.Outputs = []*plan.OutputChange{
		{Name: "url", Action: plan.Create, After: []byte(`"https://localhost"`), Type: []byte(`"string"`)},
		{Name: "pid", Action: plan.Create, Unknown: true},
		{Name: "gone", Action: plan.Delete},
	}
	res, err := Apply(context.Background(), p, opts(newFakeRunner(), store))
	if err != nil {
		t.Fatal(err)
	}
	if o := st.Outputs["url"]; o == nil || string(o.Value) != `"https://localhost"` {
		t.Errorf("outputs = %v", st.Outputs)
	}
	if _, ok := st.Outputs["gone"]; ok {
		t.Error("deleted output still in state")
	}
	if !reflect.DeepEqual(res.UnknownOutputs, []string{"pid"}) {
		t.Errorf("unknown outputs = %v", res.UnknownOutputs)
	}
}

func TestApplyEventsText(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	o := opts(newFakeRunner(), NewStore(newState(), nil))
	o.Events = TextEvents{W: &buf}
	if _, err := Apply(context.Background(), f.plan(create("node_app.web", f.spec("node_app.web"))), o); err != nil {
		t.Fatal(err)
	}
	want := "node_app.web: Creating...\nnode_app.web: Creation complete after 0.0s [pid=101]\n"
	if buf.String() != want {
		t.Errorf("events:\n%s\nwant:\n%s", buf.String(), want)
	}
	s := f.spec("node_app.web")
	buf.Reset()
	if _, err := Apply(context.Background(), f.plan(change(plan.Delete, "node_app.web", s, nil)), o); err != nil {
		t.Fatal(err)
	}
	want = "node_app.web: Destroying... [pid=101]\nnode_app.web: Destruction complete after 0.0s\n"
	if buf.String() != want {
		t.Errorf("events:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestApplyEventsJSON(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	r := newFakeRunner()
	r.startErr["node_app.bad"] = errors.New("boom")
	o := opts(r, NewStore(newState(), nil))
	o.Events = JSONEvents{W: &buf, Now: o.Now}
	Apply(context.Background(), f.plan(create("node_app.web", f.spec("node_app.web")), create("node_app.bad", f.spec("node_app.bad"))), o)
	types := map[string]JSONEvent{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var ev JSONEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not one JSON object per line: %q: %v", line, err)
		}
		types[ev.Type+" "+ev.Hook.Resource.Addr] = ev
	}
	done := types["apply_complete node_app.web"]
	if done.Hook.IDKey != "pid" || done.Hook.IDValue == "" || done.Hook.ElapsedSeconds == nil || done.Hook.Resource.ResourceType != "node_app" || done.Hook.Action != "create" {
		t.Errorf("apply_complete = %+v", done)
	}
	if bad := types["apply_errored node_app.bad"]; !strings.Contains(bad.Hook.Error, "boom") || bad.Level != "error" {
		t.Errorf("apply_errored = %+v", bad)
	}
	if _, ok := types["apply_start node_app.web"]; !ok {
		t.Errorf("no apply_start: %s", buf.String())
	}
}

// Every @timestamp has the one format, microseconds always shown, so that
// the command's summary lines (which use TimestampFormat too) match the
// events (issue 11: apply -json used to mix RFC3339Nano and microseconds).
func TestJSONEventsTimestampFormat(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 12, 5, 1, 2, 3, 120_000_000, time.UTC)
	j := JSONEvents{W: &buf, Now: func() time.Time { return at }}
	j.emit("info", "apply_start", "x", "executable.a", plan.Create, runtimes.Handle{}, nil)
	var ev JSONEvent
	if err := json.Unmarshal(buf.Bytes(), &ev); err != nil {
		t.Fatal(err)
	}
	if want := "2026-12-05T01:02:03.120000Z"; ev.Timestamp != want {
		t.Errorf("@timestamp = %q, want %q", ev.Timestamp, want)
	}
}

func TestFormatElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		400 * time.Millisecond: "0.4s",
		12 * time.Second:       "12.0s",
		65*time.Second + 400e6: "1m5s",
		0:                      "0.0s",
	} {
		if got := FormatElapsed(d); got != want {
			t.Errorf("FormatElapsed(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLastLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	var b strings.Builder
	for i := range 5000 { // larger than the 64 KiB window
		fmt.Fprintf(&b, "line number %d with some padding to make it longer\r\n", i)
	}
	os.WriteFile(p, []byte(b.String()), 0o644)
	got := lastLines(p, 3)
	want := []string{
		"line number 4997 with some padding to make it longer",
		"line number 4998 with some padding to make it longer",
		"line number 4999 with some padding to make it longer",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lastLines = %q", got)
	}
	if lastLines(filepath.Join(t.TempDir(), "missing"), 3) != nil {
		t.Error("missing log gave lines")
	}
}

// The command records through a state.Journal; a crash after some
// resources leaves them recoverable by Load.
func TestApplyThroughStateJournal(t *testing.T) {
	f := newFixture(t)
	path := layout.StatePath(f.dir)
	st := state.New("lineage-j", "test")
	j, err := state.OpenJournal(path, st)
	if err != nil {
		t.Fatal(err)
	}
	r := newFakeRunner()
	r.startErr["executable.b"] = errors.New("boom")
	o := opts(r, j)
	o.Lineage = st.Lineage
	_, err = Apply(context.Background(), f.plan(create("executable.a", f.spec("executable.a")), create("executable.b", f.spec("executable.b"))), o)
	if err == nil {
		t.Fatal("want b's failure")
	}
	// Without Close, as if trustform were killed now.
	got, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lookup("executable.a") == nil || got.Lookup("executable.b") != nil || got.Lookup("executable.a").Handle.PID == 0 {
		t.Errorf("recovered state = %+v", got.Resources)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyReportsProgressWhileWaiting(t *testing.T) {
	addr := closedPort(t)
	go func() {
		time.Sleep(300 * time.Millisecond)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return // the port was taken meanwhile; the test then times out below
		}
		t.Cleanup(func() { ln.Close() })
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	f := newFixture(t)
	s := f.spec("executable.a")
	s.ReadyWhen = &state.ReadyWhen{TCP: addr, Timeout: 20 * time.Second}
	var buf bytes.Buffer
	o := opts(newFakeRunner(), NewStore(newState(), nil))
	o.Events = TextEvents{W: &buf}
	o.ProgressInterval = 50 * time.Millisecond
	if _, err := Apply(context.Background(), f.plan(create("executable.a", s)), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "executable.a: Still creating... [") {
		t.Errorf("no progress reported:\n%s", buf.String())
	}
}

func TestApplyCreatesPendingDevcert(t *testing.T) {
	f := newFixture(t)
	caDir := filepath.Join(t.TempDir(), "devcert")
	s := f.spec("executable.a")
	s.Files = nil // the planner leaves them to ResolveDevcert
	c := create("executable.a", s)
	c.DevcertPending = true
	c.Pending = &plan.PendingTrust{Certs: []string{""}, Sources: []string{"developer certificate"}}
	p := f.plan(c)
	p.Devcert = plan.DevcertPlan{Create: true, Dir: caDir}
	var ev bytes.Buffer
	o := opts(newFakeRunner(), NewStore(newState(), nil))
	o.Now = time.Now // the CA must be valid now
	o.Events = TextEvents{W: &ev}
	if _, err := Apply(context.Background(), p, o); err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(filepath.Join(caDir, "ca.pem"))
	if err != nil {
		t.Fatalf("CA not created: %v", err)
	}
	bundle, err := os.ReadFile(filepath.Join(s.TrustDir, "cert.pem"))
	if err != nil || !bytes.Contains(bundle, bytes.TrimSpace(caPEM)) {
		t.Errorf("bundle does not hold the new CA (%v):\n%s", err, bundle)
	}
	if !strings.HasPrefix(ev.String(), "Development CA created in "+caDir+"\n") {
		t.Errorf("events:\n%s", ev.String())
	}
}

func TestDestroyStopsOrphans(t *testing.T) {
	f := newFixture(t)
	fr := newFakeRunner()
	fr.running[41], fr.running[42] = true, true
	a := f.spec("executable.a")
	st := newState()
	st.Resources = []*state.Resource{{Address: "executable.a", Spec: a, Handle: runtimes.Handle{PID: 42}}}
	r := &orphanRunner{fakeRunner: fr, orphans: []runtimes.Orphan{
		{Address: "executable.z", Handle: runtimes.Handle{PID: 41}}, // unrecorded, from a crashed apply
		{Address: "executable.a", Handle: runtimes.Handle{PID: 42}},
	}}
	store := NewStore(st, nil)
	if _, err := Apply(context.Background(), f.plan(change(plan.Delete, "executable.a", a, nil)), opts(r, store)); err != nil {
		t.Fatal(err)
	}
	if got := fr.callList(); !reflect.DeepEqual(got, []string{"stop 41", "stop 42"}) {
		t.Errorf("calls = %v; want the orphan and the recorded process stopped", got)
	}
}

// TestApplyComputesOutputsKnownAfterApply checks that an output carried as
// a template in the plan is computed from the pids and start times apply
// records, without the configuration.
func TestApplyComputesOutputsKnownAfterApply(t *testing.T) {
	f := newFixture(t)
	st := newState()
	store := NewStore(st, nil)
	p := f.plan(create("executable.w[0]", f.spec("executable.w[0]")), create("executable.w[1]", f.spec("executable.w[1]")))
	ref := func(addr, attr string) *deferred.Template {
		return &deferred.Template{Kind: deferred.KindRef, Ref: &deferred.Ref{Address: addr, Attr: attr}}
	}
	lit, err := deferred.Literal(cty.StringVal(" since "))
	if err != nil {
		t.Fatal(err)
	}
	p.Outputs = []*plan.OutputChange{
		{Name: "pids", Action: plan.Create, Unknown: true, Type: []byte(`["list","number"]`),
			Template: &deferred.Template{Kind: deferred.KindTuple, Elems: []*deferred.Template{ref("executable.w[0]", "pid"), ref("executable.w[1]", "pid")}}},
		{Name: "first", Action: plan.Create, Unknown: true, Type: []byte(`"string"`),
			Template: &deferred.Template{Kind: deferred.KindString, Parts: []*deferred.Template{ref("executable.w[0]", "pid"), lit, ref("executable.w[0]", "since")}}},
		{Name: "missing", Action: plan.Create, Unknown: true, Type: []byte(`"number"`), Template: ref("executable.w[9]", "pid")},
	}
	res, err := Apply(context.Background(), p, opts(newFakeRunner(), store))
	if err != nil {
		t.Fatal(err)
	}
	w0, w1 := st.Lookup("executable.w[0]"), st.Lookup("executable.w[1]")
	if w0 == nil || w1 == nil || w0.Handle.PID == 0 || w1.Handle.PID == 0 {
		t.Fatalf("state: %+v %+v", w0, w1)
	}
	if o := st.Outputs["pids"]; o == nil || string(o.Value) != fmt.Sprintf("[%d,%d]", w0.Handle.PID, w1.Handle.PID) || string(o.Type) != `["list","number"]` {
		t.Errorf("pids = %+v", o)
	}
	want := fmt.Sprintf(`"%d since 2025-01-02T03:04:05Z"`, w0.Handle.PID)
	if o := st.Outputs["first"]; o == nil || string(o.Value) != want {
		t.Errorf("first = %+v, want %s", o, want)
	}
	if !reflect.DeepEqual(res.UnknownOutputs, []string{"missing"}) {
		t.Errorf("unknown outputs = %v", res.UnknownOutputs)
	}
}

// TestApplyEventsJSONInstanceKey checks the JSON hooks name an instance as
// Terraform does: the block's name plus resource_key.
func TestApplyEventsJSONInstanceKey(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	o := opts(newFakeRunner(), NewStore(newState(), nil))
	o.Events = JSONEvents{W: &buf, Now: o.Now}
	addrs := []string{"executable.w[1]", `executable.r["eu"]`, "executable.one"}
	var changes []*plan.Change
	for _, a := range addrs {
		changes = append(changes, create(a, f.spec(a)))
	}
	if _, err := Apply(context.Background(), f.plan(changes...), o); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var ev struct {
			Type string `json:"type"`
			Hook struct {
				Resource map[string]json.RawMessage `json:"resource"`
			} `json:"hook"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type == "apply_complete" {
			r := ev.Hook.Resource
			got[string(r["addr"])] = string(r["resource_name"]) + " " + string(r["resource_key"])
		}
	}
	want := map[string]string{`"executable.w[1]"`: `"w" 1`, `"executable.r[\"eu\"]"`: `"r" "eu"`, `"executable.one"`: `"one" `}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("apply_complete resources = %q, want %q", got, want)
	}
}
