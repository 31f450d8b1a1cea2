package process

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

// EnvSupervisor marks a run's supervisor in its environment (the programs
// it starts do not inherit it), so FindOrphans never takes the supervisor
// for a resource, and a program's parent is recognised as its supervisor.
const EnvSupervisor = "TRUSTFORM_SUPERVISOR"

// SupervisorArg is the one argument, with EnvSupervisor=1 in the
// environment, that makes trustform's own binary serve as a run's
// supervisor (ServeSupervisor) instead of running a command.
const SupervisorArg = "internal-process-supervisor"

// supervisorFD is where the supervisor finds its end of the connection.
const supervisorFD = 3

// A run's processes have one supervisor: trustform's own binary, started
// once per Runner (so once per apply or up) in a session of its own, as
// the parent of every process the run starts. trustform does not outlive
// apply, and a detached process's exit status goes to whoever reaps it
// (pid 1, which here never reaps), so the supervisor stays as the parent,
// reaps each process and records its exit status and time in the exit
// records of its log directory (appendExit).
//
// Until issue 19 each process had a supervisor of its own: an sh that ran
// the program through setsid(1). That was three execs per resource where
// the program alone is one, and most of applying 1,000 resources.
//
// trustform and the supervisor talk over a socket pair on fd 3, in frames
// of strings (frame_linux.go): decoding a JSON request, with the whole
// environment, cost the supervisor more than starting the program.
// trustform sends a supRequest per process; the supervisor answers with
// its pid and start time (or an error), and later tells of its exit. When
// trustform ends (the connection closes) the supervisor goes on until the
// last of its processes has ended, then exits.
type supRequest struct {
	ID   uint64
	Path string
	Argv []string
	Dir  string
	Env  []string
	Log  string
	Exit string
}

// supMessage is the supervisor's answer to request ID (PID and Start, or
// Err), or, with Exited, the news that the process PID ended with Code.
type supMessage struct {
	ID     uint64
	PID    int
	Start  uint64
	Err    string
	Exited bool
	Code   int
	At     int64
}

// ServeIfSupervisor serves as a run's supervisor when args and the
// environment ask for it, returning the exit code and true; otherwise it
// returns false at once. Every entry point of trustform's binary (and of a
// test binary that can start processes with RecordExits) calls it first.
func ServeIfSupervisor(args []string, getenv func(string) string) (int, bool) {
	if len(args) != 1 || args[0] != SupervisorArg || getenv(EnvSupervisor) != "1" {
		return 0, false
	}
	return ServeSupervisor(os.NewFile(supervisorFD, "supervisor")), true
}

// ServeSupervisor starts the processes trustform asks for on conn, records
// each one's exit next to its log, and returns once trustform has hung up
// and every process it started has ended.
func ServeSupervisor(conn *os.File) int {
	if conn == nil {
		return 2
	}
	// The connection must not leak into the programs.
	syscall.CloseOnExec(int(conn.Fd()))
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 2
	}
	defer devnull.Close()
	s := newSupServer(conn, devnull)
	// Before any start: every child started is then watched (reapWatched).
	if fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC); err == nil {
		s.wakeFD, s.watching = fd, true
	}
	// The reaper's table is copied from this one before the first start,
	// which would otherwise keep a log it opened open for good.
	ready := make(chan struct{})
	go s.reap(ready)
	<-ready
	in := bufio.NewReader(conn)
	for {
		var req supRequest
		if err := req.read(in); err != nil {
			break
		}
		s.children.Add(1)
		go s.launch(&req)
	}
	// trustform has hung up, or died: starts not yet made are refused.
	s.hungUp.Store(true)
	s.children.Wait()
	return 0
}

// supServer is the supervisor's side: it starts programs, and one
// goroutine reaps them all (reap). Nothing of a child is held open where
// children are started: a descriptor per child (a pidfd, as os/exec keeps
// one) is copied into every later fork and closed again at its exec,
// which made starting the 1,000th process cost 1,000 times more than the
// first. The reaper keeps its pidfds in a descriptor table of its own.
type supServer struct {
	wmu     sync.Mutex
	conn    *os.File
	devnull *os.File

	// mu guards procs and launching. Children are started outside it,
	// side by side: holding it across ForkExec, which returns only once
	// the child has exec'd, made every start wait for the exec before it.
	// The reaper, told of a child not registered yet, waits on registered
	// until no start is under way (the child stays a zombie meanwhile).
	mu         sync.Mutex
	procs      map[int]supChild
	launching  int
	registered *sync.Cond
	// hungUp is set once trustform's end of the connection has closed
	// (see launch).
	hungUp atomic.Bool
	// children counts the processes started and not reaped yet, and the
	// requests being handled; wake tells the reaper there is a child.
	children sync.WaitGroup
	wake     chan struct{}
	// wakeFD (an eventfd, -1 without one) tells a reaper watching
	// pidfds that started holds children it does not watch yet; watching
	// is false once the reaper waits for any child instead. wakeFD is set
	// before the first start and never changes.
	wakeFD   int
	watching bool
	started  []int
}

func newSupServer(conn, devnull *os.File) *supServer {
	s := &supServer{conn: conn, devnull: devnull, procs: map[int]supChild{}, wake: make(chan struct{}, 1), wakeFD: -1}
	s.registered = sync.NewCond(&s.mu)
	return s
}

// supChild is what the supervisor knows of a child it started.
type supChild struct {
	start    uint64
	exitPath string
}

// send writes m to trustform. After trustform has gone the write fails
// (EPIPE, not SIGPIPE: this is not fd 1 or 2); the exit is still in the
// file.
func (s *supServer) send(m supMessage) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.conn.Write(m.frame())
	return err
}

// launch starts one program with its log as stdout and stderr, in a
// session and process group of its own (so signals to its group never
// reach the supervisor), and answers with its pid and start time, read
// before the reaper can reap it.
func (s *supServer) launch(req *supRequest) {
	fail := func(err error) {
		s.children.Done()
		_ = s.send(supMessage{ID: req.ID, Err: err.Error()})
	}
	// A start trustform can no longer be told of would run unrecorded:
	// when it was SIGKILLed with starts under way, the next apply would
	// look for leftovers before this supervisor got round to them, and
	// the resource would run twice.
	if s.hungUp.Load() {
		fail(errors.New("trustform hung up before the start"))
		return
	}
	if len(req.Argv) == 0 {
		fail(errors.New("no command to run"))
		return
	}
	logFile, err := openLog(req.Log)
	if err != nil {
		fail(err)
		return
	}
	defer logFile.Close()
	attr := &syscall.ProcAttr{
		Dir:   req.Dir,
		Env:   req.Env,
		Files: []uintptr{s.devnull.Fd(), logFile.Fd(), logFile.Fd()},
		Sys:   detachedAttr(),
	}
	s.mu.Lock()
	s.launching++
	s.mu.Unlock()
	pid, err := syscall.ForkExec(req.Path, req.Argv, attr)
	var info procInfo
	if err == nil {
		// Read before the reaper may reap it: it waits for this.
		info, err = readProc(pid)
		if err != nil {
			err = fmt.Errorf("reading start time of pid %d: %w", pid, err)
		}
	} else {
		err = fmt.Errorf("starting %s: %w", req.Path, err)
	}
	s.mu.Lock()
	s.launching--
	if pid > 0 && s.watching {
		s.started = append(s.started, pid)
	}
	if err == nil {
		s.procs[pid] = supChild{start: info.start, exitPath: req.Exit}
		// Answered before the reaper, which looks the child up under
		// mu, can tell of its end. An answer that cannot be delivered
		// (trustform is gone: EPIPE) undoes the start, for the reason
		// above; the reaper records and reaps it.
		if s.send(supMessage{ID: req.ID, PID: pid, Start: info.start}) != nil {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
	s.registered.Broadcast()
	s.mu.Unlock()
	if err != nil && pid <= 0 {
		fail(err)
		return
	}
	if err != nil {
		// Never left running unrecorded; the reaper reaps it.
		_ = syscall.Kill(pid, syscall.SIGKILL)
		s.children.Add(1)
		s.wakeReaper()
		fail(err)
		return
	}
	s.wakeReaper()
}

func (s *supServer) wakeReaper() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if s.wakeFD >= 0 {
		var one = [8]byte{1}
		_, _ = unix.Write(s.wakeFD, one[:])
	}
}

// reap reaps every child: it records each one's exit while the child is
// still a zombie, and only then reaps it. Whoever stops a process therefore
// knows its exit is recorded once its pid has gone from /proc, and can
// remove the records without one being written again behind its back. A
// signal's death is recorded as 128+N, as a shell reports it.
//
// It learns of each end from the child's pidfd (reapWatched), and, where
// it cannot, by waiting for any child (reapAny). Waiting for any child
// makes the kernel look at every child, each time one ends: with 5,000
// children that cost 150 µs a call against 1 µs for one pid, and made
// stopping 5,000 processes take more than five times as long as 1,000.
func (s *supServer) reap(ready chan<- struct{}) {
	s.reapWatched(ready)
	s.reapAny()
}

// reapAny reaps as reap says, waiting for any child to end.
func (s *supServer) reapAny() {
	for {
		pid, code, err := waitAnyChild()
		if err == syscall.ECHILD {
			<-s.wake
			continue
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.ended(pid, code)
	}
}

// reapWatched reaps as reap says, learning of each end from the child's
// pidfd, until it cannot: no pidfds here (an old kernel, a seccomp filter)
// or no descriptor left for one more (RLIMIT_NOFILE). It then closes them
// all and returns, and reapAny, which waits for any child, goes on; the
// children started meanwhile are its children too.
//
// The pidfds live in a descriptor table of this thread's own (unshare
// CLONE_FILES): children are forked from other threads, and in their
// table one descriptor per child would make every fork and exec copy and
// close them all. Go makes new threads from a template thread, never from
// a locked one, so no other goroutine ever runs with this table.
func (s *supServer) reapWatched(ready chan<- struct{}) {
	var once sync.Once
	isReady := func() { once.Do(func() { close(ready) }) }
	defer isReady()
	wake := s.wakeFD // made before the unshare: both tables hold it
	if wake < 0 {
		return
	}
	runtime.LockOSThread() // for good: the thread's table is its own
	stop := func() {
		s.mu.Lock()
		s.watching, s.started = false, nil
		s.mu.Unlock()
	}
	err := unix.Unshare(unix.CLONE_FILES)
	isReady()
	if err != nil {
		stop()
		return
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		stop()
		return
	}
	watch := func(fd int) error {
		return unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	}
	pids := map[int32]int{} // pidfd -> pid
	defer func() {
		for fd := range pids {
			_ = unix.Close(int(fd))
		}
		_ = unix.Close(ep)
	}()
	if watch(wake) != nil {
		stop()
		return
	}
	var buf [8]byte
	events := make([]unix.EpollEvent, 64)
	for {
		n, err := unix.EpollWait(ep, events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			stop()
			return
		}
		for _, ev := range events[:n] {
			if ev.Fd == int32(wake) {
				_, _ = unix.Read(wake, buf[:])
				s.mu.Lock()
				started := s.started
				s.started = nil
				s.mu.Unlock()
				for _, pid := range started {
					// A child that has ended is a zombie until reaped:
					// its pidfd is had, and is readable at once.
					fd, err := unix.PidfdOpen(pid, 0)
					if err == nil {
						if err = watch(fd); err != nil {
							_ = unix.Close(fd)
						}
					}
					if err != nil {
						stop()
						return
					}
					pids[int32(fd)] = pid
				}
				continue
			}
			pid, ok := pids[ev.Fd]
			if !ok {
				continue
			}
			code, ended := childEnded(pid)
			if !ended {
				// A pidfd is readable once its process has exited, when
				// it is also waitable; were that ever not so, the level-
				// triggered event would come back at once, for good.
				// Waiting for any child cannot spin that way.
				stop()
				return
			}
			_ = unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, int(ev.Fd), nil)
			_ = unix.Close(int(ev.Fd))
			delete(pids, ev.Fd)
			s.ended(pid, code)
		}
	}
}

// ended records the end of child pid, which has ended with code and is
// still a zombie, reaps it, and tells trustform.
func (s *supServer) ended(pid, code int) {
	s.mu.Lock()
	c, ok := s.procs[pid]
	for !ok && s.launching > 0 {
		s.registered.Wait()
		c, ok = s.procs[pid]
	}
	delete(s.procs, pid)
	s.mu.Unlock()
	at := time.Now()
	if ok && c.exitPath != "" {
		appendExit(c.exitPath, pid, c.start, code, at)
	}
	for {
		if _, err := syscall.Wait4(pid, nil, 0, nil); err != syscall.EINTR {
			break
		}
	}
	if ok {
		_ = s.send(supMessage{Exited: true, PID: pid, Start: c.start, Code: code, At: at.UnixNano()})
	}
	s.children.Done()
}

// waitAnyChild waits until a child has ended and says which and how,
// without reaping it (waitid(P_ALL, WNOWAIT)).
func waitAnyChild() (pid, code int, err error) {
	var info childInfo
	for {
		errno := info.waitid(unix.P_ALL, 0, unix.WEXITED|unix.WNOWAIT)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return 0, 0, errno
		}
		return int(info.Pid), info.code(), nil
	}
}

// childEnded says whether child pid has ended, and how, without reaping
// it or waiting (waitid(P_PID, WNOHANG|WNOWAIT)).
func childEnded(pid int) (code int, ended bool) {
	var info childInfo
	for {
		errno := info.waitid(unix.P_PID, pid, unix.WEXITED|unix.WNOWAIT|unix.WNOHANG)
		if errno == syscall.EINTR {
			continue
		}
		// WNOHANG leaves the pid zero while the child runs.
		return info.code(), errno == 0 && info.Pid == int32(pid)
	}
}

// childInfo is the head of the kernel's siginfo_t as waitid fills it for
// a child: x/sys's Siginfo hides the SIGCHLD fields.
type childInfo struct {
	Signo  int32
	Errno  int32
	Code   int32
	_      int32
	Pid    int32
	UID    uint32
	Status int32
	_      [100]byte
}

func (info *childInfo) waitid(idtype, id, options int) syscall.Errno {
	_, _, errno := syscall.Syscall6(unix.SYS_WAITID, uintptr(idtype), uintptr(id), uintptr(unsafe.Pointer(info)), uintptr(options), 0, 0)
	return errno
}

// code is the exit code a shell reports: the status, or 128+N for a death
// by signal N.
func (info *childInfo) code() int {
	// si_code values of SIGCHLD (<asm-generic/siginfo.h>).
	const (
		cldExited = 1
		cldKilled = 2
		cldDumped = 3
	)
	if info.Code == cldKilled || info.Code == cldDumped {
		return 128 + int(info.Status)
	}
	return int(info.Status)
}

// supervisorClient is trustform's end of a supervisor's connection.
type supervisorClient struct {
	conn *os.File
	cmd  *exec.Cmd

	wmu sync.Mutex // serialises requests

	mu      sync.Mutex
	next    uint64
	pending map[uint64]chan supAnswer
	// procs has an entry per process the supervisor started, until its
	// exit is known; early holds exits told before the start's answer.
	procs map[procKey]*supProc
	early map[procKey]runtimes.Exit
	// gone is set once the connection has ended; err says why. closing
	// is set when we hung up.
	gone    bool
	closing bool
	err     error
}

// supProc is a process a supervisor started; done is closed once exit
// holds how it ended (and exit is not written after that).
type supProc struct {
	done chan struct{}
	exit runtimes.Exit
}

// supAnswer is the supervisor's answer to a request, with the record of
// the process it started: made by the reader before it reads on, so that
// an exit right after the start is never missed.
type supAnswer struct {
	m supMessage
	p *supProc
}

// startSupervisor starts a supervisor for this run: this very binary (by
// /proc/self/exe when the file on disk is no longer it, e.g. rebuilt),
// named "trustform" so that a test binary standing in for trustform
// dispatches to it, in a new session, with only EnvSupervisor in its
// environment: nothing of the user's (tokens included) is kept in a
// process that outlives the run.
func startSupervisor() (*supervisorClient, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("creating the supervisor's connection: %w", err)
	}
	ours := os.NewFile(uintptr(fds[0]), "supervisor")
	theirs := os.NewFile(uintptr(fds[1]), "supervisor")
	defer theirs.Close()
	// By its path where it still exists, so that ps and top name it
	// after the binary rather than "exe".
	self := "/proc/self/exe"
	if p, err := os.Executable(); err == nil && sameFile(p, self) {
		self = p
	}
	cmd := &exec.Cmd{
		Path:        self,
		Args:        []string{"trustform", SupervisorArg},
		Dir:         "/",
		Env:         []string{EnvSupervisor + "=1"},
		ExtraFiles:  []*os.File{theirs},
		SysProcAttr: detachedAttr(),
	}
	if err := cmd.Start(); err != nil {
		ours.Close()
		return nil, fmt.Errorf("starting the process supervisor: %w", err)
	}
	c := &supervisorClient{
		conn: ours, cmd: cmd,
		pending: map[uint64]chan supAnswer{}, procs: map[procKey]*supProc{},
	}
	go c.read()
	// Reap the supervisor should it end while trustform runs (up).
	go func() {
		awaitExit(cmd.Process.Pid)
		_ = cmd.Wait()
	}()
	return c, nil
}

// sameFile reports whether a and b name the same file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// read dispatches the supervisor's messages until the connection ends.
func (c *supervisorClient) read() {
	in := bufio.NewReader(c.conn)
	var err error
	for {
		var m supMessage
		if err = m.read(in); err != nil {
			break
		}
		c.mu.Lock()
		switch {
		case m.Exited:
			k := procKey{pid: m.PID, start: m.Start}
			e := exitOf(m.Code, time.Unix(0, m.At))
			if p, ok := c.procs[k]; ok {
				delete(c.procs, k)
				p.exit = e
				close(p.done)
			} else {
				// Told before the answer (a supervisor of another
				// version may send them in either order).
				if c.early == nil {
					c.early = map[procKey]runtimes.Exit{}
				}
				c.early[k] = e
			}
		default:
			var p *supProc
			if m.Err == "" && m.PID > 0 {
				k := procKey{pid: m.PID, start: m.Start}
				p = &supProc{done: make(chan struct{})}
				if e, ok := c.early[k]; ok {
					delete(c.early, k)
					p.exit = e
					close(p.done)
				} else {
					c.procs[k] = p
				}
			}
			if ch, ok := c.pending[m.ID]; ok {
				delete(c.pending, m.ID)
				ch <- supAnswer{m, p}
			}
		}
		c.mu.Unlock()
	}
	if errors.Is(err, io.EOF) {
		err = errors.New("the process supervisor ended")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone, c.err = true, err
	for id, ch := range c.pending {
		delete(c.pending, id)
		ch <- supAnswer{m: supMessage{ID: id, Err: err.Error()}}
	}
	if c.closing {
		// We hung up: nobody asks any more.
		return
	}
	// Whatever it had started is now nobody's child: learn of its end
	// through a pidfd.
	for k, p := range c.procs {
		delete(c.procs, k)
		go func() {
			awaitExit(k.pid)
			p.exit = runtimes.Exit{Code: -1, Err: fmt.Errorf("its supervisor ended before it did: %v", err), At: time.Now()}
			close(p.done)
		}()
	}
}

// start asks the supervisor to start req and returns the process's pid
// and start time, and the record of its end.
func (c *supervisorClient) start(req supRequest) (procKey, *supProc, error) {
	ch := make(chan supAnswer, 1)
	c.mu.Lock()
	if c.gone {
		err := c.err
		c.mu.Unlock()
		return procKey{}, nil, err
	}
	c.next++
	req.ID = c.next
	c.pending[req.ID] = ch
	c.mu.Unlock()

	c.wmu.Lock()
	_, err := c.conn.Write(req.frame())
	c.wmu.Unlock()
	if err != nil {
		c.mu.Lock()
		delete(c.pending, req.ID)
		c.mu.Unlock()
		return procKey{}, nil, fmt.Errorf("asking the process supervisor: %w", err)
	}
	a := <-ch
	if a.m.Err != "" || a.p == nil {
		return procKey{}, nil, errors.New(a.m.Err)
	}
	return procKey{pid: a.m.PID, start: a.m.Start}, a.p, nil
}

// close hangs up; the supervisor ends once its processes have.
func (c *supervisorClient) close() error {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	return c.conn.Close()
}

// supervisor returns the run's supervisor, starting it at the first call,
// and again should it have ended (killed by someone): processes started
// after that still have their exits recorded. It returns nil when none can
// be had, or after Close (the process is then started directly, and its
// exit is known only while this trustform runs).
func (r *Runner) supervisor() *supervisorClient {
	r.supMu.Lock()
	defer r.supMu.Unlock()
	if r.supClosed {
		return nil
	}
	if r.sup != nil && !r.sup.ended() {
		return r.sup
	}
	c, err := startSupervisor()
	if err != nil {
		return nil
	}
	r.sup = c
	return c
}

// ended reports whether the connection to the supervisor has ended.
func (c *supervisorClient) ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

// Prepare starts the run's supervisor now, when processes are to be
// started soon (RecordExits), so that the first Start does not wait for it.
func (r *Runner) Prepare() {
	if r.RecordExits {
		r.supervisor()
	}
}

// Close hangs up on the run's supervisor, if one was started; it ends once
// the processes it started have. Processes keep running; later ones are
// started directly.
func (r *Runner) Close() error {
	r.supMu.Lock()
	defer r.supMu.Unlock()
	r.supClosed = true
	if r.sup == nil {
		return nil
	}
	return r.sup.close()
}

// startSupervised starts path through the run's supervisor and returns the
// program's handle.
func (r *Runner) startSupervised(spec *runtimes.LaunchSpec, path string, env []string, instance string) (runtimes.Handle, bool, error) {
	if spec.LogPath == "" {
		return runtimes.Handle{}, false, nil
	}
	c := r.supervisor()
	if c == nil {
		return runtimes.Handle{}, false, nil
	}
	// The supervisor works in / and never in trustform's directory.
	logPath, err := filepath.Abs(spec.LogPath)
	if err != nil {
		return runtimes.Handle{}, true, err
	}
	if path, err = filepath.Abs(path); err != nil {
		return runtimes.Handle{}, true, err
	}
	dir := spec.WorkingDir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return runtimes.Handle{}, true, err
		}
	}
	k, p, err := c.start(supRequest{Path: path, Argv: spec.Argv, Dir: dir, Env: env, Log: logPath, Exit: layout.ExitsPath(logPath)})
	if err != nil {
		return runtimes.Handle{}, true, err
	}
	h := runtimes.Handle{PID: k.pid, StartTime: k.start, Instance: instance}
	r.mu.Lock()
	r.done[h] = p.done
	r.supervised[h] = p
	r.mu.Unlock()
	return h, true, nil
}

// appendExit records that the process pid, started at start, ended with
// code at, as one line of the log directory's exit records (ExitsPath).
// One file for all, appended to: a file per process meant a new inode at
// every exit, and on a file system slow to allocate them (ext4 without a
// journal skips every inode freed in the last minute, one by one) that
// made stopping 1,000 processes wait for their records in turn. The line
// is written with one O_APPEND write, so lines from several supervisors
// never mix; never through a link, and only into a regular file.
func appendExit(path string, pid int, start uint64, code int, at time.Time) {
	f, _, ok := openRecord(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
	if !ok {
		return
	}
	defer f.Close()
	_, _ = f.Write(fmt.Appendf(nil, "%d %d %d %d\n", pid, start, code, at.UnixNano()))
}

// openRecord opens an exit record, never through a link (nor blocking on
// a planted pipe), and only when it is a regular file.
func openRecord(path string, flag int) (*os.File, os.FileInfo, bool) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, LogFileMode)
	if err != nil {
		return nil, nil, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, false
	}
	return f, fi, true
}

// readExit finds the last record of h among the exit records at path.
func readExit(path string, h runtimes.Handle) (runtimes.Exit, bool) {
	f, _, ok := openRecord(path, os.O_RDONLY)
	if !ok {
		return runtimes.Exit{}, false
	}
	defer f.Close()
	var (
		e     runtimes.Exit
		found bool
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var (
			pid, code int
			start     uint64
			at        int64
		)
		if n, err := fmt.Sscanf(sc.Text(), "%d %d %d %d", &pid, &start, &code, &at); n != 4 || err != nil {
			continue // a torn line: the next ones still count
		}
		if pid != h.PID || start != h.StartTime {
			continue
		}
		e, found = exitOf(code, time.Unix(0, at)), true
	}
	return e, found
}

// readExitFile reads the status an older trustform's supervisor shell
// recorded for h in a file of its own (layout.ExitPath); the file's
// modification time is when the process ended.
func readExitFile(path string, h runtimes.Handle) (runtimes.Exit, bool) {
	f, fi, ok := openRecord(path, os.O_RDONLY)
	if !ok {
		return runtimes.Exit{}, false
	}
	defer f.Close()
	var pid, code int
	if n, err := fmt.Fscan(f, &pid, &code); n != 2 || err != nil || pid != h.PID {
		return runtimes.Exit{}, false
	}
	return exitOf(code, fi.ModTime()), true
}

// exitOf is a recorded exit: status code at time at.
func exitOf(code int, at time.Time) runtimes.Exit {
	e := runtimes.Exit{Code: code, At: at}
	if code != 0 {
		e.Err = fmt.Errorf("exit status %d", code)
	}
	return e
}

// LastExit reports how the process h names ended: from this Runner, when
// it started it, else from the status its supervisor recorded next to
// logPath (so also after the trustform that started it has gone). It
// knows nothing of a process started without a supervisor by another run,
// nor of one that still runs.
func (r *Runner) LastExit(h runtimes.Handle, logPath string) (runtimes.Exit, bool) {
	if e, ok := r.Exit(h); ok {
		return e, true
	}
	if logPath == "" || h.PID <= 0 {
		return runtimes.Exit{}, false
	}
	if e, ok := readExit(layout.ExitsPath(logPath), h); ok {
		return e, true
	}
	return readExitFile(layout.ExitPath(logPath), h)
}

// supervisorOf returns the pid and start time of the supervisor that is
// ppid (a process's parent), 0 when it is none (the process was started
// directly, or its supervisor is gone). The answer for a ppid is kept for
// the Runner's life: destroying 5,000 processes of one supervisor read its
// stat 5,000 times. A supervisor that ends meanwhile is noticed by
// waitRecorded, which looks at it again.
func (r *Runner) supervisorOf(ppid int) (int, uint64) {
	if ppid <= 1 {
		return 0, 0
	}
	r.mu.Lock()
	s, ok := r.sups[ppid]
	r.mu.Unlock()
	if ok {
		return s.pid, s.start
	}
	s = procKey{}
	if info, err := readProc(ppid); err == nil {
		if m, err := r.markersOf(ppid, info.start); err == nil && m[EnvSupervisor] == "1" {
			s = procKey{pid: ppid, start: info.start}
		}
	}
	r.mu.Lock()
	if r.sups == nil {
		r.sups = map[int]procKey{}
	}
	r.sups[ppid] = s
	r.mu.Unlock()
	return s.pid, s.start
}

// supervisorWait bounds how long a stop waits for a supervisor to record
// an exit.
const supervisorWait = 2 * time.Second

// waitRecorded waits, briefly, until the supervisor (sup, started at
// supStart) has reaped the process pid (started at start): it records the
// exit before reaping, so that what Stop's caller removes next (the status
// file with the log) is not written again behind its back. It returns at
// once when there is no supervisor, or it has gone.
func waitRecorded(ctx context.Context, pid int, start uint64, sup int, supStart uint64) {
	if sup <= 0 {
		return
	}
	deadline := time.Now().Add(supervisorWait)
	wait := 200 * time.Microsecond
	for i := 0; ; i++ {
		// Until it is reaped, the pid cannot be reused: getpgid (one
		// system call) says whether it is still there. Then the first
		// and every fourth look read its stat, to tell a process no
		// longer the supervisor's (reparented when its supervisor died,
		// or, after the pid was reaped and reused, a newcomer).
		if _, ok := pgidOf(pid); !ok {
			return
		}
		if i%4 == 0 {
			info, err := readProc(pid)
			if err != nil || info.start != start || info.ppid != sup {
				return
			}
		}
		// A live supervisor reaps within a millisecond or two; whether it
		// is still there is asked only once that has passed.
		if i >= 4 && i%4 == 0 {
			if s, err := readProc(sup); err != nil || s.start != supStart || s.zombie {
				return
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return
		}
		preciseSleep(wait)
		wait = min(2*wait, 10*time.Millisecond)
	}
}

// preciseSleep sleeps for d. Below a millisecond it blocks its thread in
// nanosleep: Go's scheduler sleeps in its poller, whose timeout counts in
// whole milliseconds, so time.Sleep(200 * time.Microsecond) took 1.08 ms
// on the benchmark VM, and nearly every stop of a destroy waited that long
// for its supervisor to reap. At most one thread per stop under way (the
// parallelism) sleeps so.
func preciseSleep(d time.Duration) {
	if d >= time.Millisecond {
		time.Sleep(d)
		return
	}
	ts := unix.NsecToTimespec(d.Nanoseconds())
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
