package plan

import (
	"bytes"
	"encoding/json"
	"path"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// RenderJSON writes the resource changes into the document one at a time;
// the result must be the document encoded whole, also when strings hold
// the text it looks for.
func TestRenderJSONStreamsTheWholeDocument(t *testing.T) {
	marker := `"resource_changes":[]`
	for _, sc := range goldenScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			in := sc.in(t)
			for _, r := range in.Config.Resources {
				withEnv("MARKER", marker)(r)
			}
			p := mustBuild(t, in)
			p.Targets = []string{marker}
			var got bytes.Buffer
			if err := RenderJSON(&got, p, nil); err != nil {
				t.Fatal(err)
			}

			if !json.Valid(got.Bytes()) {
				t.Fatalf("output is not JSON:\n%s", got.Bytes())
			}
			rc := newRenderCache(p.Dir)
			rc.sets = true
			rc.shares = setShares(p, hasAfter)
			var changes []jsonResourceChange
			for _, ch := range p.Changes {
				changes = append(changes, rc.jsonResourceChange(ch))
			}
			want := jsonPlanWith(t, p, changes)
			if diff := cmp.Diff(want, got.String()); diff != "" {
				t.Errorf("streamed document differs from the whole one (-whole +streamed):\n%s", diff)
			}
			if !bytes.Contains(got.Bytes(), []byte(`\"resource_changes\":[]`)) {
				t.Error("the marker in the strings did not reach the output")
			}
		})
	}
}

// jsonPlanWith encodes the plan document with its resource changes in one
// Encode call, as RenderJSON once did.
func jsonPlanWith(t *testing.T, p *Plan, changes []jsonResourceChange) string {
	t.Helper()
	// The skeleton without changes, then the changes set in place.
	var skel bytes.Buffer
	if err := RenderJSON(&skel, &Plan{TrustformVersion: p.TrustformVersion, Destroy: p.Destroy, Targets: p.Targets,
		Drift: p.Drift, Outputs: p.Outputs, Devcert: p.Devcert, TrustSets: p.TrustSets, Dir: p.Dir}, nil); err != nil {
		t.Fatal(err)
	}
	var doc jsonPlan
	if err := json.Unmarshal(skel.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	doc.ResourceChanges = changes
	doc.Summary = p.Summary()
	doc.TrustSets = jsonTrustSets(p, setShares(p, hasAfter))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
