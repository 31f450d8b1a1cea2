//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// The exported manifests and Compose file run on real engines, and the
// same static Go client proves in each the trust a local apply gives:
// in a scratch image and in one that ships its own bundle, append and
// override reach a server signed by our CA and none does not; the image's
// own root stays trusted in append and is gone in override.

// exportCase is one container of the export projects and what its client
// must report.
type exportCase struct {
	name string
	ok   bool
	// bundle, when set, is the BUNDLE line the client must print about the
	// image's own bundle file.
	bundle string
}

// exportProject writes a configuration of eight containers and returns it
// with the expected result of each. ours is signed by the CA the
// configuration trusts; imageOnly by the root only the second image's own
// bundle holds. coverBundles=false configures no image bundle paths for the
// image that has one, for podman 4.3's kube play, which ignores subPath and
// so cannot put a file over a file (podman 4.4 added it).
func exportProject(t *testing.T, engine string, env []string, coverBundles bool) (*project, []exportCase, *testutil.TLSServer, *testutil.TLSServer) {
	client, err := os.ReadFile(goClientBinary(t))
	must(t, err)
	ours := startServer(t, "trustform e2e export")
	imageRoot := testutil.NewCA(t, unrelatedCN)
	imageOnly := imageRoot.Serve(t, greeting, false)
	bare := importImageInto(t, engine, env, map[string][]byte{"/client": client})
	debianish := importImageInto(t, engine, env, map[string][]byte{
		"/client":                            client,
		"/etc/ssl/certs/ca-certificates.crt": imageRoot.PEM,
	})

	p := newProject(t, map[string]string{"ca.pem": string(ours.CA.PEM)})
	p.setenv(env...)
	hcl := `trustform {
  developer_certificate_trust = false
  container_runtime           = "` + engine + `"
}

certificate_authority_collection "e2e" {
  files = ["ca.pem"]
}
`
	var cases []exportCase
	add := func(name, image, scope, url string, ok bool, extra ...string) {
		args := []string{url}
		c := exportCase{name: name, ok: ok}
		if image == debianish {
			// The client first says whether the image's bundle file still
			// holds the image's root: append leaves it, override covers it.
			args = []string{"-bundle", "/etc/ssl/certs/ca-certificates.crt", "-unrelated", unrelatedCN, url}
			c.bundle = "BUNDLE unrelated present"
			if scope == "override" && coverBundles {
				c.bundle = "BUNDLE unrelated absent"
			}
			// system keeps the image's root in that file (merged with ours
			// at export time), as apply does at start.
		}
		lines := append([]string{"image = " + strconv.Quote(image), `entrypoint = "/client"`, `network = "host"`,
			"args = " + hclList(args...), trusts("e2e")}, extra...)
		hcl += resourceBlock("container", name, scope, lines...)
		cases = append(cases, c)
	}
	var noCover []string
	if !coverBundles {
		noCover = []string{"container_certificate_paths {\n    default_certificate_bundle_paths = []\n  }"}
	}
	add("bare_append", bare, "append", ours.URL, true)
	add("bare_override", bare, "override", ours.URL, true)
	add("bare_none", bare, "none", ours.URL, false)
	add("image_append", debianish, "append", ours.URL, true)
	add("image_append_own", debianish, "append", imageOnly.URL, true)
	add("image_override", debianish, "override", ours.URL, true, noCover...)
	add("image_override_own", debianish, "override", imageOnly.URL, false, noCover...)
	add("image_none", debianish, "none", ours.URL, false)
	if coverBundles {
		add("image_system", debianish, "system", ours.URL, true)
	}
	p.Write("main.trust.hcl", hcl)
	return p, cases, ours, imageOnly
}

// exportRun runs trustform export and returns stdout and stderr apart.
func (p *project) exportRun(args ...string) (string, string) {
	p.t.Helper()
	bin := needTrustform(p.t)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-chdir=" + p.Dir, "export"}, args...)...)
	cmd.Env = p.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("trustform export %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

// checkCases waits for every client's RESULT line through logs and checks
// it; ok clients must have been answered by a server.
func checkCases(t *testing.T, cases []exportCase, logs func(name string) string) {
	t.Helper()
	for _, c := range cases {
		res := waitResult(t, c.name, logs)
		t.Logf("%s: RESULT %s", c.name, res)
		if c.bundle != "" {
			if out := logs(c.name); !strings.Contains(out, c.bundle) {
				t.Errorf("%s: want %q in its output:\n%s", c.name, c.bundle, out)
			} else {
				t.Logf("%s: %s", c.name, c.bundle)
			}
		}
		switch {
		case c.ok && !strings.HasPrefix(res, "ok"):
			t.Errorf("%s: want success, got RESULT %s", c.name, res)
		case !c.ok && !strings.HasPrefix(res, "fail"):
			t.Errorf("%s: want a certificate error, got RESULT %s", c.name, res)
		case !c.ok && !containsAny(res, goCertErrors):
			t.Errorf("%s: failed, but not with a certificate error: RESULT %s", c.name, res)
		}
	}
}

func waitResult(t *testing.T, name string, logs func(string) string) string {
	t.Helper()
	deadline := time.Now().Add(resultTimeout)
	for {
		text := logs(name)
		for _, line := range strings.Split(text, "\n") {
			if i := strings.Index(line, "RESULT "); i >= 0 {
				return strings.TrimSpace(line[i+len("RESULT "):])
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no RESULT line after %v; output:\n%s", name, resultTimeout, text)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

var configMapName = regexp.MustCompile(`(?m)^  name: ((?:trust-[a-z0-9-]+|bundles-[0-9a-f]{12}))$`)

// TestExportKubePlay plays the exported manifests with podman kube play.
func TestExportKubePlay(t *testing.T) {
	start(t)
	env := needPodman(t)
	p, cases, ours, imageOnly := exportProject(t, "podman", env, false)
	stream, warnings := p.exportRun("-format=kubernetes", "-out=-")
	if warnings != "" {
		t.Errorf("unexpected warnings:\n%s", warnings)
	}
	manifest := filepath.Join(p.Dir, "k8s.yaml")
	writeFile(t, manifest, []byte(stream))
	t.Cleanup(func() {
		if out, err := tryTool(env, p.Dir, "podman", "kube", "down", manifest); err != nil {
			t.Errorf("podman kube down: %v\n%s", err, out)
		}
		// kube down leaves the volumes podman made of the ConfigMaps.
		for _, m := range configMapName.FindAllStringSubmatch(stream, -1) {
			tryTool(env, p.Dir, "podman", "volume", "rm", "-f", m[1])
		}
	})
	out := runTool(t, env, p.Dir, "podman", "kube", "play", manifest)
	t.Logf("podman kube play:\n%s", out)
	checkCases(t, cases, func(name string) string {
		dns := strings.ReplaceAll(name, "_", "-")
		out, _ := tryTool(env, p.Dir, "podman", "logs", dns+"-pod-0-"+dns)
		return out
	})
	wantHits(t, ours, 4)
	wantHits(t, imageOnly, 1)
}

// TestExportComposePodman runs the Compose file with docker-compose against
// podman's Docker-compatible API.
func TestExportComposePodman(t *testing.T) {
	start(t)
	needTool(t, "docker-compose", "apt-get install -y docker-compose")
	env := needPodman(t)
	host := podmanService(t, env)
	exportCompose(t, "podman", append(env, "DOCKER_HOST="+host))
}

// TestExportComposeDocker runs the Compose file on a real Docker Engine.
func TestExportComposeDocker(t *testing.T) {
	start(t)
	needTool(t, "docker-compose", "apt-get install -y docker-compose")
	exportCompose(t, "docker", needDockerd(t))
}

func exportCompose(t *testing.T, engine string, env []string) {
	p, cases, ours, imageOnly := exportProject(t, engine, env, true)
	_, warnings := p.exportRun("-format=compose", "-out=compose")
	if warnings != "" {
		t.Errorf("unexpected warnings:\n%s", warnings)
	}
	dir := filepath.Join(p.Dir, "compose")
	name := fmt.Sprintf("tfe2e%d", time.Now().UnixNano()%1e9)
	compose := func(args ...string) []string {
		return append([]string{"docker-compose", "--no-ansi", "-p", name, "-f", filepath.Join(dir, "compose.yaml")}, args...)
	}
	t.Cleanup(func() {
		if out, err := tryTool(env, dir, compose("down", "--timeout", "2")...); err != nil {
			t.Errorf("docker-compose down: %v\n%s", err, out)
		}
	})
	out := runTool(t, env, dir, compose("up", "-d")...)
	t.Logf("docker-compose up -d (%s):\n%s", engine, out)
	// The engine's own CLI reads the logs: a docker-compose run is a
	// Python start-up per poll, too slow for eight services on two cores.
	checkCases(t, cases, func(svc string) string {
		out, _ := tryTool(env, dir, engine, "logs", name+"_"+strings.ReplaceAll(svc, "_", "-")+"_1")
		return out
	})
	// The system bundle export merged is the image's own followed by ours.
	merged, err := filepath.Glob(filepath.Join(dir, "bundles", "*.pem"))
	if err != nil || len(merged) != 1 {
		t.Fatalf("want one merged bundle in bundles/, got %v %v", merged, err)
	}
	data, err := os.ReadFile(merged[0])
	must(t, err)
	if want := string(imageOnly.CA.PEM) + string(ours.CA.PEM); string(data) != want {
		t.Errorf("%s is not the image's bundle followed by ours:\n%s", merged[0], data)
	}
	wantHits(t, ours, 5)
	wantHits(t, imageOnly, 1)
}
