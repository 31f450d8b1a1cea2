package apply

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// DefaultReadyTimeout applies when a ready_when block has no timeout.
const DefaultReadyTimeout = 60 * time.Second

// pollInterval is how often readiness and liveness are checked.
const pollInterval = 100 * time.Millisecond

// errExited is wrapped when a process exits before it is ready.
var errExited = errors.New("exited")

// probe makes one readiness attempt; nil means ready.
type probe func(ctx context.Context) error

// newProbe returns the probe for rw. For https URLs certificate checks are
// off in this probe only: readiness asks "does the server answer?", and the
// server's certificate is typically issued by a CA that trustform itself is
// about to distribute, which trustform's own process does not trust. The
// probe sends no credentials and reads no data that matters, so there is
// nothing to protect.
func newProbe(rw *state.ReadyWhen) (probe, string) {
	switch {
	case rw.TCP != "":
		addr := rw.TCP
		return func(ctx context.Context) error {
			d := net.Dialer{Timeout: time.Second}
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return err
			}
			return c.Close()
		}, "tcp " + addr
	case rw.HTTP != "":
		url := rw.HTTP
		client := &http.Client{
			Timeout: 2 * time.Second,
			Transport: &http.Transport{
				// Readiness targets are local; never send them to a proxy.
				Proxy:             nil,
				DisableKeepAlives: true,
				TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see newProbe's comment
			},
			// Any answer, a redirect included, means the server is up.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		return func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
			return resp.Body.Close()
		}, "http " + url
	}
	return nil, ""
}

// portOwner is implemented by runners that can tell which process holds a
// listening port (the process runner, on Linux).
type portOwner interface {
	// PortOwner reports whether a listener holds addr, whether it is in
	// h's process group, and who holds it ("pid 1234 (python3)").
	PortOwner(addr string, h runtimes.Handle) (held, ours bool, who string, err error)
}

// readyAddr is the host:port a ready_when check connects to, or "".
func readyAddr(rw *state.ReadyWhen) string {
	switch {
	case rw == nil:
		return ""
	case rw.TCP != "":
		return rw.TCP
	case rw.HTTP != "":
		u, err := url.Parse(rw.HTTP)
		if err != nil || u.Host == "" {
			return ""
		}
		if u.Port() != "" {
			return u.Host
		}
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		return net.JoinHostPort(u.Hostname(), port)
	}
	return ""
}

// portTaken says who holds the port of rw before the resource starts, so
// apply fails at once instead of starting a server that cannot bind (and
// a ready_when that another process would satisfy). It says nothing when
// the runner cannot tell.
func portTaken(r runtimes.Runner, rw *state.ReadyWhen, addr string) error {
	po, ok := r.(portOwner)
	hp := readyAddr(rw)
	if !ok || hp == "" {
		return nil
	}
	held, _, who, err := po.PortOwner(hp, runtimes.Handle{})
	if err != nil || !held {
		return nil
	}
	return fmt.Errorf("%s is already held by %s, not by %s; stop that process or choose another port, then apply again", hp, who, addr)
}

// owned checks that the listener answering ready_when is the resource's
// own: a port held by another process does not make it ready. A listener
// that cannot be found at all (a remote host, a name that resolved
// elsewhere) is not held against it.
func owned(r runtimes.Runner, h runtimes.Handle, rw *state.ReadyWhen) error {
	po, ok := r.(portOwner)
	hp := readyAddr(rw)
	if !ok || hp == "" || h.PID == 0 {
		return nil
	}
	held, ours, who, err := po.PortOwner(hp, h)
	if err != nil || !held || ours {
		return nil
	}
	return fmt.Errorf("%s answers, but it is held by %s, not by this resource's process group", hp, who)
}

// waitReady polls the probe of rw every pollInterval until it succeeds, the
// timeout passes, ctx is done, or the resource stops running. With no
// ready_when it only checks, once, that the resource is still running.
// The probe counts only while the resource runs and, where the runner can
// tell, only when the listener is in the resource's own process group.
func waitReady(ctx context.Context, r runtimes.Runner, h runtimes.Handle, rw *state.ReadyWhen) error {
	alive := func() error {
		st, err := r.Status(ctx, h)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("checking that it runs: %w", err)
		}
		if st != runtimes.StatusRunning {
			return fmt.Errorf("%w right after starting%s", errExited, exitDetail(r, h, st))
		}
		return nil
	}
	if rw == nil || (rw.TCP == "" && rw.HTTP == "") {
		return alive()
	}
	p, what := newProbe(rw)
	timeout := rw.Timeout
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		last = p(pctx)
		cancel()
		// Something answering is not enough: the resource itself must
		// still run (another process may hold the port).
		err := alive()
		if last == nil && err == nil {
			if last = owned(r, h, rw); last == nil {
				return nil
			}
		}
		if err != nil {
			if errors.Is(err, errExited) {
				return fmt.Errorf("%w before it was ready (%s)%s", errExited, what, exitDetail(r, h, runtimes.StatusExited))
			}
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-deadline.C:
			return fmt.Errorf("not ready after %s: %s: %v; check the address in ready_when, or raise its timeout", timeout, what, last)
		case <-tick.C:
		}
	}
}

// exitDetail says how a process ended when the runner knows (it started
// it in this run), else which status it has.
func exitDetail(r runtimes.Runner, h runtimes.Handle, st runtimes.Status) string {
	if er, ok := r.(runtimes.ExitReporter); ok {
		// The reaper may lag the status check by a moment.
		for range 10 {
			if e, ok := er.Exit(h); ok {
				if e.Code >= 0 {
					return fmt.Sprintf(" with status %d", e.Code)
				}
				if e.Err != nil {
					return fmt.Sprintf(" (%v)", e.Err)
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if st == runtimes.StatusExited {
		return ""
	}
	return fmt.Sprintf(" (status %s)", st)
}

// tailLines is how many log lines a failure shows.
const tailLines = 20

// LastLogLines returns up to n last lines of the log file at path (nil
// when it cannot be read), reading only its end.
func LastLogLines(path string, n int) []string { return lastLines(path, n) }

// lastLines returns up to n last lines of the file at path (nil when it
// cannot be read). Only the end of the file is read, however large it is.
func lastLines(path string, n int) []string {
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	const window = 64 << 10
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	off := max(fi.Size()-window, 0)
	buf := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	lines := runtimes.TailLines(buf, n+1)
	if off > 0 && len(lines) > n {
		lines = lines[1:] // the first one is probably cut
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
