package logstream

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriterAlignsAndColours(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b, []string{"python_app.api", "node_app.web"}, false)
	w.Line("node_app.web", "GET / -> 200")
	w.Lifecyclef("python_app.api", "started (pid %d)", 4211)
	want := "node_app.web   | GET / -> 200\npython_app.api | started (pid 4211)\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}

	b.Reset()
	w = NewWriter(&b, []string{"a.x", "b.y"}, true)
	w.Line("a.x", "one")
	w.Line("b.y", "two")
	got := b.String()
	if !strings.Contains(got, "\x1b[36ma.x |\x1b[0m one\n") || !strings.Contains(got, "\x1b[33mb.y |\x1b[0m two\n") {
		t.Fatalf("each address should get its own colour: %q", got)
	}
}

func TestWriterControlCharacters(t *testing.T) {
	var b strings.Builder
	NewWriter(&b, []string{"a.x"}, false).Line("a.x", "\x1b[31mred\x1b[0m and \x1b[2Jclear\r")
	if got, want := b.String(), "a.x | red and \\x1b[2Jclear\n"; got != want {
		t.Fatalf("without colour SGR goes and other controls are escaped: got %q want %q", got, want)
	}
	b.Reset()
	NewWriter(&b, []string{"a.x"}, true).Line("a.x", "\x1b[31mred")
	if got := b.String(); !strings.HasSuffix(got, " \x1b[31mred\x1b[0m\n") {
		t.Fatalf("with colour SGR stays and is reset at the end: %q", got)
	}
}

func TestFollowerLinesAcrossWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	fl, err := OpenFollower(path, -1, func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("hel")
	fl.Drain()
	f.WriteString("lo\nworld\npart")
	fl.Drain()
	f.Close()
	// Truncation starts again from the top.
	os.WriteFile(path, []byte("new\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { fl.Run(ctx, time.Millisecond); close(done) }()
	for {
		mu.Lock()
		n := len(lines)
		mu.Unlock()
		if n >= 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	got := strings.Join(lines, "|")
	if got != "hello|world|new" {
		t.Fatalf("lines = %q", got)
	}
}

func TestLineWriter(t *testing.T) {
	var lines []string
	lw := NewLineWriter(func(l string) { lines = append(lines, l) })
	lw.Write([]byte("a\nb"))
	lw.Write([]byte("c\n"))
	lw.Write([]byte("tail"))
	lw.Flush()
	if got := strings.Join(lines, "|"); got != "a|bc|tail" {
		t.Fatalf("lines = %q", got)
	}
}
