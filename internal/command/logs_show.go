package command

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/logstream"
	"github.com/trustform/trustform/internal/safepath"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/runtimes/container"
	"github.com/trustform/trustform/state"
)

// What `logs` can know about time. A process writes its log file itself
// (its stdout and stderr are that file, appended to across restarts), so
// no line carries a time. History is therefore shown resource by resource,
// in address order, never interleaved: an order by time would be made up.
// With -f, new lines are shown as they arrive, from every resource at once,
// so live output is interleaved by arrival (to within the poll interval).
// -since selects whole process logs by when they were last written; a
// container's engine keeps a time per line, so there -since and -tail are
// the engine's own and exact.

// logSource is one resource whose output logs shows.
type logSource struct {
	r *state.Resource
	// path is a process's log file; empty for a container.
	path string
	cr   *container.Runner
	// offset is where history ended: following starts there.
	offset int64
}

// logSink prints lines: prefixed with the address when several resources
// are shown, as written when only one is.
type logSink struct {
	mu  sync.Mutex
	out io.Writer
	lw  *logstream.Writer
}

func (s *logSink) line(addr, text string) {
	if s.lw != nil {
		s.lw.Line(addr, text)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.out, text+"\n")
}

// selectLogResources resolves the addresses the user gave: an instance, a
// resource, or a block address standing for all its instances; none means
// everything in state. It prints what is wrong and returns ok false.
func (e *runEnv) selectLogResources(st *state.State, given []string) ([]*state.Resource, bool) {
	if len(given) == 0 {
		return st.Resources, true
	}
	known := make([]string, 0, len(st.Resources))
	for _, r := range st.Resources {
		known = append(known, r.Address)
	}
	chosen := map[string]bool{}
	ok := true
	for _, g := range given {
		target, err := addrs.Parse(g)
		if err != nil {
			// The parser's message names the address and shows what
			// addresses look like; a hint saying it again was noise.
			e.view.Errorf("%v", err)
			ok = false
			continue
		}
		n := 0
		for _, a := range known {
			if addrs.Matches(target, a) {
				chosen[a] = true
				n++
			}
		}
		if n > 0 {
			continue
		}
		ok = false
		e.view.Errorf("no resource %q in state", g)
		switch s := suggest(g, known); {
		case s != "":
			e.view.Hintf("Did you mean %q?", s)
		case len(known) == 0:
			e.view.Hintf("nothing is running: run \"trustform apply\" first")
		default:
			e.view.Hintf("\"trustform status\" lists the resources in state")
		}
	}
	if !ok {
		return nil, false
	}
	var out []*state.Resource
	for _, r := range st.Resources {
		if chosen[r.Address] {
			out = append(out, r)
		}
	}
	return out, true
}

// showLogs prints the chosen resources' history, then, with -f, follows
// them all until Ctrl-C or until every one has stopped.
func (e *runEnv) showLogs(a *arguments.Logs, chosen []*state.Resource) int {
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	sink := &logSink{out: e.view.Out}
	if len(chosen) > 1 {
		names := make([]string, len(chosen))
		for i, r := range chosen {
			names[i] = r.Address
		}
		sort.Strings(names)
		sink.lw = logstream.NewWriter(e.view.Out, names, e.view.OutColor)
	}
	rs := e.newRunnerSet("")
	var sources []*logSource
	var whole []string
	code := exitOK
	cutoff := e.now().Add(-a.Since)
	for _, r := range chosen {
		src := &logSource{r: r}
		if r.Handle.ContainerID != "" {
			cr, err := rs.container(ctx, r.Handle.Engine)
			if err != nil {
				e.view.Errorf("%s: %v", r.Address, err)
				code = exitError
				continue
			}
			src.cr = cr
			if !a.Follow {
				lw := logstream.NewLineWriter(func(l string) { sink.line(r.Address, l) })
				err := cr.LogsWith(ctx, r.Handle, container.LogOptions{Tail: a.Tail, Since: a.Since}, lw)
				lw.Flush()
				if err != nil && ctx.Err() == nil {
					e.view.Errorf("%s: %v", r.Address, err)
					code = exitError
				}
			}
			sources = append(sources, src)
			continue
		}
		src.path = layout.LogPath(e.dir, r.Address)
		if r.Spec != nil && r.Spec.LogPath != "" {
			src.path = r.Spec.LogPath
		}
		shownWhole, err := e.processHistory(src, a, cutoff, sink)
		if err != nil {
			e.view.Errorf("reading the log of %s: %v", r.Address, err)
			code = exitError
			continue
		}
		if shownWhole {
			whole = append(whole, r.Address)
		}
		sources = append(sources, src)
	}
	if len(whole) > 0 {
		e.view.Warnf("-since=%s: process output carries no times, so a log written to within %s is shown whole (%s); -tail=N limits it",
			a.Since, a.Since, strings.Join(whole, ", "))
	}
	if !a.Follow || ctx.Err() != nil {
		return code
	}
	if c := e.followLogs(ctx, rs, a, sources, sink); c != exitOK {
		return c
	}
	return code
}

// processHistory prints what a process's log holds (all of it, its last
// -tail lines, or nothing when -since rules it out) and records where
// following starts. It reports whether -since had to show a log whole.
func (e *runEnv) processHistory(src *logSource, a *arguments.Logs, cutoff time.Time, sink *logSink) (bool, error) {
	// Only a regular file inside .trustform, reached without a link: a
	// planted link would show (or, a pipe, hang on) whatever it names.
	f, err := safepath.OpenFile(layout.StateDir(e.dir), src.path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		// Started with no output yet, or its log was removed: nothing to
		// show, and following starts at the beginning.
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	end := fi.Size()
	src.offset = end
	if a.Since > 0 && fi.ModTime().Before(cutoff) {
		return false, nil // nothing written within -since
	}
	// Even a process started within -since may have appended to the
	// lines of an earlier run (a replace keeps the log), so no line can
	// be dated: the log is shown whole, and the user told so.
	whole := a.Since > 0
	var lines []string
	var partial string
	if a.Tail >= 0 {
		lines, partial, err = lastLines(f, end, a.Tail)
	} else {
		lines, partial, err = allLines(f, end, func(l string) { sink.line(src.r.Address, l) })
	}
	if err != nil {
		return false, err
	}
	for _, l := range lines {
		sink.line(src.r.Address, l)
	}
	if partial != "" {
		if a.Follow {
			// The rest of the line is still to come: the follower
			// reads it whole.
			src.offset = end - int64(len(partial))
		} else {
			sink.line(src.r.Address, partial)
		}
	}
	return whole && (a.Tail != 0), nil
}

// allLines calls emit for every complete line in the first end bytes of f
// and returns the incomplete last line, if any.
func allLines(f io.ReaderAt, end int64, emit func(string)) ([]string, string, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, end), 64<<10)
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			return nil, line, nil
		}
		if err != nil {
			return nil, "", err
		}
		emit(strings.TrimSuffix(line, "\n"))
	}
}

// lastLines returns the last n complete lines of the first end bytes of f,
// reading backwards so a long log costs only what is shown, and the
// incomplete last line (counted among the n).
func lastLines(f io.ReaderAt, end int64, n int) ([]string, string, error) {
	if n == 0 || end == 0 {
		return nil, "", nil
	}
	const chunk = 64 << 10
	var buf []byte
	pos := end
	for pos > 0 {
		size := int64(chunk)
		if pos < size {
			size = pos
		}
		pos -= size
		b := make([]byte, size)
		if _, err := f.ReadAt(b, pos); err != nil && err != io.EOF {
			return nil, "", err
		}
		buf = append(b, buf...)
		// n lines need n newlines before the last line starts (one more
		// when the data ends with a newline).
		if bytes.Count(buf, []byte{'\n'}) > n {
			break
		}
	}
	partial := ""
	if i := bytes.LastIndexByte(buf, '\n'); i < len(buf)-1 {
		partial = string(buf[i+1:])
		buf = buf[:i+1]
		n--
	}
	text := strings.TrimSuffix(string(buf), "\n")
	if text == "" && len(buf) == 0 {
		return nil, partial, nil
	}
	lines := strings.Split(text, "\n")
	if n <= 0 {
		lines = nil
	} else if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, partial, nil
}

// logsPoll is how often -f looks for new process output and asks whether
// each process still runs.
const logsPoll = 200 * time.Millisecond

// followLogs prints new output of every source as it arrives until ctx
// ends (Ctrl-C: exit 0, as Ctrl-C is how -f is meant to end) or every
// resource has stopped.
func (e *runEnv) followLogs(ctx context.Context, rs *runnerSet, a *arguments.Logs, sources []*logSource, sink *logSink) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	code := exitOK
	for _, src := range sources {
		addr := src.r.Address
		emit := func(l string) { sink.line(addr, l) }
		if src.cr != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lw := logstream.NewLineWriter(emit)
				err := src.cr.LogsWith(ctx, src.r.Handle, container.LogOptions{Follow: true, Tail: a.Tail, Since: a.Since}, lw)
				lw.Flush()
				if err != nil && ctx.Err() == nil {
					e.view.Errorf("%s: %v", addr, err)
					mu.Lock()
					code = exitError
					mu.Unlock()
				}
			}()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.followProcess(ctx, rs, src, emit); err != nil && ctx.Err() == nil {
				e.view.Errorf("following the log of %s: %v", addr, err)
				mu.Lock()
				code = exitError
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return code
}

// followProcess follows one process's log until ctx ends or the process
// has stopped, then prints what it wrote last.
func (e *runEnv) followProcess(ctx context.Context, rs *runnerSet, src *logSource, emit func(string)) error {
	// The log may not exist yet (a process that has written nothing):
	// wait for it rather than fail.
	for {
		if _, err := safepath.OpenFile(layout.StateDir(e.dir), src.path, os.O_RDONLY, 0); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if !e.stillRunning(ctx, rs, src.r) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(logsPoll):
		}
	}
	fl, err := logstream.OpenFollower(src.path, src.offset, emit)
	if err != nil {
		return err
	}
	defer fl.Close()
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fl.Run(fctx, logsPoll) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if !e.stillRunning(ctx, rs, src.r) {
				// Nothing more will come: Run drains and flushes
				// what it wrote last when cancelled.
				cancel()
				return <-done
			}
		}
	}
}

// stillRunning reports whether a process resource still runs; when that
// cannot be told, it is assumed to, so -f keeps following.
func (e *runEnv) stillRunning(ctx context.Context, rs *runnerSet, r *state.Resource) bool {
	s, err := rs.proc.Status(ctx, r.Handle)
	return err != nil || s == runtimes.StatusRunning
}
