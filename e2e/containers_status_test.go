//go:build linux

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestContainersStatusDestroy applies three containers (append, override,
// none) through podman, reads their results with `trustform logs`, checks
// `trustform status` in text and JSON, and destroys them next to a
// container trustform did not create, which must survive.
func TestContainersStatusDestroy(t *testing.T) {
	start(t)
	env := needPodman(t)
	client, err := os.ReadFile(goClientBinary(t))
	must(t, err)
	s := startServer(t, "trustform e2e container status")
	image := importImage(t, env, map[string][]byte{"/client": client})
	podman := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "podman", args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}

	// Created after the image, so removed before it at cleanup.
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	unrelated := "tf-e2e-unrelated-" + hex.EncodeToString(suffix)
	if out, err := podman("create", "--name", unrelated, "--network", "host", "--entrypoint", "/client", image, s.URL); err != nil {
		t.Fatalf("podman create %s: %v\n%s", unrelated, err, out)
	}
	t.Cleanup(func() {
		if out, err := podman("rm", "-f", unrelated); err != nil {
			t.Errorf("podman rm %s: %v\n%s", unrelated, err, out)
		}
	})

	p := newProject(t, map[string]string{"ca.pem": string(s.CA.PEM)})
	p.setenv(env...)
	p.engine = "podman"
	hcl := `trustform {
  developer_certificate_trust = false
  container_runtime           = "podman"
}

certificate_authority_collection "e2e" {
  files = ["ca.pem"]
}
`
	scopes := []string{"append", "override", "none"}
	for _, scope := range scopes {
		hcl += resourceBlock("container", scope, scope,
			"image = "+strconv.Quote(image), `entrypoint = "/client"`, `network = "host"`,
			"args = "+hclList(s.URL), trusts("e2e"))
	}
	p.Write("main.trust.hcl", hcl)
	p.apply()

	p.checkOK("container.append", p.containerResult("container.append"))
	p.checkOK("container.override", p.containerResult("container.override"))
	p.checkFail("container.none", p.containerResult("container.none"), goCertErrors)
	wantHits(t, s, 2)

	st, err := p.state()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range st.Resources {
		ids[r.Address] = r.Handle.ContainerID
	}
	for _, scope := range scopes {
		addr := "container." + scope
		id := ids[addr]
		if id == "" {
			t.Fatalf("state has no container id for %s: %+v", addr, st.Resources)
		}
		got, err := podman("inspect", "--format", `{{.State.Status}} {{index .Config.Labels "trustform.address"}} {{index .Config.Labels "trustform.lineage"}}`, id)
		if want := "running " + addr + " " + st.Lineage; err != nil || got != want {
			t.Errorf("podman inspect %s (%s): got %q (%v), want %q", addr, id, got, err, want)
		}
	}

	// status, text: one row per container with its short id.
	out, err := p.run("status")
	if err != nil {
		t.Fatalf("trustform status: %v\n%s", err, out)
	}
	for _, scope := range scopes {
		addr := "container." + scope
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(addr) + `\s+running\s+container=([0-9a-f]{12})\s`).FindStringSubmatch(out)
		if row == nil {
			t.Errorf("trustform status: no running row with a container id for %s:\n%s", addr, out)
		} else if !strings.HasPrefix(ids[addr], row[1]) {
			t.Errorf("trustform status: %s shows container %s, state has %s", addr, row[1], ids[addr])
		}
	}

	// status -json: the same, with full ids.
	out, err = p.run("status", "-json")
	if err != nil {
		t.Fatalf("trustform status -json: %v\n%s", err, out)
	}
	var status struct {
		Resources []struct {
			Address     string `json:"address"`
			Status      string `json:"status"`
			ContainerID string `json:"container_id"`
			Engine      string `json:"engine"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("trustform status -json is not JSON: %v\n%s", err, out)
	}
	if len(status.Resources) != len(scopes) {
		t.Errorf("trustform status -json lists %d resources, want %d:\n%s", len(status.Resources), len(scopes), out)
	}
	for _, r := range status.Resources {
		if r.Status != "running" || r.ContainerID == "" || r.ContainerID != ids[r.Address] {
			t.Errorf("trustform status -json: %s: status %q, container_id %q; want running, %q", r.Address, r.Status, r.ContainerID, ids[r.Address])
		}
	}

	// destroy removes the three and nothing else.
	out, err = p.run("destroy", "-auto-approve")
	if err != nil {
		t.Fatalf("trustform destroy: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Resources: 3 destroyed.") {
		t.Errorf("trustform destroy: want %q in its output:\n%s", "Resources: 3 destroyed.", out)
	}
	if left, err := podman("ps", "-a", "-q", "--filter", "label=trustform.lineage="+st.Lineage); err != nil || left != "" {
		t.Errorf("podman ps -a --filter label=trustform.lineage=%s after destroy: %q (%v)", st.Lineage, left, err)
	}
	for addr, id := range ids {
		if got, err := podman("container", "exists", id); err == nil {
			t.Errorf("%s: container %s still exists after destroy %s", addr, id, got)
		}
	}
	if got, err := podman("inspect", "--format", "{{.State.Status}}", unrelated); err != nil || got != "created" {
		t.Errorf("destroy touched the unrelated container %s: status %q (%v), want created", unrelated, got, err)
	}
}
