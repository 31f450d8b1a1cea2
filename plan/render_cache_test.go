package plan

import (
	"path"
	"testing"
	"time"

	"github.com/trustform/trustform/state"
)

// splitRel computes filepath.Rel once per directory; it must show every
// path exactly as relPath does, including the odd ones.
func TestSplitRelMatchesRelPath(t *testing.T) {
	files := []string{
		testDir + "/.trustform/resources/a/cert.pem",
		testDir + "/.trustform/resources/a/certs/1.pem",
		testDir + "/.trustform/resources/a/certs/abcd1234.0",
		testDir + "/.trustform/resources/b/certs/1.pem",
		testDir + "/top.pem",
		testDir + "/..hidden.pem", // relPath keeps it absolute
		testDir + "/sub/..x",
		testDir + "//double/x.pem",
		testDir + "/./dot/x.pem",
		testDir + "/sub/../up.pem",
		testDir + "/sub/",
		testDir + "/sub/.",
		testDir + "/sub/..",
		testDir,
		"/home/dev/other/x.pem",
		testDir + "/../app",
		"/home/app",
		"/home/dev/app2/x",
		"/x.pem",
		"/",
		"relative/x.pem",
		"x.pem",
		"",
	}
	for _, dir := range []string{testDir, testDir + "/", "/", ""} {
		p := &Plan{Dir: dir}
		rc := newRenderCache(dir)
		// Twice: the second pass answers from the cache.
		for pass := 0; pass < 2; pass++ {
			for _, f := range files {
				wantDir, wantBase := path.Split(p.relPath(f))
				gotDir, gotBase := rc.splitRel(f)
				if gotDir != wantDir || gotBase != wantBase {
					t.Errorf("Dir %q, pass %d: splitRel(%q) = %q, %q; relPath gives %q, %q", dir, pass, f, gotDir, gotBase, wantDir, wantBase)
				}
			}
		}
	}
}

// Two certificates that differ in any shown field get their own line,
// even when the cache has seen the other one.
func TestCertLineCacheKeepsDistinctCertificates(t *testing.T) {
	day := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	certs := []state.Certificate{
		{Subject: "CN=A", SHA256: "aaaaaaaaaaaaaaaaaaaa", NotAfter: day},
		{Subject: "CN=A", SHA256: "aaaaaaaaaaaaaaaaaaaa", NotAfter: day.Add(24 * time.Hour)},
		{Subject: "CN=B", SHA256: "aaaaaaaaaaaaaaaaaaaa", NotAfter: day},
		{Subject: "CN=A", SHA256: "bbbbbbbbbbbbbbbbbbbb", NotAfter: day},
		{Subject: "CN=A", NotAfter: day},
		{Subject: "CN=A", SHA256: "aaaaaaaaaaaaaaaaaaaa", NotAfter: day.In(time.FixedZone("X", 3600))},
	}
	rc := newRenderCache(testDir)
	for round := 0; round < 2; round++ {
		// A fresh copy each round: the list cache is by identity, so this
		// goes through the per-certificate cache.
		got := rc.certLines(append([]state.Certificate(nil), certs...))
		for i, c := range certs {
			if want := certLine(c); got[i] != want {
				t.Errorf("round %d: line %d = %s, want %s", round, i, got[i], want)
			}
		}
	}
}
