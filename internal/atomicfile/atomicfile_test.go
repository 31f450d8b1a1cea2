package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestWriteFile(t *testing.T) {
	for name, write := range map[string]func(string, []byte, os.FileMode) error{
		"sync":   WriteFile,
		"nosync": WriteFileNoSync,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if err := write(path, []byte("one"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := write(path, []byte("two"), 0o640); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "two" {
				t.Errorf("content = %q, want %q", got, "two")
			}
			if runtime.GOOS != "windows" {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o640 {
					t.Errorf("mode = %v, want 0640", fi.Mode().Perm())
				}
			}
			if names := listDir(t, dir); len(names) != 1 || names[0] != "state.json" {
				t.Errorf("directory holds %v, want only state.json (no temp files)", names)
			}
		})
	}
}

func TestWriteFileIgnoresUmaskForSecrets(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no unix permissions on windows")
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := WriteFile(path, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteFileMissingDirFailsCleanly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "f")
	err := WriteFile(path, []byte("x"), 0o644)
	if err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap ErrNotExist", err)
	}
}

func TestWriteFileRenameFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	// A non-empty directory at the target makes the final rename fail.
	path := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("x"), 0o644); err == nil {
		t.Fatal("renaming over a non-empty directory succeeded")
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "target" {
		t.Errorf("directory holds %v, want only target", names)
	}
}

func writeTree(files map[string]string) func(string) error {
	return func(tmp string) error {
		for name, content := range files {
			p := filepath.Join(tmp, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestReplaceDirCreates(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "resources")
	final := filepath.Join(parent, "node_app.web")
	if err := ReplaceDir(final, writeTree(map[string]string{"cert.pem": "A", "certs/x.pem": "B"})); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(final, "certs", "x.pem"))
	if err != nil || string(got) != "B" {
		t.Fatalf("certs/x.pem = %q, %v; want B", got, err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(final)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("directory mode = %v, want 0755", fi.Mode().Perm())
		}
	}
	if names := listDir(t, parent); len(names) != 1 || names[0] != "node_app.web" {
		t.Errorf("parent holds %v, want only node_app.web", names)
	}
}

func TestReplaceDirReplacesExisting(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "r")
	if err := ReplaceDir(final, writeTree(map[string]string{"old.pem": "old", "cert.pem": "1"})); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceDir(final, writeTree(map[string]string{"cert.pem": "2"})); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, final); len(names) != 1 || names[0] != "cert.pem" {
		t.Errorf("final holds %v, want only cert.pem (old files gone)", names)
	}
	got, _ := os.ReadFile(filepath.Join(final, "cert.pem"))
	if string(got) != "2" {
		t.Errorf("cert.pem = %q, want 2", got)
	}
	if names := listDir(t, parent); len(names) != 1 {
		t.Errorf("parent holds %v, want only r (no temp or old copies)", names)
	}
}

func TestReplaceDirReplacesFile(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "r")
	if err := os.WriteFile(final, []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceDir(final, writeTree(map[string]string{"cert.pem": "x"})); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(final); err != nil || !fi.IsDir() {
		t.Fatalf("final is not a directory: %v", err)
	}
}

func TestReplaceDirBuildErrorLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "r")
	boom := errors.New("boom")
	err := ReplaceDir(final, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, "partial"), []byte("x"), 0o644); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the build error", err)
	}
	if names := listDir(t, parent); len(names) != 0 {
		t.Errorf("parent holds %v after a failed build, want nothing", names)
	}
}

func TestReplaceDirBuildErrorKeepsExisting(t *testing.T) {
	parent := t.TempDir()
	final := filepath.Join(parent, "r")
	if err := ReplaceDir(final, writeTree(map[string]string{"cert.pem": "keep"})); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceDir(final, func(string) error { return errors.New("boom") }); err == nil {
		t.Fatal("failed build reported success")
	}
	got, err := os.ReadFile(filepath.Join(final, "cert.pem"))
	if err != nil || string(got) != "keep" {
		t.Errorf("cert.pem = %q, %v; want the previous content", got, err)
	}
	if names := listDir(t, parent); len(names) != 1 {
		t.Errorf("parent holds %v, want only r", names)
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".state.json.tmp-123", ".r.tmp-9.old", "keep.json", ".hidden"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".r.tmp-77"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStale(dir); err != nil {
		t.Fatal(err)
	}
	got := listDir(t, dir)
	want := []string{".hidden", "keep.json"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("after RemoveStale: %v, want %v", got, want)
	}
	if err := RemoveStale(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing directory: %v", err)
	}
}

func BenchmarkWriteFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "f")
	data := make([]byte, 4096)
	for b.Loop() {
		if err := WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteFileNoSync(b *testing.B) {
	path := filepath.Join(b.TempDir(), "f")
	data := make([]byte, 4096)
	for b.Loop() {
		if err := WriteFileNoSync(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
