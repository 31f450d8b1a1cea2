package plan

import (
	"path/filepath"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// Prefetched holds the bundle files trustform's environment names, read
// and parsed in the background while the caller loads the configuration:
// a distribution's bundle is about 150 certificates, several milliseconds
// of parsing that a plan would otherwise spend waiting once it reaches
// its first resource. Build uses a file's result only if it needs that
// file, exactly as it would have read it.
type Prefetched struct {
	done    chan struct{}
	bundles map[string]prefetchedBundle
}

type prefetchedBundle struct {
	ub userBundle
	bf *BundleFile
}

// PrefetchBundles starts reading, with host.ReadFile, every absolute path
// the environment gives a documented trust variable naming a bundle file
// (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, ...), checking certificates against
// now; pass the same host and time to Build.
func PrefetchBundles(host Host, now time.Time) *Prefetched {
	pf := &Prefetched{done: make(chan struct{}), bundles: map[string]prefetchedBundle{}}
	var paths []string
	seen := map[string]bool{}
	for _, tv := range runtimes.TrustVars() {
		path := host.Environ[tv.Name]
		if tv.Class != runtimes.VarFile || path == "" || !filepath.IsAbs(path) || seen[path] {
			continue
		}
		seen[path] = true
		paths = append(paths, path)
	}
	if len(paths) == 0 || host.ReadFile == nil {
		close(pf.done)
		return pf
	}
	go func() {
		defer close(pf.done)
		for _, path := range paths {
			ub, bf := readBundle(host.ReadFile, path, now)
			pf.bundles[path] = prefetchedBundle{ub: ub, bf: bf}
		}
	}()
	return pf
}

// bundle waits for the prefetch and returns what it found for path.
func (pf *Prefetched) bundle(path string) (prefetchedBundle, bool) {
	if pf == nil {
		return prefetchedBundle{}, false
	}
	<-pf.done
	b, ok := pf.bundles[path]
	return b, ok
}
