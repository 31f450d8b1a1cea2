package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/lang"
)

// alikeWorkers is 6 executables sharing the corp set, worker3 with its
// own env, in an environment exporting two trust variables.
func alikeWorkers(t *testing.T) *Plan {
	var rs []*lang.Resource
	for i := range 6 {
		mods := []func(*lang.Resource){withCollections("corp"), withEnv("ROLE", "worker")}
		if i == 3 {
			mods = append(mods, withEnv("ROLE", "leader"))
		}
		rs = append(rs, res("executable", fmt.Sprintf("worker%d", i), mods...))
	}
	env := map[string]string{"CURL_CA_BUNDLE": "/etc/corp/bundle.pem", "NODE_EXTRA_CA_CERTS": "/etc/corp/bundle.pem"}
	fh := newFakeHost(t)
	fh.files["/etc/corp/bundle.pem"] = loadCert(t, "user-extra").PEM()
	return mustBuild(t, input(testConfig(t, rs...), fh.host(env)))
}

// TestHumanPlanFoldsAlikeCreates: creates the same but for their address
// show as one block and one line per address; one that differs breaks the
// run and is shown in full; every address stays in the plan.
func TestHumanPlanFoldsAlikeCreates(t *testing.T) {
	p := alikeWorkers(t)
	var out bytes.Buffer
	if err := RenderHuman(&out, p, false); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"  # executable.worker0 will be created\n",
		"  # 2 more resources will be created like executable.worker0 above, the same but for the address and the log_path named after it:\n  + executable.worker1\n  + executable.worker2\n",
		"  # executable.worker3 will be created\n",
		"  # 2 more resources will be created like executable.worker0 above, the same but for the address and the log_path named after it:\n  + executable.worker4\n  + executable.worker5\n",
		`+ "ROLE" = "leader"`,
		`# env: also the 3 trust variables trust_set "corp+merged" lists for each executable`,
		"      + env of each executable = {\n",
		"        # inherited trust variables of each executable:\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("human plan lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "will be created\n"); n != 2 {
		t.Errorf("%d resource blocks, want 2 (worker0 and worker3):\n%s", n, got)
	}
	if n := strings.Count(got, "CURL_CA_BUNDLE = "); n != 1 {
		t.Errorf("the inherited CURL_CA_BUNDLE decision shows %d times, want once (in the set):\n%s", n, got)
	}
}

// TestJSONFullEnvFromSet: each resource's full env, computed from plan
// -json as plan-json.md says (its set's by_type env with its own laid
// over), is the env the planner decided, and the shared variables are not
// repeated in each resource.
func TestJSONFullEnvFromSet(t *testing.T) {
	p := alikeWorkers(t)
	var out bytes.Buffer
	if err := RenderJSON(&out, p, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TrustSets []struct {
			Name   string `json:"name"`
			ByType map[string]struct {
				Env       map[string]string `json:"env"`
				Inherited []InheritedVar    `json:"inherited_trust_variables"`
			} `json:"by_type"`
		} `json:"trust_sets"`
		ResourceChanges []struct {
			Address   string         `json:"address"`
			Type      string         `json:"type"`
			Inherited []InheritedVar `json:"inherited_trust_variables"`
			Change    struct {
				After struct {
					Env      map[string]string `json:"env"`
					TrustSet string            `json:"trust_set"`
				} `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.TrustSets) != 1 || len(doc.TrustSets[0].ByType["executable"].Env) == 0 || len(doc.TrustSets[0].ByType["executable"].Inherited) != 2 {
		t.Fatalf("want one set listing the executables' trust variables and 2 inherited decisions once, got %+v", doc.TrustSets)
	}
	share := doc.TrustSets[0].ByType["executable"]
	for _, rc := range doc.ResourceChanges {
		if len(rc.Change.After.Env) != 1 || len(rc.Inherited) != 0 {
			t.Errorf("%s: after.env %v and inherited %v, want only its own ROLE", rc.Address, rc.Change.After.Env, rc.Inherited)
		}
		full := map[string]string{}
		for k, v := range share.Env {
			full[k] = v
		}
		for k, v := range rc.Change.After.Env {
			full[k] = v
		}
		if diff := cmp.Diff(change(t, p, rc.Address).After.Env, full); diff != "" {
			t.Errorf("%s: full env from the JSON differs from the plan's (-plan +json):\n%s", rc.Address, diff)
		}
	}
}
