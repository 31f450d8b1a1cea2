package process

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// Environment variables every launched process carries so that it can be
// recognised after a crash (FindOrphans).
const (
	EnvAddress = "TRUSTFORM_ADDRESS"
	EnvLineage = "TRUSTFORM_LINEAGE"
	// EnvDir names the configuration directory whose state started the
	// process. A copy of the project (cp -r) shares the lineage but not
	// the directory, and never stops or adopts a process naming another.
	EnvDir = "TRUSTFORM_DIR"
	// EnvInstance is random per start. Children inherit it, so a
	// descendant that called setsid or double-forked out of the group is
	// still found, and stopped with the process it came from.
	EnvInstance = "TRUSTFORM_INSTANCE"
)

// LogFileMode is the mode of a log file trustform creates: owner only,
// since what a process prints may hold secrets.
const LogFileMode os.FileMode = 0o600

// Runner starts, watches and stops host processes. The zero value is not
// usable; call New. A Runner is safe for concurrent use.
type Runner struct {
	mu sync.Mutex
	// exits holds the exit of children this Runner started and reaped, so
	// Status can say exited with certainty while trustform is still running.
	exits map[runtimes.Handle]runtimes.Exit
	// done has a channel per child this Runner started, closed once the
	// child has been reaped (its Exit is then known).
	done map[runtimes.Handle]chan struct{}
	// supervised holds the processes the run's supervisor started: their
	// exit is known once done is closed.
	supervised map[runtimes.Handle]*supProc
	// programs remembers where each program was found.
	programs map[programKey]string
	// sups remembers which parents are supervisors (see supervisorOf).
	sups map[int]procKey
	// groups shares the looks at every process that stopping a group can
	// need among the stops under way (Linux).
	groups groupScans
	// strays shares the looks for descendants that left their group;
	// markers remembers what those looks read of each process.
	strays  strayScans
	markers markerCache
	// envBufs holds buffers for reading environments (Linux).
	envBufs sync.Pool
	// dir is the configuration directory this runner works for; empty
	// means any (no process is told apart by directory).
	dir string

	// supMu guards sup, the run's supervisor (Linux), started at the
	// first Start that wants one, and supClosed, set by Close.
	supMu     sync.Mutex
	sup       *supervisorClient
	supClosed bool

	// RecordExits starts each process through the run's supervisor, which
	// records its exit status and time next to its log (Linux), so that
	// status can tell how it ended after this trustform has gone. Set it
	// before the first Start; Close hangs up on the supervisor.
	RecordExits bool
}

// The interfaces apply uses; the build fails if a signature drifts.
var (
	_ runtimes.Runner       = (*Runner)(nil)
	_ runtimes.OrphanFinder = (*Runner)(nil)
	_ runtimes.ExitReporter = (*Runner)(nil)
)

// New returns a Runner that does not tell configuration directories apart.
func New() *Runner {
	return &Runner{exits: map[runtimes.Handle]runtimes.Exit{}, done: map[runtimes.Handle]chan struct{}{}, supervised: map[runtimes.Handle]*supProc{}}
}

// NewForDir returns a Runner working for the configuration directory dir:
// Status calls a process whose TRUSTFORM_DIR names another directory
// missing, Stop leaves it alone, FindOrphans never reports it. Processes
// with no TRUSTFORM_DIR (started by an older trustform) still count as
// ours.
func NewForDir(dir string) *Runner {
	r := New()
	r.dir = dir
	return r
}

// foreign reports whether env (a process's) names another configuration
// directory than the runner's.
func (r *Runner) foreign(env map[string]string) bool {
	d := env[EnvDir]
	return r.dir != "" && d != "" && d != r.dir
}

// Start launches spec.Argv in spec.WorkingDir with spec.BaseEnv overlaid by
// spec.Env and the TRUSTFORM_ADDRESS / TRUSTFORM_LINEAGE markers. It returns
// as soon as the process exists. The process is reaped by a goroutine of this
// Runner while trustform runs, and is left running when trustform exits.
func (r *Runner) Start(ctx context.Context, spec *runtimes.LaunchSpec) (runtimes.Handle, error) {
	if err := ctx.Err(); err != nil {
		return runtimes.Handle{}, err
	}
	if len(spec.Argv) == 0 || spec.Argv[0] == "" {
		return runtimes.Handle{}, fmt.Errorf("%s: no command to run", spec.Address)
	}
	dir := spec.Dir
	if dir == "" {
		dir = r.dir
	}
	instance := newInstance()
	env := buildEnv(spec.BaseEnv, spec.Env, markers{address: spec.Address, lineage: spec.Lineage, dir: dir, instance: instance})
	path, err := r.findProgram(spec.Argv[0], spec.WorkingDir, lookupEnv(env, "PATH"))
	if err != nil {
		return runtimes.Handle{}, fmt.Errorf("%s: %w", spec.Address, err)
	}
	if r.RecordExits {
		h, ok, err := r.startSupervised(spec, path, env, instance)
		if err != nil {
			return runtimes.Handle{}, fmt.Errorf("%s: %w", spec.Address, err)
		}
		if ok {
			return h, nil
		}
	}

	logFile, err := openLog(spec.LogPath)
	if err != nil {
		return runtimes.Handle{}, fmt.Errorf("%s: %w", spec.Address, err)
	}
	// The child holds its own copy of the descriptor; ours is not needed
	// once it has started.
	defer logFile.Close()

	// Not exec.CommandContext: cancelling apply must not kill what it
	// launched.
	cmd := &exec.Cmd{
		Path:        path,
		Args:        spec.Argv,
		Dir:         spec.WorkingDir,
		Env:         env,
		Stdout:      logFile,
		Stderr:      logFile,
		SysProcAttr: detachedAttr(),
	}
	if err := cmd.Start(); err != nil {
		return runtimes.Handle{}, fmt.Errorf("%s: starting %s: %w", spec.Address, path, err)
	}
	// Read the start time before anyone can reap the child: until Wait
	// returns the pid cannot be reused, even if the child already exited.
	h, err := handleOf(cmd.Process)
	h.Instance = instance
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return runtimes.Handle{}, fmt.Errorf("%s: reading start time of pid %d: %w", spec.Address, cmd.Process.Pid, err)
	}
	done := make(chan struct{})
	r.mu.Lock()
	r.done[h] = done
	r.mu.Unlock()
	go r.reap(cmd, h, done)
	return h, nil
}

func (r *Runner) reap(cmd *exec.Cmd, h runtimes.Handle, done chan struct{}) {
	awaitExit(cmd.Process.Pid)
	err := cmd.Wait()
	e := runtimes.Exit{Code: cmd.ProcessState.ExitCode(), Err: err, At: time.Now()}
	r.mu.Lock()
	r.exits[h] = e
	r.mu.Unlock()
	close(done)
}

// Exited returns a channel that is closed as soon as the process h names
// has ended and been reaped, so that apply learns of a crash at once
// instead of polling. It is nil for a process this Runner did not start.
func (r *Runner) Exited(h runtimes.Handle) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.done[h]; ok {
		return c
	}
	return nil
}

// started reports whether this Runner started the process h names.
func (r *Runner) started(h runtimes.Handle) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.done[h]
	return ok
}

// Exit reports how a process started by this Runner ended, once it has.
// It knows nothing of processes started by another trustform run.
func (r *Runner) Exit(h runtimes.Handle) (runtimes.Exit, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.exits[h]; ok {
		return e, true
	}
	if p, ok := r.supervised[h]; ok {
		select {
		case <-p.done:
			return p.exit, true
		default:
		}
	}
	return runtimes.Exit{}, false
}

// markers are the TRUSTFORM_* variables a started process carries.
type markers struct{ address, lineage, dir, instance string }

// newInstance returns a random instance marker.
func newInstance() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported systems; a fixed value
		// only loses the descendant tracking, never stops a stranger.
		return ""
	}
	return hex.EncodeToString(b[:])
}

// buildEnv overlays extra on base, then sets the markers (empty ones are
// left out). Variables of base keep their order; new ones follow, sorted,
// so the result does not depend on map iteration.
func buildEnv(base []string, extra map[string]string, m markers) []string {
	over := make(map[string]string, len(extra)+4)
	for k, v := range extra {
		over[envKey(k)] = k + "=" + v
	}
	over[envKey(EnvAddress)] = EnvAddress + "=" + m.address
	over[envKey(EnvLineage)] = EnvLineage + "=" + m.lineage
	if m.dir != "" {
		over[envKey(EnvDir)] = EnvDir + "=" + m.dir
	}
	if m.instance != "" {
		over[envKey(EnvInstance)] = EnvInstance + "=" + m.instance
	}

	out := make([]string, 0, len(base)+len(over))
	done := make(map[string]bool, len(over))
	for _, kv := range base {
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		// On Windows, names like "=C:" hold per-drive directories; keep them.
		if name == "" && !strings.HasPrefix(kv, "=") {
			continue
		}
		k := envKey(name)
		if done[k] {
			continue // a duplicate in base: the first one wins, as getenv does
		}
		if repl, ok := over[k]; ok {
			out = append(out, repl)
		} else {
			out = append(out, kv)
		}
		done[k] = true
	}
	rest := make([]string, 0, len(over))
	for k, kv := range over {
		if !done[k] {
			rest = append(rest, kv)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func lookupEnv(env []string, name string) string {
	k := envKey(name)
	for _, kv := range env {
		n, v, ok := strings.Cut(kv, "=")
		if ok && envKey(n) == k {
			return v
		}
	}
	return ""
}

// programKey is what resolving a program depends on.
type programKey struct{ name, dir, path string }

// findProgram is findProgram, remembered per Runner: the resources of one
// configuration mostly run the same few programs with the same PATH, and
// looking each up again walked PATH (dozens of stats in a login
// environment) once per resource. A remembered path is checked again (one
// stat) and searched for afresh once it is no longer an executable file:
// up -watch lives for hours, and a program may be removed or moved meanwhile.
func (r *Runner) findProgram(name, dir, pathList string) (string, error) {
	k := programKey{name, dir, pathList}
	r.mu.Lock()
	p, ok := r.programs[k]
	r.mu.Unlock()
	if ok {
		if _, err := executable(p); err == nil {
			return p, nil
		}
	}
	p, err := findProgram(name, dir, pathList)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	if r.programs == nil {
		r.programs = map[programKey]string{}
	}
	r.programs[k] = p
	r.mu.Unlock()
	return p, nil
}

// findProgram resolves argv[0]: a name with a path separator is taken
// relative to the working directory; a bare name is searched in PATH of the
// environment the process will get (not trustform's own). Relative PATH
// entries are ignored, as os/exec does, so a file in the working directory
// never shadows a system program by accident.
func findProgram(name, dir, pathList string) (string, error) {
	if strings.ContainsAny(name, pathSeparators) {
		p := name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		if found, err := executable(p); err == nil {
			return found, nil
		} else {
			return "", fmt.Errorf("program %s: %w", p, err)
		}
	}
	for _, d := range filepath.SplitList(pathList) {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		if found, err := executable(filepath.Join(d, name)); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("program %q not found in PATH of the process (%s): install it or give its path", name, pathList)
}

func openLog(path string) (*os.File, error) {
	if path == "" {
		return os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	}
	// Usually the log is new, and an exclusive create is all it takes:
	// what it opens is a regular file it just made, never a link. The
	// checks below are for a log that is already there (or a directory
	// that is not).
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND|noFollow, LogFileMode); err == nil {
		return f, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("creating log directory: %w", err)
	}
	// Never through a link, and only a regular file: a planted log link
	// would have the process write wherever it points (issue 12). 0600,
	// since output often holds secrets; a file the user made readable by
	// others (chmod) keeps its mode.
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() != 0 && fi.Mode()&os.ModeSymlink == 0 {
		return nil, fmt.Errorf("opening log file: %s is not a regular file (%s): move it away", path, fi.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|noFollow|nonBlock, LogFileMode)
	if err != nil {
		if isLoop(err) {
			return nil, fmt.Errorf("opening log file: %s is a symbolic link; trustform never follows links inside .trustform: remove it", path)
		}
		return nil, fmt.Errorf("opening log file: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s is not a regular file (%s): move it away", path, fi.Mode().Type())
		}
		return nil, fmt.Errorf("opening log file: %w", err)
	}
	if err := clearNonBlock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("opening log file: %w", err)
	}
	return f, nil
}

// groupScans shares scans of every process among the stops waiting at the
// same time. After SIGTERM a group leader stays a zombie until its parent
// reaps it, and kill(-pgid, 0) succeeds for a zombie, so telling whether
// the group still has a live member means looking at every process on the
// machine. Destroying 1,000 processes made one such scan per poll for each
// stop; one scan now answers every stop that asked before it started. The
// zero value is ready to use.
type groupScans struct {
	mu    sync.Mutex   // held during a scan: one at a time
	taken time.Time    // when the last scan started
	live  map[int]bool // its answer for each group it looked for

	wmu     sync.Mutex
	waiting map[int]int // groups being waited for, and by how many stops
}

// groupScanner looks at every process once and says, for each group in
// want, whether it has a member that has not ended.
type groupScanner func(want map[int]bool) (map[int]bool, error)

// watch makes the scans look for pgid too until unwatch: a stop that
// polls next is then answered by a scan another stop started.
func (g *groupScans) watch(pgid int) {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.waiting == nil {
		g.waiting = map[int]int{}
	}
	g.waiting[pgid]++
}

func (g *groupScans) unwatch(pgid int) {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.waiting[pgid]--; g.waiting[pgid] <= 0 {
		delete(g.waiting, pgid)
	}
}

// alive reports whether the group has a live member, from a scan that
// started after since (never an older one, which may predate the signal
// or the caller's last look). now tells when a new scan starts.
func (g *groupScans) alive(pgid int, since time.Time, now func() time.Time, scan groupScanner) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if live, ok := g.live[pgid]; ok && g.taken.After(since) {
		return live, nil
	}
	want := map[int]bool{pgid: true}
	g.wmu.Lock()
	for p := range g.waiting {
		want[p] = true
	}
	g.wmu.Unlock()
	started := now()
	live, err := scan(want)
	if err != nil {
		return false, err
	}
	g.taken, g.live = started, live
	return live[pgid], nil
}

// strayScans shares scans for the descendants of stopped processes that
// left their process group (setsid, double fork) among the stops under
// way: one look at every process's environment answers every stop that
// asked before it started. The zero value is ready to use.
type strayScans struct {
	mu    sync.Mutex
	taken time.Time
	found map[string][]stray // instance -> processes carrying it
}

// strayScanReuse is how old a scan for strays may be and still answer a
// stop. Scans are serialised and each reads every process's environment:
// one per stop made destroying 200 processes take 6.5 s instead of 1 s. A
// stray forked in the window after the scan survives this stop, but still
// carries its markers, so the next apply or destroy finds it as an orphan.
const strayScanReuse = 500 * time.Millisecond

// stray is a live process carrying an instance marker.
type stray struct {
	pid   int
	start uint64
}

// of returns the live processes carrying instance, from a scan started
// after since; scan looks at every process once.
func (s *strayScans) of(instance string, since time.Time, scan func() (map[string][]stray, error)) ([]stray, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.found != nil && s.taken.After(since.Add(-strayScanReuse)) {
		return s.found[instance], nil
	}
	started := time.Now()
	found, err := scan()
	if err != nil {
		return nil, err
	}
	s.taken, s.found = started, found
	return found[instance], nil
}

// procKey names one process for its lifetime: a pid with its start time.
type procKey struct {
	pid   int
	start uint64
}

// markerCache holds the trustform markers of the processes the last scan
// for strays saw, so that each scan reads the environment only of
// processes it has not seen before. Every scan looked at the environment
// of every process on the machine, and destroying 1,000 resources makes
// a scan every half second (strayScanReuse): a destroy slowed down by a
// loaded machine made more scans, each slower, 6.7 s of CPU in all.
//
// A process's environment in /proc is the one it was started (exec'd)
// with. A process that execs again keeps its pid and start time: one
// that was forked by a resource and has not exec'd yet already carries
// that resource's markers, so what is cached stays right for strays; the
// one exception, the supervisor's child before it execs the program,
// is a resource's own process and never a stray. Orphan lookups
// (FindOrphans) read every environment afresh. A nil cache caches
// nothing; the zero value is ready to use.
type markerCache struct {
	mu sync.Mutex
	m  map[procKey]map[string]string
	// last is what the last scan saw, by pid. A pid cannot be reused
	// before its process is reaped, so a later scan that lists the same
	// pid takes it for the same process without reading its stat again
	// (see ownProcesses).
	last map[int]scanned
}

// put adds what was read of one process.
func (c *markerCache) put(k procKey, m map[string]string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[procKey]map[string]string{}
	}
	c.m[k] = m
}

func (c *markerCache) get(k procKey) (map[string]string, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// lastScan returns what the last scan saw; the caller must not change it.
func (c *markerCache) lastScan() map[int]scanned {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
