package logstream

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync"
	"time"
)

// DefaultPoll is how often a Follower looks for new output. Log files are
// written by processes that outlive trustform, so there is no one to tell
// us; a fifth of a second feels live and costs one read per resource.
const DefaultPoll = 200 * time.Millisecond

// maxLine bounds a line held back while waiting for its newline: a process
// writing megabytes without one is shown in pieces instead of growing
// memory without end.
const maxLine = 64 << 10

// Follower reads a growing file and hands every complete line to emit.
// Processes append to their log (O_APPEND), so a restarted process's
// output simply continues; a file that shrinks (truncated) is read again
// from its start.
type Follower struct {
	mu      sync.Mutex
	f       *os.File
	offset  int64
	partial []byte
	emit    func(line string)
}

// OpenFollower opens path for following from offset (0: the whole file;
// a negative offset: from its current end).
func OpenFollower(path string, offset int64, emit func(line string)) (*Follower, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		offset = fi.Size()
	}
	return &Follower{f: f, offset: offset, emit: emit}, nil
}

// Drain emits every complete line written so far. Call it before a
// lifecycle line about the resource (it exited), so its last words come
// first.
func (fl *Follower) Drain() error {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return fl.drain()
}

func (fl *Follower) drain() error {
	if fl.f == nil {
		return nil
	}
	if fi, err := fl.f.Stat(); err == nil && fi.Size() < fl.offset {
		fl.offset, fl.partial = 0, nil
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := fl.f.ReadAt(buf, fl.offset)
		fl.offset += int64(n)
		fl.push(buf[:n])
		if err == io.EOF || n == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (fl *Follower) push(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			fl.partial = append(fl.partial, b...)
			if len(fl.partial) >= maxLine {
				fl.emit(string(fl.partial))
				fl.partial = nil
			}
			return
		}
		line := b[:i]
		if len(fl.partial) > 0 {
			line = append(fl.partial, line...)
			fl.partial = nil
		}
		fl.emit(string(line))
		b = b[i+1:]
	}
}

// Flush emits what is left without a final newline (the process ended
// mid-line).
func (fl *Follower) Flush() {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if len(fl.partial) > 0 {
		fl.emit(string(fl.partial))
		fl.partial = nil
	}
}

// Run drains the file every poll interval until ctx ends, then drains
// and flushes a last time. A file removed while followed is still read
// through the open descriptor.
func (fl *Follower) Run(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = DefaultPoll
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := fl.Drain(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			fl.Drain()
			fl.Flush()
			return nil
		case <-t.C:
		}
	}
}

// Close releases the file.
func (fl *Follower) Close() error {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.f == nil {
		return nil
	}
	err := fl.f.Close()
	fl.f = nil
	return err
}

// LineWriter is an io.Writer that hands every complete line written to it
// to emit: give it to something that streams bytes (a container engine's
// `logs -f`). Call Flush at the end for a last line without a newline.
type LineWriter struct {
	mu      sync.Mutex
	partial []byte
	emit    func(line string)
}

// NewLineWriter returns a LineWriter calling emit for each line.
func NewLineWriter(emit func(line string)) *LineWriter {
	return &LineWriter{emit: emit}
}

// Write implements io.Writer.
func (lw *LineWriter) Write(b []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			lw.partial = append(lw.partial, b...)
			if len(lw.partial) >= maxLine {
				lw.emit(string(lw.partial))
				lw.partial = nil
			}
			break
		}
		line := b[:i]
		if len(lw.partial) > 0 {
			line = append(lw.partial, line...)
			lw.partial = nil
		}
		lw.emit(string(line))
		b = b[i+1:]
	}
	return n, nil
}

// Flush emits a last line that had no newline.
func (lw *LineWriter) Flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.partial) > 0 {
		lw.emit(string(lw.partial))
		lw.partial = nil
	}
}
