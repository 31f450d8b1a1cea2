package process

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Requests and answers survive the trip, including empty fields, an
// empty environment and bytes JSON would have had to escape.
func TestFrameRoundTrip(t *testing.T) {
	reqs := []supRequest{
		{ID: 1, Path: "/bin/sleep", Argv: []string{"sleep", "60"}, Dir: "/tmp", Env: []string{"A=1", "B=x\x00y\n"}, Log: "/l", Exit: "/e"},
		{ID: 1 << 40, Path: "p", Argv: []string{"p", ""}, Env: nil},
	}
	var buf bytes.Buffer
	for i := range reqs {
		buf.Write(reqs[i].frame())
	}
	msgs := []supMessage{{ID: 7, PID: 42, Start: 99}, {ID: 8, Err: "no such file"}, {Exited: true, PID: 42, Start: 99, Code: 143, At: -5}}
	for i := range msgs {
		buf.Write(msgs[i].frame())
	}
	r := bufio.NewReader(&buf)
	for _, want := range reqs {
		var got supRequest
		if err := got.read(r); err != nil {
			t.Fatal(err)
		}
		if want.Env == nil {
			want.Env = []string{}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("request (-want +got):\n%s", d)
		}
	}
	for _, want := range msgs {
		var got supMessage
		if err := got.read(r); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("message (-want +got):\n%s", d)
		}
	}
	var m supMessage
	if err := m.read(r); err != io.EOF {
		t.Errorf("after the last frame: %v, want EOF", err)
	}
}

// A cut or garbled stream is an error, never a panic or a huge allocation.
func TestFrameRejectsGarbage(t *testing.T) {
	good := (&supRequest{ID: 1, Path: "/p", Argv: []string{"p"}}).frame()
	cases := map[string][]byte{
		"cut":            good[:len(good)-1],
		"huge count":     {0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge field":     {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"wrong kind":     appendFrame(nil, "msg", "1", "/p", "", "", "", "1", "p"),
		"argc too large": appendFrame(nil, "start", "1", "/p", "", "", "", "5", "p"),
		"argc negative":  appendFrame(nil, "start", "1", "/p", "", "", "", "-1"),
	}
	for name, b := range cases {
		var q supRequest
		err := q.read(bufio.NewReader(bytes.NewReader(b)))
		if err == nil || errors.Is(err, io.EOF) {
			t.Errorf("%s: err = %v, want a frame error", name, err)
		}
	}
}

// An exit told before the answer to the start it belongs to is kept, and
// the answer then comes with the process already ended with that exit.
func TestClientTakesExitBeforeAnswer(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &supervisorClient{conn: r, pending: map[uint64]chan supAnswer{}, procs: map[procKey]*supProc{}}
	ch := make(chan supAnswer, 1)
	c.pending[1] = ch
	go c.read()
	at := time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)
	for _, m := range []supMessage{
		{Exited: true, PID: 4242, Start: 77, Code: 3, At: at.UnixNano()},
		{ID: 1, PID: 4242, Start: 77},
	} {
		if _, err := w.Write(m.frame()); err != nil {
			t.Fatal(err)
		}
	}
	var a supAnswer
	select {
	case a = <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no answer")
	}
	if a.p == nil {
		t.Fatalf("answer without a process: %+v", a.m)
	}
	select {
	case <-a.p.done:
	default:
		t.Fatal("the process is not known to have ended")
	}
	if a.p.exit.Code != 3 || !a.p.exit.At.Equal(at) {
		t.Errorf("exit = %+v, want code 3 at %s", a.p.exit, at)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.early) != 0 || len(c.procs) != 0 {
		t.Errorf("left behind: early %v, procs %v", c.early, c.procs)
	}
}
