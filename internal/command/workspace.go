package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"

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

// workspace is one configuration directory as a command sees it: where it
// is, the environment and clock the run was given, and what the directory
// holds or runs: its configuration, its state (and the lock on it), and
// the processes and containers state records (refresh). Commands take
// these from here, never from globals, so tests drive them in-process;
// what a command prints goes through its view instead.
type workspace struct {
	// dir is the absolute configuration directory (-chdir, else the
	// working directory). Relative paths on the command line are resolved
	// against it.
	dir     string
	environ []string
	log     hclog.Logger
	now     func() time.Time
	// rand is the randomness for certificate serials and state lineage.
	rand io.Reader
	// warnf tells the user about something found on the way (a copied
	// project's state, a backup without a state) that does not stop the
	// command.
	warnf func(format string, args ...any)
	// runners are the process runners the command made; Run hangs up on
	// their supervisors when the command ends, so that one run in a long
	// test process does not leave a supervisor waiting for more work.
	runners []*process.Runner
	// renamed is set when loadState kept a state saved under another
	// host name (runsHere): an apply with nothing to do saves it anyway,
	// so that the new name is recorded and the look is not repeated.
	renamed bool
}

// lockShared takes the state lock shared, as plan does: plans run side by
// side, but never read state while an apply or destroy is changing it
// (issue 12).
func (w *workspace) lockShared(ctx context.Context, timeout time.Duration) (*state.LockHandle, error) {
	return state.LockShared(ctx, layout.LockPath(w.dir), timeout)
}

// lock takes the state lock exclusively for command (apply, destroy, up),
// waiting up to timeout for another holder.
func (w *workspace) lock(ctx context.Context, command string, timeout time.Duration) (*state.LockHandle, error) {
	info := state.NewLockInfo("trustform "+command, w.now(), w.rand)
	return state.LockContext(ctx, layout.LockPath(w.dir), info, timeout)
}

// closeRunners hangs up on the run's process supervisors; the processes
// they started keep running.
func (w *workspace) closeRunners() {
	for _, r := range w.runners {
		_ = r.Close()
	}
}

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
func (w *workspace) loadState() (*state.State, error) {
	st, err := state.Load(layout.StatePath(w.dir))
	if errors.Is(err, state.ErrNoState) {
		w.warnBackupWithoutState()
		return &state.State{Version: state.Version}, nil
	}
	if err != nil {
		return nil, err
	}
	// A state copied with its project describes the other copy's
	// processes: acting on it would stop them (issue 12).
	host, _ := os.Hostname()
	if from, copied := st.CopiedFrom(w.dir, host); copied {
		if st.Dir == w.dir && w.runsHere(st) {
			// The same directory, and this machine runs the state's
			// processes: it was renamed (a laptop's name can follow its
			// network), the project was not copied.
			w.warnf("%s was saved on host %s, but this machine, now named %s, runs its processes: the state is kept, and the next apply records the new name",
				layout.StatePath(w.dir), st.Host, host)
			st.Place(w.dir, host)
			w.renamed = true
			return st, nil
		}
		fresh := st.ForCopy(w.dir, host)
		w.warnf("%s was saved for %s: this project was copied. Its %d resources belong there and are left alone; this directory starts a state of its own (lineage %s) at its first apply",
			layout.StatePath(w.dir), from, len(st.Resources), fresh.Lineage)
		st = fresh
	}
	return st, nil
}

// runsHere reports whether a process carrying st's lineage and this
// directory's markers runs on this machine. Asked only when the host name
// in state differs, so the look at every process is rare.
func (w *workspace) runsHere(st *state.State) bool {
	if st.Lineage == "" {
		return false
	}
	found, err := process.NewForDir(w.dir).FindOrphans(context.Background(), st.Lineage)
	return err == nil && len(found) > 0
}

// warnBackupWithoutState tells the user, before anything starts, that
// state.json is missing but its backup is not: an apply now would start a
// second copy of everything the lost state recorded (issue 12).
func (w *workspace) warnBackupWithoutState() {
	backup := layout.BackupPath(w.dir)
	if _, err := os.Lstat(backup); err != nil {
		return
	}
	what := "an older state"
	if b, err := state.Load(backup); err == nil {
		what = fmt.Sprintf("an older state with %d resources (serial %d)", len(b.Resources), b.Serial)
	}
	w.warnf("%s does not exist, but %s holds %s. If state.json was lost, restore it first (cp %s %s): otherwise apply starts a second copy of what it records; destroy stops whatever of this directory still runs",
		layout.StatePath(w.dir), backup, what, backup, layout.StatePath(w.dir))
}

// containerCLI runs the engines' CLIs with the environment the engines' CLIs run with: ours, so
// CONTAINERS_CONF, DOCKER_HOST and friends reach them.
func (w *workspace) containerCLI() container.CLI {
	return container.CLI{Env: w.environ}
}

// runnerSet builds runners lazily: the container engine is detected only
// when something needs it, so process-only projects never run `docker info`.
type runnerSet struct {
	w          *workspace
	preference string
	proc       *process.Runner
	engines    map[string]*container.Runner
	detected   string
	detectErr  error
	didDetect  bool
}

func (w *workspace) newRunnerSet(preference string) *runnerSet {
	proc := process.NewForDir(w.dir)
	// Processes outlive trustform: a supervisor records how each ended,
	// for status (issue 13).
	proc.RecordExits = true
	w.runners = append(w.runners, proc)
	return &runnerSet{w: w, preference: preference, proc: proc, engines: map[string]*container.Runner{}}
}

// container returns the runner for an engine; "" means the configured one
// (auto-detected).
func (rs *runnerSet) container(ctx context.Context, engine string) (*container.Runner, error) {
	if engine == "" {
		if !rs.didDetect {
			rs.didDetect = true
			rs.detected, rs.detectErr = container.Detect(ctx, rs.w.containerCLI(), rs.preference)
		}
		if rs.detectErr != nil {
			return nil, rs.detectErr
		}
		engine = rs.detected
	}
	if r, ok := rs.engines[engine]; ok {
		return r, nil
	}
	r, err := container.New(engine, rs.w.containerCLI())
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
func (w *workspace) refresh(ctx context.Context, rs *runnerSet, st *state.State) (map[string]runtimes.Status, map[string]error) {
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
		w.log.Warn("cannot refresh", "address", r.Address, "error", err)
		if errs == nil {
			errs = map[string]error{}
		}
		errs[r.Address] = err
	}
	return out, errs
}

// planHost gathers what the planner may know of this machine. System roots
// are read only if some resource asks for them.
func (w *workspace) planHost() plan.Host {
	env := environMap(w.environ)
	now := w.now()
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
func (w *workspace) devcertInput() (plan.DevcertInput, error) {
	dir, err := devcertDir(w.environ)
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
	env := environMap(w.environ)
	home := env["HOME"]
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	found, problems := devcert.Discover(home, env, w.now())
	for _, p := range problems {
		w.log.Warn("developer certificate skipped", "error", p)
	}
	for _, f := range found {
		in.Found = append(in.Found, plan.FoundCert{Kind: f.Kind, Path: f.Path, Cert: f.Cert})
	}
	return in, nil
}

// loadOptions builds lang.Options from the run's environment and flags.
func (w *workspace) loadOptions(vars []lang.VarFlag) lang.Options {
	// Without a home directory devcert.* paths are unknown; lang reports
	// that where they are used rather than us refusing every command.
	dir, err := devcertDir(w.environ)
	if err != nil {
		w.log.Warn("no development CA directory", "error", err)
	}
	return lang.Options{
		Vars:       vars,
		Environ:    w.environ,
		DevcertDir: dir,
		Now:        w.now(),
		GOOS:       runtime.GOOS,
	}
}

// loadConfig loads the configuration directory. src can render diagnostics
// even when cfg is nil.
func (w *workspace) loadConfig(vars []lang.VarFlag) (*lang.Config, hcl.Diagnostics, *ui.Sources) {
	return w.loadConfigWith(w.loadOptions(vars))
}

// loadConfigWith loads the configuration directory with opts.
func (w *workspace) loadConfigWith(opts lang.Options) (*lang.Config, hcl.Diagnostics, *ui.Sources) {
	w.log.Debug("loading configuration", "dir", w.dir, "devcert_dir", opts.DevcertDir)
	cfg, diags := lang.Load(w.dir, opts)
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files
	}
	if cfg == nil && !diags.HasErrors() {
		// A loader that returns neither is a bug; say so rather than crash.
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Configuration could not be loaded",
			Detail:   "The loader returned no configuration and no error. Please report this as a bug, with TRUSTFORM_LOG=debug output.",
		})
	}
	return cfg, diags, ui.NewSources(w.dir, files)
}

func lookupEnv(environ []string, key string) (string, bool) {
	for i := len(environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(environ[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// path resolves a path given on the command line against the configuration
// directory.
func (w *workspace) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(w.dir, p)
}
