package plan

import (
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A plan built with bundles read ahead is the plan built without, and
// each file is read once: by the prefetch when the environment names it,
// by Build when only a resource's env does.
func TestPrefetchedBundlesGiveTheSamePlan(t *testing.T) {
	fh := newFakeHost(t)
	user := loadCert(t, "user-extra")
	fh.files["/etc/ssl/certs/ca-certificates.crt"] = user.PEM()
	fh.files[testDir+"/mine.pem"] = user.PEM()
	environ := map[string]string{
		"SSL_CERT_FILE":      "/etc/ssl/certs/ca-certificates.crt",
		"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
		"CURL_CA_BUNDLE":     "/etc/ssl/certs/ca-certificates.crt",
	}
	cfg := func() *Input {
		return input(testConfig(t,
			res("executable", "a", withCollections("corp")),
			res("python_app", "api", withCollections("corp"), withEnv("REQUESTS_CA_BUNDLE", "mine.pem")),
		), fh.host(environ))
	}

	want := mustBuild(t, cfg())

	in := cfg()
	var reads atomic.Int32
	read := in.Host.ReadFile
	in.Host.ReadFile = func(path string) ([]byte, error) {
		reads.Add(1)
		return read(path)
	}
	in.Prefetched = PrefetchBundles(in.Host, in.Now)
	got := mustBuild(t, in)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan with prefetched bundles differs (-without +with):\n%s", diff)
	}
	// The system bundle once (prefetched), mine.pem once (relative, so
	// read by Build).
	if n := reads.Load(); n != 2 {
		t.Errorf("%d reads, want 2", n)
	}
	if len(got.Bundles) == 0 {
		t.Error("no bundle recorded")
	}

	// Nothing to read: the prefetch is done at once.
	pf := PrefetchBundles(fh.host(map[string]string{"SSL_CERT_FILE": "relative.pem"}), testNow)
	if _, ok := pf.bundle("relative.pem"); ok {
		t.Error("a relative path was prefetched")
	}
}
