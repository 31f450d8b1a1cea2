package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// caAddedPlan is ten running executables sharing the collection corp, to
// which one CA (user-extra) has just been added.
func caAddedPlan(t *testing.T) *Plan {
	t.Helper()
	var rs []*lang.Resource
	for i := range 10 {
		rs = append(rs, res("executable", fmt.Sprintf("svc%02d", i), withCollections("corp"), withArgs("600")))
	}
	cfg := testConfig(t, rs...)
	running := map[string]runtimes.Status{}
	for _, r := range rs {
		r.Attrs.SetStr("command", "sleep")
		running[r.Address] = runtimes.StatusRunning
	}
	applied := stateFrom(t, mustBuild(t, input(cfg, newFakeHost(t).host(nil))), 3)
	corp := cfg.Collections["corp"]
	corp.Certificates = append(append([]*pem.Certificate{}, corp.Certificates...), loadCert(t, "user-extra"))
	in := withState(input(cfg, newFakeHost(t).host(nil)), applied)
	in.Refreshed = running
	return mustBuild(t, in)
}

// Adding one CA to a collection ten resources use shows the certificate
// once, in the set's diff, in every view; each resource names the set in
// one "forces replacement" line.
func TestTrustSetGoldenCAAdded(t *testing.T) {
	p := caAddedPlan(t)
	added := loadCert(t, "user-extra")
	subject := added.X509.Subject.String()

	var human bytes.Buffer
	if err := RenderHuman(&human, p, false); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "ca_added.golden", human.Bytes())
	if n := strings.Count(human.String(), subject); n != 1 {
		t.Errorf("human plan shows the added CA %d times, want once", n)
	}
	if n := strings.Count(human.String(), `trust_set = "corp" (changed) # forces replacement`); n != 10 {
		t.Errorf("%d resources name the changed set as their reason, want 10", n)
	}
	if n := strings.Count(human.String(), "# forces replacement"); n != 10 {
		t.Errorf("%d forces-replacement lines, want one per resource", n)
	}

	var md bytes.Buffer
	if err := RenderMarkdown(&md, p, nil); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "ca_added.md.golden", md.Bytes())
	if n := strings.Count(md.String(), subject); n != 1 {
		t.Errorf("Markdown plan shows the added CA %d times, want once", n)
	}
	if n := strings.Count(md.String(), "<details><summary><code>~ trust_set.corp</code>"); n != 1 {
		t.Errorf("Markdown plan has %d blocks for the set, want one", n)
	}

	var js bytes.Buffer
	if err := RenderJSON(&js, p, nil); err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, js.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	checkGolden(t, "ca_added.json.golden", pretty.Bytes())
	if n := strings.Count(js.String(), added.SHA256); n != 1 {
		t.Errorf("plan JSON holds the added CA's fingerprint %d times, want once", n)
	}
	var doc struct {
		TrustSets []struct {
			Name, Action string
			UsedBy       []string `json:"used_by"`
		} `json:"trust_sets"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.TrustSets) != 1 || doc.TrustSets[0].Name != "corp" || doc.TrustSets[0].Action != SetUpdate || len(doc.TrustSets[0].UsedBy) != 10 {
		t.Errorf("trust_sets = %+v, want one updated set corp used by 10", doc.TrustSets)
	}
}

// A changed sensitive variable is the visible reason of its replacement,
// masked, as Terraform shows it.
func TestSensitiveChangeShown(t *testing.T) {
	mk := func(token string) *lang.Config {
		r := res("executable", "client", withEnv("API_TOKEN", token, "REGION", "eu"), func(r *lang.Resource) {
			r.Attrs.SetStr("command", "/usr/local/bin/client")
			r.SensitiveEnv = []string{"API_TOKEN"}
		})
		return testConfig(t, r)
	}
	st := stateFrom(t, mustBuild(t, input(mk("hunter2"), newFakeHost(t).host(nil))), 1)
	in := withState(input(mk("hunter3"), newFakeHost(t).host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{"executable.client": runtimes.StatusRunning}
	p := mustBuild(t, in)
	if ch := change(t, p, "executable.client"); ch.Action != Replace {
		t.Fatalf("action %s, want replace", ch.Action)
	}
	var human, md bytes.Buffer
	if err := RenderHuman(&human, p, false); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, p, nil); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"human": human.String(), "Markdown": md.String()} {
		if !strings.Contains(out, `"API_TOKEN" = (sensitive value) # forces replacement`) {
			t.Errorf("%s plan does not show the changed secret as the reason:\n%s", name, out)
		}
		if strings.Contains(out, "hunter") || strings.Contains(out, "\x00") {
			t.Errorf("%s plan shows the secret or its tag:\n%s", name, out)
		}
		if strings.Contains(out, "REGION") {
			t.Errorf("%s plan shows an unchanged variable", name)
		}
	}
}
