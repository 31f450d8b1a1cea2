package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/trustform/trustform/internal/command/arguments"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	"github.com/trustform/trustform/internal/devcert"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/internal/sysroots"
	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/runtimes/container"
	"github.com/trustform/trustform/runtimes/process"
	"github.com/trustform/trustform/state"
)

// This file holds what plan, apply, destroy, show and status share: loading
// state, refreshing it, gathering what the planner may know of the machine,
// and choosing runners. The commands stay thin on top of it.

// environMap turns KEY=VALUE pairs into a map; later entries win, as in a
// process environment.
func environMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// loadState reads the state of the configuration directory; no state is
// an empty, lineage-less state rather than an error.
func (e *runEnv) loadState() (*state.State, error) {
	st, err := state.Load(layout.StatePath(e.dir))
	if errors.Is(err, state.ErrNoState) {
		e.warnBackupWithoutState()
		return &state.State{Version: state.Version}, nil
	}
	if err != nil {
		return nil, err
	}
	// A state copied with its project describes the other copy's
	// processes: acting on it would stop them (issue 12).
	host, _ := os.Hostname()
	if from, copied := st.CopiedFrom(e.dir, host); copied {
		fresh := st.ForCopy(e.dir, host)
		e.view.Warnf("%s was saved for %s: this project was copied. Its %d resources belong there and are left alone; this directory starts a state of its own (lineage %s) at its first apply",
			layout.StatePath(e.dir), from, len(st.Resources), fresh.Lineage)
		st = fresh
	}
	return st, nil
}

// warnBackupWithoutState tells the user, before anything starts, that
// state.json is missing but its backup is not: an apply now would start a
// second copy of everything the lost state recorded (issue 12).
func (e *runEnv) warnBackupWithoutState() {
	backup := layout.BackupPath(e.dir)
	if _, err := os.Lstat(backup); err != nil {
		return
	}
	what := "an older state"
	if b, err := state.Load(backup); err == nil {
		what = fmt.Sprintf("an older state with %d resources (serial %d)", len(b.Resources), b.Serial)
	}
	e.view.Warnf("%s does not exist, but %s holds %s. If state.json was lost, restore it first (cp %s %s): otherwise apply starts a second copy of what it records; destroy stops whatever of this directory still runs",
		layout.StatePath(e.dir), backup, what, backup, layout.StatePath(e.dir))
}

// containerEnviron is the environment the engines' CLIs run with: ours, so
// CONTAINERS_CONF, DOCKER_HOST and friends reach them.
func (e *runEnv) containerCLI() container.CLI {
	return container.CLI{Env: e.environ}
}

// runnerSet builds runners lazily: the container engine is detected only
// when something needs it, so process-only projects never run `docker info`.
type runnerSet struct {
	e          *runEnv
	preference string
	proc       *process.Runner
	engines    map[string]*container.Runner
	detected   string
	detectErr  error
	didDetect  bool
}

func (e *runEnv) newRunnerSet(preference string) *runnerSet {
	proc := process.NewForDir(e.dir)
	// Processes outlive trustform: a supervisor records how each ended,
	// for status (issue 13).
	proc.RecordExits = true
	return &runnerSet{e: e, preference: preference, proc: proc, engines: map[string]*container.Runner{}}
}

// container returns the runner for an engine; "" means the configured one
// (auto-detected).
func (rs *runnerSet) container(ctx context.Context, engine string) (*container.Runner, error) {
	if engine == "" {
		if !rs.didDetect {
			rs.didDetect = true
			rs.detected, rs.detectErr = container.Detect(ctx, rs.e.containerCLI(), rs.preference)
		}
		if rs.detectErr != nil {
			return nil, rs.detectErr
		}
		engine = rs.detected
	}
	if r, ok := rs.engines[engine]; ok {
		return r, nil
	}
	r, err := container.New(engine, rs.e.containerCLI())
	if err != nil {
		return nil, err
	}
	rs.engines[engine] = r
	return r, nil
}

// forHandle returns the runner that can see what h names.
func (rs *runnerSet) forHandle(ctx context.Context, kind runtimes.Kind, h runtimes.Handle) (runtimes.Runner, error) {
	if kind == runtimes.KindContainer || h.ContainerID != "" {
		return rs.container(ctx, h.Engine)
	}
	return rs.proc, nil
}

// refresh asks each runner whether what state recorded still runs. A
// resource whose runner cannot answer is left out of the statuses and its
// error is returned by address instead.
func (e *runEnv) refresh(ctx context.Context, rs *runnerSet, st *state.State) (map[string]runtimes.Status, map[string]error) {
	out := make(map[string]runtimes.Status, len(st.Resources))
	var errs map[string]error
	for _, r := range st.Resources {
		kind := runtimes.KindProcess
		if r.Spec != nil {
			kind = r.Spec.Kind
		}
		runner, err := rs.forHandle(ctx, kind, r.Handle)
		if err == nil {
			var s runtimes.Status
			if s, err = runner.Status(ctx, r.Handle); err == nil {
				out[r.Address] = s
				continue
			}
		}
		e.log.Warn("cannot refresh", "address", r.Address, "error", err)
		if errs == nil {
			errs = map[string]error{}
		}
		errs[r.Address] = err
	}
	return out, errs
}

// planHost gathers what the planner may know of this machine. System roots
// are read only if some resource asks for them.
func (e *runEnv) planHost() plan.Host {
	env := environMap(e.environ)
	now := e.now()
	return plan.Host{
		GOOS:    runtime.GOOS,
		Environ: env,
		SystemRoots: func() ([]*pem.Certificate, error) {
			return sysroots.LoadWith(sysroots.Options{Now: now, Environ: env})
		},
		// Java's append and system stores start from the JDK's own
		// cacerts, not the host's OpenSSL roots: that is what the JVM
		// trusts without trustform.
		JavaRoots: func() ([]*pem.Certificate, error) {
			path, err := sysroots.JavaCacertsPath(env, exec.LookPath)
			if err != nil {
				return nil, err
			}
			return sysroots.LoadJava(path, now)
		},
		SystemCertDirs: sysroots.Dirs(),
		ReadFile:       os.ReadFile,
	}
}

// devcertInput describes the developer certificates on this machine.
func (e *runEnv) devcertInput() (plan.DevcertInput, error) {
	dir, err := devcertDir(e.environ)
	if err != nil {
		return plan.DevcertInput{}, err
	}
	in := plan.DevcertInput{Dir: dir}
	ca, err := devcert.LoadCert(dir)
	switch {
	case err == nil:
		in.CA = ca
	case errors.Is(err, os.ErrNotExist):
	default:
		return in, fmt.Errorf("reading the development CA in %s: %w", dir, err)
	}
	env := environMap(e.environ)
	home := env["HOME"]
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	found, problems := devcert.Discover(home, env, e.now())
	for _, p := range problems {
		e.log.Warn("developer certificate skipped", "error", p)
	}
	for _, f := range found {
		in.Found = append(in.Found, plan.FoundCert{Kind: f.Kind, Path: f.Path, Cert: f.Cert})
	}
	return in, nil
}

// planResult is a plan with what it was made from.
type planResult struct {
	plan  *plan.Plan
	state *state.State
	diags hcl.Diagnostics
	src   *ui.Sources
}

// errorDiag turns a run-time error into a diagnostic without a source.
func errorDiag(summary string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: err.Error()}
}

// makePlan loads configuration and state, refreshes, and builds a plan.
// The result always carries the diagnostics and sources to print them; its
// plan is nil when they hold errors.
func (e *runEnv) makePlan(ctx context.Context, a *arguments.Planning) *planResult {
	r := &planResult{src: ui.NewSources(e.dir, nil)}
	st, err := e.loadState()
	if err != nil {
		r.diags = append(r.diags, errorDiag("Cannot read the state", err))
		return r
	}
	r.state = st
	var cfg *lang.Config
	if a.Destroy {
		// Destroying needs only state: a configuration that no longer
		// loads must not keep processes running.
		cfg = &lang.Config{Dir: e.dir}
	} else {
		cfg, r.diags, r.src = e.loadConfigAsking(ctx, a.Vars, a.Input)
		if !r.diags.HasErrors() {
			r.diags = append(r.diags, lang.CheckFiles(cfg)...)
		}
		if r.diags.HasErrors() {
			return r
		}
	}
	var refreshed map[string]runtimes.Status
	if a.Refresh && len(st.Resources) > 0 {
		rs := e.newRunnerSet(cfg.Settings.ContainerRuntime)
		refreshed, _ = e.refresh(ctx, rs, st)
	}
	dc, err := e.devcertInput()
	if err != nil {
		r.diags = append(r.diags, errorDiag("Cannot read developer certificates", err))
		return r
	}
	p, pdiags := plan.Build(&plan.Input{
		Config:    cfg,
		State:     st,
		Refreshed: refreshed,
		Destroy:   a.Destroy,
		Targets:   a.Targets,
		Replace:   a.Replace,
		Host:      e.planHost(),
		Devcert:   dc,
		Now:       e.now(),
		Version:   Version,
	})
	r.diags = append(r.diags, pdiags...)
	if !r.diags.HasErrors() {
		r.plan = p
	}
	return r
}

// signalContext is cancelled on the first SIGINT or SIGTERM, so apply stops
// starting resources, saves state and releases the lock. A second signal
// kills us the default way.
func signalContext(parent context.Context, onSignal func(os.Signal)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			if onSignal != nil {
				onSignal(sig)
			}
			cancel()
			signal.Stop(ch)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(ch)
		cancel()
	}
}

// stdinIsTerminal reports whether we may prompt.
func (e *runEnv) stdinIsTerminal() bool {
	f, ok := e.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks for "yes" on the terminal.
func (e *runEnv) confirm(question, detail string) (bool, error) {
	fmt.Fprintf(e.view.Err, "\n%s\n  %s\n\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question, detail)
	var line strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := e.stdin.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			line.WriteByte(buf[0])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, err
		}
	}
	fmt.Fprintln(e.view.Err)
	return strings.TrimSpace(line.String()) == "yes", nil
}
