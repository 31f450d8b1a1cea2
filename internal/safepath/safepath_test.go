package safepath

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWalkRefusesLinksAnywhereBelowRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".trustform")
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(root, "resources", "a"), 0o755)
	if err := os.Symlink(outside, filepath.Join(root, "logs")); err != nil {
		t.Fatal(err)
	}
	var le *LinkError
	if err := Dir(root, filepath.Join(root, "logs")); !errors.As(err, &le) || le.Target != outside {
		t.Fatalf("Dir(logs link) = %v", err)
	}
	if err := File(root, filepath.Join(root, "logs", "x.log")); !errors.As(err, &le) {
		t.Fatalf("File(through logs link) = %v", err)
	}
	if err := MkdirAll(root, filepath.Join(root, "logs", "deeper"), 0o755); !errors.As(err, &le) {
		t.Fatalf("MkdirAll(through link) = %v", err)
	}
	if _, err := os.Lstat(filepath.Join(outside, "deeper")); err == nil {
		t.Fatal("MkdirAll created a directory through the link")
	}
	if err := Dir(root, filepath.Join(root, "resources", "a")); err != nil {
		t.Fatal(err)
	}
	if err := File(root, filepath.Join(root, "resources", "a", "missing", "f")); err != nil {
		t.Fatalf("a missing path is fine: %v", err)
	}
	var oe *OutsideError
	if err := File(root, filepath.Join(root, "..", "x")); !errors.As(err, &oe) {
		t.Fatalf("outside: %v", err)
	}
	// A file where a directory belongs.
	os.WriteFile(filepath.Join(root, "resources", "f"), nil, 0o600)
	if err := File(root, filepath.Join(root, "resources", "f", "g")); !errors.As(err, &le) {
		t.Fatalf("through a file: %v", err)
	}
	// Leaf links are the caller's business with Parent.
	os.Symlink("cert.pem", filepath.Join(root, "resources", "a", "hash.0"))
	if err := Parent(root, filepath.Join(root, "resources", "a", "hash.0")); err != nil {
		t.Fatal(err)
	}
}
