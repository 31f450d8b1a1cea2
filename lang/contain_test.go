//go:build unix

package lang

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin loads dir, failing the test if it does not finish in time (a
// FIFO used to hang the read forever).
func loadWithin(t *testing.T, dir string) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		_, diags := Load(dir, testOptions())
		done <- diagText(diags)
	}()
	select {
	case s := <-done:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("Load hangs")
		return ""
	}
}

// Issue 12, defect 6: a files match that is a link to /dev/zero ran out of
// memory, a FIFO hung, a 1 GB file was read whole. Each is now a located
// error, found without reading the file.
func TestFilesAcceptRegularFilesOfBoundedSize(t *testing.T) {
	collection := "certificate_authority_collection \"c\" {\n  files = [\"certs/*.pem\"]\n}\n"
	cases := map[string]func(t *testing.T, certs string) string{
		"link to /dev/zero": func(t *testing.T, certs string) string {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip("no /dev/zero")
			}
			os.Symlink("/dev/zero", filepath.Join(certs, "zero.pem"))
			return "certs/zero.pem is a device, not a regular file"
		},
		"fifo": func(t *testing.T, certs string) string {
			if err := syscall.Mkfifo(filepath.Join(certs, "pipe.pem"), 0o600); err != nil {
				t.Skip(err)
			}
			return "certs/pipe.pem is a named pipe, not a regular file"
		},
		"1 GB file": func(t *testing.T, certs string) string {
			f, err := os.Create(filepath.Join(certs, "huge.pem"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(1 << 30); err != nil { // sparse: costs no disk
				t.Skip(err)
			}
			return "certs/huge.pem is 1.0 GB, more than the 10.0 MB trustform reads from one file"
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.trust.hcl": collection, "certs/ok.pem": makeCA(t, "ok")})
			want := setup(t, filepath.Join(dir, "certs"))
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			got := loadWithin(t, dir)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if !strings.Contains(got, want) || !strings.Contains(got, "main.trust.hcl:2,") {
				t.Fatalf("diagnostics:\n%s\nwant %q at main.trust.hcl:2", got, want)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Fatalf("Load allocated %d MB", grew>>20)
			}
		})
	}
	t.Run("file() of a fifo", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"main.trust.hcl": "locals {\n  x = file(\"pipe\")\n}\n"})
		if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
			t.Skip(err)
		}
		if got := loadWithin(t, dir); !strings.Contains(got, "named pipe, not a regular file") {
			t.Fatalf("diagnostics:\n%s", got)
		}
	})
}

func TestInputsValidated(t *testing.T) {
	long := strings.Repeat("n", 250)
	cases := []struct{ name, src, want string }{
		{"env key with =", `resource "executable" "e" {
  command = "true"
  env = { "PATH=/evil:/usr/bin" = "x" }
}
`, `contains '=', which would set another variable`},
		{"empty env key", `resource "executable" "e" {
  command = "true"
  env = { "" = "x" }
}
`, "cannot be empty"},
		{"env key with newline", `resource "executable" "e" {
  command = "true"
  env = { "A\nB" = "x" }
}
`, "NUL or line break"},
		{"stop_timeout 0s", `resource "executable" "e" {
  command = "true"
  stop_timeout = "0s"
}
`, "stop_timeout must be a positive duration"},
		{"tcp port 99999", `resource "executable" "e" {
  command = "true"
  ready_when {
    tcp = "127.0.0.1:99999"
  }
}
`, "port from 1 to 65535"},
		{"container port 99999", `resource "container" "c" {
  image = "x"
  ports = ["99999:80"]
}
`, `"99999" is not a port from 1 to 65535`},
		{"250-character name", "resource \"executable\" \"" + long + "\" {\n  command = \"true\"\n}\n", "Resource name too long"},
		{"100,000 nested parentheses", "locals {\n  x = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + "\n}\n", "Nesting too deep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"main.trust.hcl": c.src})
			if got := diagText(diags); !strings.Contains(got, c.want) || !strings.Contains(got, "main.trust.hcl:") {
				t.Fatalf("diagnostics:\n%.2000s\nwant %q, located", got, c.want)
			}
		})
	}
	// Mappings docker and podman take still pass.
	for _, m := range []string{"8080:80", "127.0.0.1:8443:443", "80", "[::1]:8080:80/tcp", "127.0.0.1::80", "8000-8010:8000-8010/udp"} {
		if err := checkPortMapping(m); err != nil {
			t.Errorf("checkPortMapping(%q) = %v", m, err)
		}
	}
}
