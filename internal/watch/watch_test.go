package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// patience bounds every wait: it only decides when a test gives up, never
// what it measures.
const patience = 20 * time.Second

func start(t *testing.T, debounce time.Duration, entries ...string) *Watcher {
	t.Helper()
	w, err := New(debounce)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.Watch(entries); err != nil {
		t.Fatal(err)
	}
	return w
}

func next(t *testing.T, w *Watcher) Change {
	t.Helper()
	select {
	case c := <-w.Changes():
		return c
	case err := <-w.Errors():
		t.Fatalf("watcher error: %v", err)
	case <-time.After(patience):
		t.Fatal("no change reported")
	}
	return Change{}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantPaths(t *testing.T, c Change, want ...string) {
	t.Helper()
	if !slices.Equal(c.Paths, want) {
		t.Fatalf("changed paths = %q, want %q", c.Paths, want)
	}
}

// The tests below make an unrelated change first and a watched one last:
// events arrive in order, so an unrelated path reported at all shows up in
// the first Change, and no test needs to wait for "nothing".

func TestWriteToWatchedFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "main.trust.hcl")
	write(t, f, "a")
	w := start(t, 10*time.Millisecond, f)
	write(t, filepath.Join(dir, "other.txt"), "x")
	write(t, f, "b")
	wantPaths(t, next(t, w), f)
}

// TestEditorWriteAndRename is how vim, VS Code and most editors save: a new
// file renamed over the old one, which a watch on the old file would miss.
func TestEditorWriteAndRename(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "server.js")
	write(t, f, "v1")
	w := start(t, 10*time.Millisecond, f)
	tmp := filepath.Join(dir, ".server.js.swp")
	write(t, tmp, "v2")
	if err := os.Rename(tmp, f); err != nil {
		t.Fatal(err)
	}
	wantPaths(t, next(t, w), f)
	// The watch survives the rename: a second save is seen too.
	write(t, tmp, "v3")
	if err := os.Rename(tmp, f); err != nil {
		t.Fatal(err)
	}
	wantPaths(t, next(t, w), f)
}

func TestTouchIsAChange(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "marker")
	write(t, f, "")
	w := start(t, 10*time.Millisecond, f)
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(f, later, later); err != nil {
		t.Fatal(err)
	}
	wantPaths(t, next(t, w), f)
}

func TestGlobSeesNewFile(t *testing.T) {
	dir := t.TempDir()
	w := start(t, 10*time.Millisecond, filepath.Join(dir, "certs", "*.pem"))
	write(t, filepath.Join(dir, "certs", "readme.txt"), "x")
	pem := filepath.Join(dir, "certs", "corp.pem")
	write(t, pem, "x")
	wantPaths(t, next(t, w), pem)
}

// TestFileInMissingDirectory watches a file whose directory does not
// exist yet, and one in a directory created with the file already in it.
func TestFileInMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "later", "deeper", "x.txt")
	w := start(t, 10*time.Millisecond, f)
	// The whole tree appears at once, as with git checkout or mv.
	staging := filepath.Join(t.TempDir(), "later")
	write(t, filepath.Join(staging, "deeper", "x.txt"), "x")
	if err := os.Rename(staging, filepath.Join(dir, "later")); err != nil {
		t.Fatal(err)
	}
	c := next(t, w)
	if !slices.Contains(c.Paths, f) {
		t.Fatalf("changed paths = %q, want %s among them", c.Paths, f)
	}
}

func TestDirectoryEntryCoversTreeButNotStateDir(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "src", "lib", "a.js"), "a")
	w := start(t, 10*time.Millisecond, dir)
	write(t, filepath.Join(dir, StateDirName, "logs", "node_app.web.log"), "log line")
	write(t, filepath.Join(dir, "node_modules", "x", "index.js"), "dep")
	f := filepath.Join(dir, "src", "lib", "a.js")
	write(t, f, "b")
	wantPaths(t, next(t, w), f)

	// A directory created later is watched as well.
	g := filepath.Join(dir, "src", "new", "b.js")
	write(t, g, "b")
	c := next(t, w)
	if !slices.Contains(c.Paths, g) {
		t.Fatalf("changed paths = %q, want %s among them", c.Paths, g)
	}
	write(t, g, "c")
	wantPaths(t, next(t, w), g)
}

// TestBurstIsOneChange checks the debounce: a save touching two files
// back to back is one Change. The interval is far longer than two writes
// take even on a loaded machine.
func TestBurstIsOneChange(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.trust.hcl"), filepath.Join(dir, "b.trust.hcl")
	w := start(t, time.Second, filepath.Join(dir, "*.trust.hcl"))
	write(t, a, "a")
	write(t, b, "b")
	wantPaths(t, next(t, w), a, b)
}

func TestWatchReplacesEntries(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "sub", "b")
	write(t, a, "")
	write(t, b, "")
	w := start(t, 10*time.Millisecond, a)
	if err := w.Watch([]string{b}); err != nil {
		t.Fatal(err)
	}
	write(t, a, "1")
	write(t, b, "1")
	wantPaths(t, next(t, w), b)
}

func TestMatch(t *testing.T) {
	tests := []struct {
		entry, path string
		want        bool
	}{
		{"/p/web/server.js", "/p/web/server.js", true},
		{"/p/web/server.js", "/p/web/server.jsx", false},
		{"/p/web", "/p/web/lib/a.js", true},
		{"/p/web", "/p/webx/a.js", false},
		{"/p/web/*.js", "/p/web/a.js", true},
		{"/p/web/*.js", "/p/web/lib/a.js", false},
		{"/p/*/a.js", "/p/web/a.js", true},
		{"/p", "/p/.trustform/logs/x.log", false},
		{"/p", "/p/node_modules/x/index.js", false},
		{"/p/node_modules/x/index.js", "/p/node_modules/x/index.js", true},
		{"/p/[", "/p/[", true},
		{"/p/x[", "/p/xa", false},
	}
	for _, tt := range tests {
		if got := Match(tt.entry, tt.path); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.entry, tt.path, got, tt.want)
		}
	}
}

func TestAffected(t *testing.T) {
	watches := map[string][]string{
		"node_app.web":        {"/p/web/*.js"},
		"python_app.api":      {"/p/api", "/p/shared.txt"},
		"executable.worker":   nil,
		"executable.w[\"a\"]": {"/p/shared.txt"},
	}
	got := Affected(watches, []string{"/p/shared.txt", "/p/README.md"})
	want := []string{"executable.w[\"a\"]", "python_app.api"}
	if !slices.Equal(got, want) {
		t.Errorf("Affected = %q, want %q", got, want)
	}
	if got := Affected(watches, []string{"/p/web/server.js"}); !slices.Equal(got, []string{"node_app.web"}) {
		t.Errorf("Affected = %q", got)
	}
	if got := Affected(watches, []string{"/p/main.trust.hcl"}); got != nil {
		t.Errorf("Affected = %q, want none", got)
	}
}
