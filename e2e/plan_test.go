//go:build linux

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPlanMatchesLaunch holds trustform to its promise that the plan shows
// exactly what each resource gets: the environment and argv the running
// processes carry (read from /proc) and the trust files on disk must be
// those `plan -json` printed.
func TestPlanMatchesLaunch(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	needTool(t, "python3", "apt-get install -y python3")
	bin := goClientBinary(t)
	s := startServer(t, "trustform e2e plan")
	p := newProject(t, map[string]string{"ca.pem": string(s.CA.PEM)})
	p.copyTestdata("node/client.js", "client.js")
	p.copyTestdata("python/client.py", "client.py")
	env := "env = " + hclMap(map[string]string{"E2E_URLS": s.URL})
	p.Write("main.trust.hcl", header(false, map[string]string{"e2e": "ca.pem"})+
		resourceBlock("node_app", "append", "", `script = "client.js"`, env, trusts("e2e"))+
		resourceBlock("node_app", "override", "override", `script = "client.js"`, env, trusts("e2e"))+
		resourceBlock("python_app", "system", "", `script = "client.py"`, env, trusts("e2e"))+
		resourceBlock("executable", "go", "", "command = "+strconv.Quote(bin), env, trusts("e2e")))

	out, err := p.run("plan", "-json")
	if err != nil {
		t.Fatalf("trustform plan -json: %v\n%s", err, out)
	}
	type planFile struct {
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
		Link   string `json:"link"`
	}
	var plan struct {
		// Each resource's files are its trust set's, listed once.
		TrustSets []struct {
			Name   string     `json:"name"`
			Files  []planFile `json:"files"`
			ByType map[string]struct {
				Env map[string]string `json:"env"`
			} `json:"by_type"`
		} `json:"trust_sets"`
		ResourceChanges []struct {
			Address string `json:"address"`
			Type    string `json:"type"`
			Change  struct {
				After struct {
					Command  []string          `json:"command"`
					Env      map[string]string `json:"env"`
					TrustSet string            `json:"trust_set"`
					Files    []planFile        `json:"files"`
				} `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan -json is not one JSON document: %v\n%s", err, out)
	}
	if len(plan.ResourceChanges) != 4 {
		t.Fatalf("plan -json has %d resource changes, want 4:\n%s", len(plan.ResourceChanges), out)
	}

	p.apply()
	for _, rc := range plan.ResourceChanges {
		p.expectOK(rc.Address)
		after := rc.Change.After
		for _, set := range plan.TrustSets {
			if after.TrustSet != "" && set.Name == after.TrustSet {
				after.Files = set.Files
				// The full env: the set's variables for the resource's
				// type, with the resource's own laid over them.
				env := map[string]string{}
				for k, v := range set.ByType[rc.Type].Env {
					env[k] = v
				}
				for k, v := range after.Env {
					env[k] = v
				}
				after.Env = env
			}
		}
		got := p.processEnv(rc.Address)
		if len(after.Env) == 0 {
			t.Errorf("%s: plan shows no env", rc.Address)
		}
		for k, v := range after.Env {
			if got[k] != v {
				t.Errorf("%s: plan shows %s=%q, the process has %q", rc.Address, k, v, got[k])
			}
		}
		// A launcher such as a pyenv shim may exec the real interpreter, so
		// argv[0] is compared by base name only.
		if argv := p.processArgv(rc.Address); !sameCommand(argv, after.Command) {
			t.Errorf("%s: plan shows command %q, the process runs %q", rc.Address, after.Command, argv)
		}
		if len(after.Files) == 0 {
			t.Errorf("%s: plan shows no trust files", rc.Address)
		}
		for _, f := range after.Files {
			path := f.Path
			if !filepath.IsAbs(path) {
				path = filepath.Join(p.Dir, path)
			}
			if f.Link != "" {
				if target, err := os.Readlink(path); err != nil || target != f.Link {
					// Copies are allowed where links are not; then the content must match the target's.
					if data, rerr := os.ReadFile(path); rerr != nil {
						t.Errorf("%s: %s: %v", rc.Address, f.Path, rerr)
					} else if want, _ := os.ReadFile(filepath.Join(filepath.Dir(path), f.Link)); string(data) != string(want) {
						t.Errorf("%s: %s is neither a link to nor a copy of %s", rc.Address, f.Path, f.Link)
					}
				}
				continue
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: planned file %s: %v", rc.Address, f.Path, err)
				continue
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
				t.Errorf("%s: %s on disk has sha256 %x, plan showed %s", rc.Address, f.Path, sum, f.SHA256)
			}
		}
	}
	wantHits(t, s, 4)
}

// processArgv returns the argv of the running process of addr.
func (p *project) processArgv(addr string) []string {
	p.t.Helper()
	pid := p.pid(addr)
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if pid == 0 || err != nil {
		p.t.Fatalf("%s: cannot read the command line of pid %d: %v", addr, pid, err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

func sameCommand(a, b []string) bool {
	return len(a) == len(b) && len(a) > 0 && filepath.Base(a[0]) == filepath.Base(b[0]) &&
		strings.Join(a[1:], "\x00") == strings.Join(b[1:], "\x00")
}
