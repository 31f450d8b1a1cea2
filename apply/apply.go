package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/internal/deferred"
	"github.com/trustform/trustform/internal/devcert"
	"github.com/trustform/trustform/internal/safepath"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// DefaultParallelism is how many steps run at once unless Options say
// otherwise (the -parallelism flag).
const DefaultParallelism = 10

// DefaultStopTimeout is the grace period when state records none.
const DefaultStopTimeout = 10 * time.Second

// DefaultProgressInterval is how often a long step reports progress.
const DefaultProgressInterval = 10 * time.Second

// ErrDevcertPending is returned for a plan that needs the development CA
// created first when Options.NoDevcertCreate forbids creating it.
var ErrDevcertPending = errors.New("the plan needs trustform's development CA, which does not exist yet")

// Options configure one Apply.
type Options struct {
	// Parallelism bounds how many resources are started or stopped at
	// once; 0 means DefaultParallelism.
	Parallelism int
	// Runners launch and stop resources by kind (state.Spec.Kind). Only the
	// kinds the plan uses are needed.
	Runners map[runtimes.Kind]runtimes.Runner
	// Store records every step; required.
	Store StateStore
	// Lineage is the state's lineage, with which every process and
	// container is tagged so that orphans of a crashed apply can be found;
	// empty means the plan's. The command must have saved a new state (and
	// so its lineage) before Apply, or orphans of a first apply that
	// crashed cannot be recognised.
	Lineage string
	// Events receives progress; nil means none.
	Events Events
	// BaseEnv is the environment every process inherits (os.Environ() in
	// the CLI); the spec's Env is added on top.
	BaseEnv []string
	// Now is the clock for Since and elapsed times; nil means time.Now.
	Now func() time.Time
	// ProgressInterval is how often a long step reports progress; 0 means
	// DefaultProgressInterval.
	ProgressInterval time.Duration
	// Rand is the randomness for the development CA's serial numbers when
	// apply creates it; nil means crypto/rand.
	Rand io.Reader
	// NoDevcertCreate refuses (ErrDevcertPending) a plan that needs the
	// development CA created, instead of creating it.
	NoDevcertCreate bool
	// NoLinkStore writes every file as its own copy instead of hard links
	// into .trustform/store (for filesystems where links misbehave, and to
	// measure the difference).
	NoLinkStore bool
	// LinksAsFiles writes each File.Link entry (the OpenSSL subject-hash
	// names in certs/) as a hard link to its target's content instead of
	// a symbolic link. OpenSSL reads both alike; creating a hard link
	// allocates no inode, which BenchmarkWriteMaterial1000 shows is most
	// of the cost of writing material at scale. Off by default because
	// the specification asks for symbolic links.
	LinksAsFiles bool
}

// Outcome is how one resource's change ended.
type Outcome string

// Outcomes of a ResourceResult.
const (
	OutcomeApplied    Outcome = "applied"
	OutcomeFailed     Outcome = "failed"
	OutcomeSkipped    Outcome = "skipped"
	OutcomeNotStarted Outcome = "not started"
)

// Result says what Apply did. It is returned, partially filled, alongside
// an error too.
type Result struct {
	// Added counts resources started (Create and Replace), Changed those
	// updated in place, Destroyed those stopped (Delete and Replace), as
	// "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." shows.
	Added, Changed, Destroyed int
	// Resources has one entry per change that was not a no-op, sorted by
	// address.
	Resources []ResourceResult
	// UnknownOutputs names outputs whose value is known only after apply
	// and that apply could not compute (they are left unset in state).
	UnknownOutputs []string
}

// ResourceResult is the outcome of one change.
type ResourceResult struct {
	Address string
	Action  plan.Action
	Outcome Outcome
	// Handle is the new handle after a Create or Replace, else the old one.
	Handle  runtimes.Handle
	Elapsed time.Duration
	// Err is the failure, or the reason for skipping.
	Err error
}

// Failure is one failed resource in an *Error.
type Failure struct {
	Address string
	// Action is the failed step: plan.Create, plan.Update or plan.Delete.
	Action  plan.Action
	Err     error
	LogPath string
	// LastLog holds up to 20 last lines of the resource's log.
	LastLog []string
}

// Error is returned when some step failed or apply was interrupted.
// Everything that did succeed is recorded in state.
type Error struct {
	Failures []Failure
	// Skipped lists resources not changed because something they depend
	// on failed.
	Skipped []string
	// Interrupted is set when ctx was cancelled; NotStarted lists what
	// was left for the next apply, Started what this run started and
	// recorded in state (and Stopped what it stopped and removed).
	Interrupted bool
	NotStarted  []string
	Started     []string
	Stopped     []string
	// Cause is ctx.Err() when interrupted, or an error outside any single
	// resource (saving outputs, for instance).
	Cause error
}

// Error renders every failure with its log lines, then what to do next.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case len(e.Failures) > 0:
		fmt.Fprintf(&b, "apply failed: %d %s failed", len(e.Failures), plural(len(e.Failures), "resource"))
		if len(e.Skipped) > 0 {
			verb := "they depend"
			if len(e.Skipped) == 1 {
				verb = "it depends"
			}
			fmt.Fprintf(&b, ", %d skipped because %s on a failed one", len(e.Skipped), verb)
		}
		if e.Interrupted {
			b.WriteString(", and apply was interrupted")
		}
		b.WriteString("\n")
	case e.Interrupted:
		return e.InterruptedMessage()
	case e.Cause != nil:
		fmt.Fprintf(&b, "apply failed: %v\n", e.Cause)
	}
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n%s: %s: %v\n", f.Address, stepName(f.Action), f.Err)
		if len(f.LastLog) > 0 {
			where := "its log"
			if f.LogPath != "" {
				where = f.LogPath
			}
			fmt.Fprintf(&b, "  last %d %s of %s:\n", len(f.LastLog), plural(len(f.LastLog), "line"), where)
			for _, l := range f.LastLog {
				b.WriteString("    " + l + "\n")
			}
		}
	}
	if len(e.Failures) > 0 && e.Cause != nil {
		fmt.Fprintf(&b, "\nalso: %v\n", e.Cause)
	}
	if e.Interrupted {
		b.WriteString("\n" + e.InterruptedMessage())
		return b.String()
	}
	b.WriteString("\nEverything that was started or stopped is recorded in state; ")
	if len(e.Failures) > 0 {
		b.WriteString("fix the problem above and run apply again.")
	} else {
		b.WriteString("run apply again to continue.")
	}
	return b.String()
}

// InterruptedMessage says what an interrupted apply left and what to do
// next, e.g. "Interrupted: 3 started and recorded, 2 not started. Run
// apply to continue or destroy to stop them." A run that only stopped
// resources (destroy) says how many it stopped instead.
func (e *Error) InterruptedMessage() string {
	if len(e.Started) == 0 && len(e.Stopped) > 0 {
		return fmt.Sprintf("Interrupted: %d stopped and removed from state, %d not stopped. Run destroy again to stop the rest.",
			len(e.Stopped), len(e.NotStarted))
	}
	return fmt.Sprintf("Interrupted: %d started and recorded, %d not started. Run apply to continue or destroy to stop them.",
		len(e.Started), len(e.NotStarted))
}

// Unwrap lets errors.Is find context.Canceled and each resource's error.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	for _, f := range e.Failures {
		errs = append(errs, f.Err)
	}
	return errs
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if word == "it" {
		return "they"
	}
	return word + "s"
}

func stepName(a plan.Action) string {
	switch a {
	case plan.Create:
		return "starting"
	case plan.Delete:
		return "stopping"
	case plan.Update:
		return "updating"
	}
	return string(a)
}

// applier holds one Apply's working set.
type applier struct {
	p        *plan.Plan
	opts     Options
	store    StateStore
	events   *lockedEvents
	now      func() time.Time
	material *material
	lineage  string
	byAddr   map[string]*plan.Change

	// logDirs holds the log directories made (and checked) in this run.
	logDirsMu sync.Mutex
	logDirs   map[string]bool

	mu      sync.Mutex
	reports map[string]*report

	// watchers are the goroutines watching started resources (watch.go);
	// windows counts those whose start window has not yet passed;
	// runDone is closed when the last step of the run has finished and
	// every window has passed.
	watchers sync.WaitGroup
	windows  sync.WaitGroup
	runDone  chan struct{}
}

// report collects what happened to one change across its steps.
type report struct {
	handle   runtimes.Handle
	elapsed  time.Duration
	failures []Failure
	// died is set when the resource started but ended before the run
	// did (watch.go).
	died error
}

// Apply executes p: the stops first, in reverse dependency order, then the
// starts and updates in dependency order, saving state through opts.Store
// after each resource. See the package documentation for the details. On
// failure or interruption it returns a partial Result and an *Error.
func Apply(ctx context.Context, p *plan.Plan, opts Options) (*Result, error) {
	if p == nil {
		return nil, errors.New("apply: no plan")
	}
	if opts.Store == nil {
		return nil, errors.New("apply: no state store")
	}
	a := &applier{
		p:       p,
		opts:    opts,
		store:   opts.Store,
		now:     opts.Now,
		lineage: opts.Lineage,
		byAddr:  map[string]*plan.Change{},
		reports: map[string]*report{},
		runDone: make(chan struct{}),
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.lineage == "" {
		a.lineage = p.Lineage
	}
	ev := opts.Events
	if ev == nil {
		ev = NopEvents{}
	}
	a.events = &lockedEvents{e: ev}
	if err := a.ensureDevcert(); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if a.opts.Parallelism <= 0 {
		a.opts.Parallelism = DefaultParallelism
	}
	if a.opts.ProgressInterval <= 0 {
		a.opts.ProgressInterval = DefaultProgressInterval
	}

	var stops, starts []*plan.Change
	var afters []*state.Spec
	warm := map[runtimes.Runner]bool{}
	for _, c := range p.Changes {
		a.byAddr[c.Address] = c
		switch c.Action {
		case plan.Delete:
			stops = append(stops, c)
		case plan.Replace:
			stops = append(stops, c)
			starts = append(starts, c)
		case plan.Create, plan.Update:
			starts = append(starts, c)
		case plan.NoOp:
			continue
		default:
			return nil, fmt.Errorf("apply: %s has unknown action %q; this plan was made by another trustform version, run plan again", c.Address, c.Action)
		}
		if (c.Action == plan.Create || c.Action == plan.Replace || c.Action == plan.Update) && c.After == nil {
			return nil, fmt.Errorf("apply: %s is to be %sd but the plan has no spec for it; run plan again", c.Address, c.Action)
		}
		if c.Action == plan.Create || c.Action == plan.Replace {
			afters = append(afters, c.After)
			r, err := a.runner(c.After.Kind)
			if err != nil {
				return nil, fmt.Errorf("apply: %s: %w", c.Address, err)
			}
			warm[r] = true
		}
	}
	// A runner that has something to start before it can start anything
	// (the process runner's supervisor) does so while the leftovers and
	// orphans are looked for.
	for r := range warm {
		if w, ok := r.(preparer); ok {
			go w.Prepare()
		}
	}
	if err := verifyBlobs(p.Blobs, afters); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	a.material = newMaterial(p.Dir, p.Blobs, !opts.NoLinkStore)
	a.material.linksAsFiles = opts.LinksAsFiles
	// A destroy always looks, even with nothing in state: after state was
	// lost or an older backup restored, what runs is known only by its
	// markers (issue 12).
	if len(stops)+len(starts) > 0 || p.Destroy {
		// A destroy goes on: stopping what runs matters more than
		// leftovers, and each resource's removal reports the same link.
		if err := a.material.removeStale(); err != nil && len(starts) > 0 {
			return nil, fmt.Errorf("apply: removing leftovers of an interrupted apply: %w", err)
		}
		// Also before a destroy: it must leave nothing of ours running.
		if err := a.stopOrphans(ctx); err != nil {
			return nil, fmt.Errorf("apply: %w", err)
		}
	}

	// Stops: dependants first, so a stop waits for the stops of every
	// resource that (before this plan) depended on it.
	var stopSteps []*step
	waitFor := map[string][]string{}
	for _, c := range stops {
		if c.Before == nil {
			continue
		}
		for _, d := range c.Before.DependsOn {
			waitFor[d] = append(waitFor[d], c.Address)
		}
	}
	for _, c := range stops {
		stopSteps = append(stopSteps, &step{addr: c.Address, deps: waitFor[c.Address]})
	}
	stopRes, err := walk(ctx, stopSteps, a.opts.Parallelism, a.runStop)
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}

	var startSteps []*step
	for _, c := range starts {
		s := &step{addr: c.Address, deps: c.After.DependsOn}
		if c.Action == plan.Replace {
			if r := stopRes[c.Address]; r != nil && r.outcome != outcomeDone {
				s.skip = "stopping its previous instance did not succeed"
				if r.outcome == outcomeNotStarted {
					s.skip = r.reason
				}
			}
		}
		startSteps = append(startSteps, s)
	}
	startRes, err := walk(ctx, startSteps, a.opts.Parallelism, a.runStart)
	// Every started resource is watched until the run ends and its start
	// window has passed. Meanwhile the state is encoded for saving.
	if p, ok := a.store.(preparer); ok {
		p.Prepare()
	}
	a.windows.Wait()
	close(a.runDone)
	a.watchers.Wait()
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}

	res, aerr := a.result(ctx, stopRes, startRes)
	if err := a.saveOutputs(res); err != nil {
		if aerr == nil {
			aerr = &Error{}
		}
		aerr.Cause = errors.Join(aerr.Cause, err)
	}
	// Leftover store entries waste space but harm nothing, and the next
	// apply sweeps again, so a failed sweep does not fail the apply.
	// Sets first: their files hold the store entries' other links.
	if sv, ok := a.store.(interface{ State() *state.State }); ok {
		var known []*state.Spec
		for _, c := range p.Changes {
			known = append(known, c.Before, c.After)
		}
		_ = a.material.sweepSets(sv.State(), known)
		a.material.sweepExits(sv.State())
	}
	_ = a.material.sweep()
	if aerr != nil {
		return res, aerr
	}
	return res, nil
}

// preparer is a runner or store with work it can do ahead (the process
// runner starts its supervisor, the state journal encodes the state).
type preparer interface{ Prepare() }

// ensureDevcert creates the development CA when the plan says so and
// completes the trust material of every change waiting for it, before
// anything is checked or written.
func (a *applier) ensureDevcert() error {
	pending := false
	for _, c := range a.p.Changes {
		pending = pending || c.DevcertPending
	}
	if !a.p.Devcert.Create && !pending {
		return nil
	}
	if a.opts.NoDevcertCreate {
		return fmt.Errorf("%w: create it (trustform devcert create) and plan again", ErrDevcertPending)
	}
	if a.p.Devcert.Dir == "" {
		return fmt.Errorf("%w, and the plan does not say where to create it; run plan again", ErrDevcertPending)
	}
	ca, err := devcert.Create(a.p.Devcert.Dir, a.now(), a.opts.Rand)
	if err != nil {
		return fmt.Errorf("creating the development CA: %w", err)
	}
	if ca.Created {
		a.events.devcert(ca.Dir)
	}
	if err := a.p.ResolveDevcert(ca.Cert, ca.Paths.CACert); err != nil {
		return err
	}
	for _, c := range a.p.Changes {
		if c.DevcertPending {
			return fmt.Errorf("%w: %s still waits for it after it was created; run plan again", ErrDevcertPending, c.Address)
		}
	}
	return nil
}

func (a *applier) runner(k runtimes.Kind) (runtimes.Runner, error) {
	if k == "" {
		k = runtimes.KindProcess
	}
	r := a.opts.Runners[k]
	if r == nil {
		return nil, fmt.Errorf("no runner for %s resources is configured", k)
	}
	return r, nil
}

func (a *applier) rep(addr string) *report {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.reports[addr]
	if r == nil {
		r = &report{}
		a.reports[addr] = r
	}
	return r
}

func (a *applier) fail(addr string, action plan.Action, err error, logPath string, lines []string) error {
	a.events.failed(addr, action, err, lines)
	r := a.rep(addr)
	a.mu.Lock()
	r.failures = append(r.failures, Failure{Address: addr, Action: action, Err: err, LogPath: logPath, LastLog: lines})
	a.mu.Unlock()
	return err
}

func (a *applier) finished(addr string, h runtimes.Handle, d time.Duration) {
	r := a.rep(addr)
	a.mu.Lock()
	r.handle = h
	r.elapsed += d
	a.mu.Unlock()
}

// tail returns the last log lines of a resource.
func (a *applier) tail(ctx context.Context, r runtimes.Runner, h runtimes.Handle, logPath string) []string {
	if t, ok := r.(runtimes.LogTailer); ok && h.ContainerID != "" {
		if lines, err := t.Tail(context.WithoutCancel(ctx), h, tailLines); err == nil {
			return lines
		}
	}
	return lastLines(logPath, tailLines)
}

// runStop stops what state records for the change's address and removes
// what state says apply created for it.
func (a *applier) runStop(ctx context.Context, s *step) error {
	c := a.byAddr[s.addr]
	start := a.now()
	rec := a.store.Lookup(c.Address)
	if rec == nil {
		// Nothing recorded, so nothing of ours to stop or remove.
		a.events.starting(c.Address, plan.Delete, runtimes.Handle{})
		a.events.done(c.Address, plan.Delete, a.now().Sub(start), runtimes.Handle{})
		a.finished(c.Address, runtimes.Handle{}, a.now().Sub(start))
		return nil
	}
	a.events.starting(c.Address, plan.Delete, rec.Handle)
	spec := rec.Spec
	if spec == nil {
		spec = c.Before
	}
	kind := runtimes.KindProcess
	grace := DefaultStopTimeout
	if spec != nil {
		kind = spec.Kind
		if spec.StopTimeout > 0 {
			grace = spec.StopTimeout
		}
	}
	if rec.Handle != (runtimes.Handle{}) {
		r, err := a.runner(kind)
		if err != nil {
			return a.fail(c.Address, plan.Delete, err, "", nil)
		}
		// A stop that has begun always completes, interrupted or not:
		// half-stopped resources are what an interrupt must not leave.
		if err := r.Stop(context.WithoutCancel(ctx), rec.Handle, grace); err != nil {
			return a.fail(c.Address, plan.Delete, fmt.Errorf("stopping %s: %w", HandleLabel(rec.Handle), err), "", nil)
		}
	}
	if err := a.material.removeCreated(rec); err != nil {
		return a.fail(c.Address, plan.Delete, fmt.Errorf("removing its files: %w", err), "", nil)
	}
	if err := a.store.Remove(c.Address); err != nil {
		return a.fail(c.Address, plan.Delete, err, "", nil)
	}
	d := a.now().Sub(start)
	a.events.done(c.Address, plan.Delete, d, rec.Handle)
	a.finished(c.Address, rec.Handle, d)
	return nil
}

func (a *applier) runStart(ctx context.Context, s *step) error {
	c := a.byAddr[s.addr]
	if c.Action == plan.Update {
		return a.runUpdate(c)
	}
	return a.runCreate(ctx, c)
}

// runUpdate records the new spec of a resource whose change needs no
// restart; handle, start time and created paths stay.
func (a *applier) runUpdate(c *plan.Change) error {
	start := a.now()
	rec := a.store.Lookup(c.Address)
	if rec == nil {
		a.events.starting(c.Address, plan.Update, runtimes.Handle{})
		return a.fail(c.Address, plan.Update, errors.New("state has no record of it any more; run plan again"), "", nil)
	}
	a.events.starting(c.Address, plan.Update, rec.Handle)
	upd := *rec
	upd.Spec = c.After
	if err := a.store.Upsert(&upd); err != nil {
		return a.fail(c.Address, plan.Update, err, "", nil)
	}
	d := a.now().Sub(start)
	a.events.done(c.Address, plan.Update, d, rec.Handle)
	a.finished(c.Address, rec.Handle, d)
	return nil
}

// logDir makes the log directory dir, checking that nothing on the way is
// a link, once per run: all resources share it, and checking it again for
// each was five system calls per resource.
func (a *applier) logDir(dir string) error {
	a.logDirsMu.Lock()
	defer a.logDirsMu.Unlock()
	if a.logDirs == nil {
		a.logDirs = map[string]bool{}
	}
	if a.logDirs[dir] {
		return nil
	}
	if err := safepath.MkdirAll(a.material.root, dir, 0o755); err != nil {
		return err
	}
	a.logDirs[dir] = true
	return nil
}

// runCreate writes the trust material, starts the resource, records it and
// waits until it is ready.
func (a *applier) runCreate(ctx context.Context, c *plan.Change) error {
	spec := c.After
	start := a.now()
	a.events.starting(c.Address, plan.Create, runtimes.Handle{})
	r, err := a.runner(spec.Kind)
	if err != nil {
		return a.fail(c.Address, plan.Create, err, "", nil)
	}
	prev := a.store.Lookup(c.Address)
	if prev != nil && prev.Handle != (runtimes.Handle{}) {
		// Planned as a create although state has a record: refresh found
		// it gone (drift). Make sure it is, so there is never a second one.
		grace := DefaultStopTimeout
		if prev.Spec != nil && prev.Spec.StopTimeout > 0 {
			grace = prev.Spec.StopTimeout
		}
		if err := r.Stop(context.WithoutCancel(ctx), prev.Handle, grace); err != nil {
			return a.fail(c.Address, plan.Create, fmt.Errorf("stopping the previous instance %s: %w", HandleLabel(prev.Handle), err), "", nil)
		}
	}

	var created []string
	if spec.TrustDir != "" && len(spec.Files) > 0 && !a.material.isSetDir(spec.TrustDir) {
		// A trust set is shared: it is removed when no resource in state
		// references it any more (sweepSets), not with this resource.
		created = append(created, spec.TrustDir)
	}
	if spec.LogPath != "" {
		if !a.material.inside(spec.LogPath) {
			return a.fail(c.Address, plan.Create, fmt.Errorf("refusing to write the log to %s: it is outside %s; run plan again", spec.LogPath, a.material.root), "", nil)
		}
		created = append(created, spec.LogPath)
	}
	// Recorded, without a handle, before any file is written or anything
	// starts: if this run dies before recording the handle, state still
	// says which files are ours, so destroy removes them and the next
	// apply starts the resource again (a record without a handle refreshes
	// as missing); the process itself is found by its lineage.
	if err := a.store.Upsert(&state.Resource{Address: c.Address, Type: c.Type, Name: c.Name, Spec: spec, CreatedPaths: created}); err != nil {
		return a.fail(c.Address, plan.Create, err, "", nil)
	}
	// abandon undoes the record when nothing ran; a previous record's
	// instance was stopped above, so keeping the new record is right then.
	abandon := func() {
		if prev == nil {
			a.material.removeCreated(&state.Resource{Spec: spec, CreatedPaths: created})
			a.store.Remove(c.Address)
		}
	}
	if err := a.material.write(spec); err != nil {
		abandon()
		return a.fail(c.Address, plan.Create, err, "", nil)
	}
	if spec.LogPath != "" {
		// The log directory is made here, where .trustform is known, so
		// that a link planted on the way is refused; the runner opens the
		// file itself without following a link.
		err := a.logDir(filepath.Dir(spec.LogPath))
		if err == nil {
			err = safepath.File(a.material.root, spec.LogPath)
		}
		if err != nil {
			abandon()
			return a.fail(c.Address, plan.Create, fmt.Errorf("creating the log: %w", err), "", nil)
		}
	}

	if err := portTaken(r, spec.ReadyWhen, c.Address); err != nil {
		abandon()
		return a.fail(c.Address, plan.Create, err, "", nil)
	}

	h, err := r.Start(ctx, launchSpec(c.Address, a.lineage, a.p.Dir, spec, a.opts.BaseEnv))
	launched := time.Now()
	if err != nil {
		lines := lastLines(spec.LogPath, tailLines)
		// Nothing runs, so neither record nor files may stay behind.
		abandon()
		return a.fail(c.Address, plan.Create, err, spec.LogPath, lines)
	}
	a.finished(c.Address, h, 0)
	rec := &state.Resource{
		Address:      c.Address,
		Type:         c.Type,
		Name:         c.Name,
		Spec:         spec,
		Handle:       h,
		Since:        a.now(),
		CreatedPaths: created,
		// Until its readiness check passes the resource is tainted, so an
		// apply that fails or dies while waiting leaves it to be replaced
		// rather than taken for a healthy no-op.
		Tainted: spec.ReadyWhen != nil,
	}
	if err := a.store.Upsert(rec); err != nil {
		// What runs must be in state; since it cannot be, it must not run.
		r.Stop(context.WithoutCancel(ctx), h, stopGrace(spec))
		return a.fail(c.Address, plan.Create, fmt.Errorf("started %s but %w; it was stopped again", HandleLabel(h), err), "", nil)
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(a.opts.ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				a.events.progress(c.Address, plan.Create, a.now().Sub(start))
			}
		}
	}()
	err = waitReady(ctx, r, h, spec.ReadyWhen)
	close(done)
	wg.Wait()
	if err != nil && ctx.Err() != nil {
		// Interrupted while waiting: it runs and is recorded (tainted,
		// since it never proved ready, so the next apply replaces it).
		// That is what the user asked for, not a failure.
		return nil
	}
	if err != nil {
		return a.fail(c.Address, plan.Create, fmt.Errorf("%s: %w", HandleLabel(h), err), spec.LogPath, a.tail(ctx, r, h, spec.LogPath))
	}
	if rec.Tainted {
		ready := *rec
		ready.Tainted = false
		if err := a.store.Upsert(&ready); err != nil {
			return a.fail(c.Address, plan.Create, fmt.Errorf("%s is ready but %w", HandleLabel(h), err), "", nil)
		}
	}
	a.watchStart(ctx, c, r, h, start, launched)
	return nil
}

// launchSpec is what a runner needs to start the resource spec describes,
// tagged so that it is found again after a crash.
func launchSpec(addr, lineage, dir string, spec *state.Spec, baseEnv []string) *runtimes.LaunchSpec {
	ls := &runtimes.LaunchSpec{
		Address:    addr,
		Lineage:    lineage,
		Dir:        dir,
		Argv:       spec.Argv,
		WorkingDir: spec.WorkingDir,
		Env:        spec.Env,
		BaseEnv:    baseEnv,
		LogPath:    spec.LogPath,
		Container:  spec.Container,
	}
	if spec.Kind == runtimes.KindContainer {
		// Only containers carry it (a label). Encoding the whole spec
		// was a quarter of the CPU time of starting a process.
		ls.ConfigSHA256 = specDigest(spec)
	}
	return ls
}

func stopGrace(s *state.Spec) time.Duration {
	if s != nil && s.StopTimeout > 0 {
		return s.StopTimeout
	}
	return DefaultStopTimeout
}

// specDigest is the container label trustform.config-sha256: a digest of
// everything the resource was launched with.
func specDigest(s *state.Spec) string {
	b, err := json.Marshal(s)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// stopOrphans stops everything tagged with this state's lineage that state
// does not record. It runs once, before anything starts, so a killed apply
// followed by apply ends with exactly one instance per resource.
//
// A destroy without a lineage (no state at all) asks only the process
// runner, which then finds the processes naming this configuration
// directory (TRUSTFORM_DIR) whatever their lineage.
func (a *applier) stopOrphans(ctx context.Context) error {
	if a.lineage == "" && !a.p.Destroy {
		return nil
	}
	kinds := make([]string, 0, len(a.opts.Runners))
	for k := range a.opts.Runners {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		r := a.opts.Runners[runtimes.Kind(k)]
		// With no lineage (state lost) a finder reports only what it can
		// tell is this configuration's by other means (the process runner:
		// its directory), or nothing.
		finder, ok := r.(runtimes.OrphanFinder)
		if !ok {
			continue
		}
		orphans, err := finder.FindOrphans(ctx, a.lineage)
		if err != nil {
			return fmt.Errorf("looking for %s resources left by an interrupted apply: %w", k, err)
		}
		for _, o := range orphans {
			rec := a.store.Lookup(o.Address)
			if rec != nil && rec.Handle == o.Handle {
				continue
			}
			grace := DefaultStopTimeout
			if c := a.byAddr[o.Address]; c != nil && c.After != nil {
				grace = stopGrace(c.After)
			}
			if err := r.Stop(context.WithoutCancel(ctx), o.Handle, grace); err != nil {
				return fmt.Errorf("stopping %s [%s], left by an interrupted apply: %w", o.Address, HandleLabel(o.Handle), err)
			}
			a.events.orphan(o.Address, o.Handle)
		}
	}
	return nil
}

// result turns walk outcomes into the Result and, when anything went wrong,
// the *Error.
func (a *applier) result(ctx context.Context, stopRes, startRes map[string]*stepResult) (*Result, *Error) {
	res := &Result{}
	e := &Error{}
	var addrs []string
	for _, c := range a.p.Changes {
		if c.Action != plan.NoOp {
			addrs = append(addrs, c.Address)
		}
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		c := a.byAddr[addr]
		rr := ResourceResult{Address: addr, Action: c.Action, Outcome: OutcomeApplied}
		died := false
		if rp := a.reports[addr]; rp != nil {
			rr.Handle, rr.Elapsed = rp.handle, rp.elapsed
			e.Failures = append(e.Failures, rp.failures...)
			if rp.died != nil {
				died = true
				rr.Outcome, rr.Err = OutcomeFailed, rp.died
			}
		}
		for _, sr := range []*stepResult{stopRes[addr], startRes[addr]} {
			if sr == nil || rr.Outcome != OutcomeApplied {
				continue
			}
			switch sr.outcome {
			case outcomeFailed:
				rr.Outcome, rr.Err = OutcomeFailed, sr.err
			case outcomeSkipped:
				rr.Outcome, rr.Err = OutcomeSkipped, errors.New(sr.reason)
				e.Skipped = append(e.Skipped, addr)
			case outcomeNotStarted:
				rr.Outcome, rr.Err = OutcomeNotStarted, errors.New(sr.reason)
				e.NotStarted = append(e.NotStarted, addr)
			}
		}
		if sr := stopRes[addr]; sr != nil && sr.outcome == outcomeDone {
			res.Destroyed++
			if c.Action == plan.Delete {
				e.Stopped = append(e.Stopped, addr)
			}
		}
		if sr := startRes[addr]; sr != nil && sr.outcome == outcomeDone && c.Action != plan.Update {
			e.Started = append(e.Started, addr)
		}
		if sr := startRes[addr]; sr != nil && sr.outcome == outcomeDone && !died {
			if c.Action == plan.Update {
				res.Changed++
			} else {
				res.Added++
			}
		}
		if rr.Outcome == OutcomeSkipped || rr.Outcome == OutcomeNotStarted {
			a.events.skipped(addr, c.Action, rr.Err.Error())
		}
		res.Resources = append(res.Resources, rr)
	}
	if ctx.Err() != nil {
		e.Interrupted = true
		e.Cause = ctx.Err()
	}
	if len(e.Failures) == 0 && !e.Interrupted {
		return res, nil
	}
	return res, e
}

// saveOutputs records the plan's output values, replacing all outputs in
// state. An output known only after apply is computed from its template
// (plan.OutputChange.Template) and the pids, container ids and start times
// now in state; one without a template, or whose resources did not start,
// is listed in the Result and left unset.
func (a *applier) saveOutputs(res *Result) error {
	if len(a.p.Outputs) == 0 {
		// Nothing planned (a plan lists every output, deleted ones
		// included, whenever there are any): leave state's as they are.
		return nil
	}
	outs := map[string]*state.Output{}
	for _, o := range a.p.Outputs {
		switch {
		case o.Action == plan.Delete:
		case o.Unknown:
			if so := a.resolveOutput(o); so != nil {
				outs[o.Name] = so
				continue
			}
			res.UnknownOutputs = append(res.UnknownOutputs, o.Name)
		case o.After != nil:
			outs[o.Name] = &state.Output{Value: o.After, Type: o.Type, Sensitive: o.Sensitive}
		case o.Before != nil:
			outs[o.Name] = &state.Output{Value: o.Before, Type: o.Type, Sensitive: o.Sensitive}
		}
	}
	return a.store.SetOutputs(outs)
}

// resolveOutput computes an after-apply output from state, or returns nil.
func (a *applier) resolveOutput(o *plan.OutputChange) *state.Output {
	if o.Template == nil {
		return nil
	}
	ty := cty.DynamicPseudoType
	if len(o.Type) > 0 {
		t, err := ctyjson.UnmarshalType(o.Type)
		if err != nil {
			return nil
		}
		ty = t
	}
	v, err := deferred.Resolve(o.Template, ty, deferred.StateLookup(a.store.Lookup))
	if err != nil {
		return nil
	}
	js, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil
	}
	tj, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return nil
	}
	return &state.Output{Value: js, Type: tj, Sensitive: o.Sensitive}
}
