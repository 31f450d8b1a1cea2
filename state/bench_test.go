package state

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// sharedMaterial returns the relative trust files and the certificate
// summaries of a resource trusting n certificates, as the planner lays them
// out: a bundle, one PEM file per certificate and one subject-hash link per
// certificate.
func sharedMaterial(n int) (rel []File, certs []Certificate) {
	hexOf := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	rel = append(rel, File{Path: "cert.pem", Mode: 0o644, SHA256: hexOf("bundle")})
	for i := range n {
		sum := hexOf(fmt.Sprint("cert", i))
		rel = append(rel, File{Path: "certs/" + sum[:16] + ".pem", Mode: 0o644, SHA256: sum})
		certs = append(certs, Certificate{
			Subject:  fmt.Sprintf("CN=Bench Root CA %d,O=Example Corp,C=US", i),
			Issuer:   fmt.Sprintf("CN=Bench Root CA %d,O=Example Corp,C=US", i),
			SHA256:   sum,
			NotAfter: time.Date(2036, 1, 2, 3, 4, 5, 0, time.UTC),
		})
	}
	for i := range n {
		sum := hexOf(fmt.Sprint("cert", i))
		rel = append(rel, File{Path: fmt.Sprintf("certs/%08x.0", i*7919), Mode: 0o644, Link: sum[:16] + ".pem"})
	}
	return rel, certs
}

// benchState is n resources that all trust the same ncerts certificates
// (1 + 2*ncerts files each), the shape of the performance page's N=1,000
// run.
func benchState(n, ncerts int) *State {
	rel, certs := sharedMaterial(ncerts)
	s := New("bench-lineage", "dev")
	root := "/home/user/project/.trustform"
	for i := range n {
		addr := fmt.Sprintf("process.app%04d", i)
		dir := filepath.Join(root, "trust", addr)
		files := make([]File, len(rel))
		for k, f := range rel {
			f.Path = filepath.Join(dir, f.Path)
			files[k] = f
		}
		s.Upsert(&Resource{
			Address: addr, Type: "process", Name: fmt.Sprintf("app%04d", i),
			Spec: &Spec{
				Kind:       runtimes.Kind("process"),
				Argv:       []string{"/usr/bin/python3", "-m", "http.server", fmt.Sprint(8000 + i)},
				WorkingDir: "/home/user/project",
				Env: map[string]string{
					"SSL_CERT_FILE":       filepath.Join(dir, "cert.pem"),
					"SSL_CERT_DIR":        filepath.Join(dir, "certs"),
					"REQUESTS_CA_BUNDLE":  filepath.Join(dir, "cert.pem"),
					"NODE_EXTRA_CA_CERTS": filepath.Join(dir, "cert.pem"),
				},
				Scope:        runtimes.Scope("override"),
				TrustDir:     dir,
				Files:        files,
				Certificates: certs,
				LogPath:      filepath.Join(root, "logs", addr+".log"),
				StopTimeout:  10 * time.Second,
			},
			Handle:       runtimes.Handle{PID: 100000 + i, StartTime: uint64(1000 + i)},
			Since:        time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			CreatedPaths: []string{dir, filepath.Join(root, "logs", addr+".log")},
		})
	}
	return s
}

// BenchmarkLoad1000 reads the state of 1,000 resources sharing 301 trust
// files and 150 certificates: the part of a no-op plan that grows with
// what apply recorded. It reports the file's size.
func BenchmarkLoad1000(b *testing.B) {
	path := statePath(b)
	if err := benchState(1000, 150).Save(path); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := Load(path)
		if err != nil || len(s.Resources) != 1000 {
			b.Fatalf("Load: %v", err)
		}
	}
	b.ReportMetric(float64(fi.Size())/1e6, "MB-state")
}

// BenchmarkSave1000 writes that state (the end of every apply); each save
// changes one resource so it is really written.
func BenchmarkSave1000(b *testing.B) {
	path := statePath(b)
	s := benchState(1000, 150)
	if err := s.Save(path); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		s.Resources[0].Handle.PID = 1 + i
		s.unsaved = true
		if err := s.Save(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJournalUpsertShared1000 records 1,000 resources sharing 301
// trust files and 150 certificates one line at a time, as apply does,
// then folds the journal into state.json. It reports the journal's mean
// line size.
func BenchmarkJournalUpsertShared1000(b *testing.B) {
	src := benchState(1000, 150)
	var perLine float64
	b.ReportAllocs()
	for b.Loop() {
		path := statePath(b)
		j, err := OpenJournal(path, New("lin", "dev"))
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range src.Resources {
			if err := j.Upsert(r); err != nil {
				b.Fatal(err)
			}
		}
		fi, err := os.Stat(JournalPath(path))
		if err != nil {
			b.Fatal(err)
		}
		perLine = float64(fi.Size()) / float64(len(src.Resources))
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(perLine, "B-journal/line")
}
