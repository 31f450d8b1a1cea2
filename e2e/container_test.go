//go:build linux

package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// Container tests build their images offline: a static Go client as
// /client, imported with `podman import`, so no registry is contacted.

// unrelatedCN names the CA in the second image's own bundle.
const unrelatedCN = "trustform e2e unrelated"

// containersConf keeps podman to what this machine supports (runc, modest
// ulimits) unless the environment already says otherwise.
const containersConf = `[engine]
runtime = "runc"
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
`

// needPodman skips (or fails under require) without a working podman and
// returns the environment podman commands need.
func needPodman(t *testing.T) []string {
	t.Helper()
	podman := needTool(t, "podman", "apt-get install -y podman runc")
	var env []string
	if os.Getenv("CONTAINERS_CONF") == "" {
		conf := filepath.Join(t.TempDir(), "containers.conf")
		writeFile(t, conf, []byte(containersConf))
		env = append(env, "CONTAINERS_CONF="+conf)
	}
	cmd := exec.Command(podman, "info", "--format", "{{.Host.OCIRuntime.Name}}")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		testutil.SkipOrFail(t, "a working podman ("+strings.TrimSpace(string(out))+")", "apt-get install -y podman runc")
	}
	return env
}

// importImage writes a tar holding files (path -> content, mode 0755 for
// /client, 0644 otherwise), imports it under a unique tag and removes the
// image at cleanup.
func importImage(t *testing.T, env []string, files map[string][]byte) string {
	t.Helper()
	return importImageInto(t, "podman", env, files)
}

// importImageInto is importImage for engine (podman or docker).
func importImageInto(t *testing.T, engine string, env []string, files map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for name := range files {
		parts := strings.Split(strings.TrimPrefix(name, "/"), "/")
		for i := 1; i < len(parts); i++ {
			d := strings.Join(parts[:i], "/") + "/"
			if !dirs[d] {
				dirs[d] = true
				must(t, tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir, ModTime: time.Unix(0, 0)}))
			}
		}
	}
	for name, data := range files {
		mode := int64(0o644)
		if name == "/client" {
			mode = 0o755
		}
		must(t, tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(name, "/"), Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}))
		_, err := tw.Write(data)
		must(t, err)
	}
	must(t, tw.Close())
	tarPath := filepath.Join(t.TempDir(), "image.tar")
	writeFile(t, tarPath, buf.Bytes())

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	tag := "localhost/trustform-e2e-" + hex.EncodeToString(suffix) + ":1"
	podman := func(args ...string) ([]byte, error) {
		cmd := exec.Command(engine, args...)
		cmd.Env = append(os.Environ(), env...)
		return cmd.CombinedOutput()
	}
	if out, err := podman("import", tarPath, tag); err != nil {
		t.Fatalf("%s import: %v\n%s", engine, err, out)
	}
	t.Cleanup(func() {
		if out, err := podman("rmi", "-f", tag); err != nil {
			t.Logf("%s rmi %s: %v\n%s", engine, tag, err, out)
		}
	})
	return tag
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// containerResult waits for a container's RESULT line via trustform logs.
func (p *project) containerResult(addr string) string {
	p.t.Helper()
	return p.result(addr, p.logsCommand, 500*time.Millisecond)
}

func TestContainerScopes(t *testing.T) {
	start(t)
	containerScopes(t, "podman", needPodman(t))
}

// TestContainerScopesDocker runs the same proofs through the runner's
// docker path against a real Docker Engine.
func TestContainerScopesDocker(t *testing.T) {
	start(t)
	containerScopes(t, "docker", needDockerd(t))
}

func containerScopes(t *testing.T, engine string, env []string) {
	client, err := os.ReadFile(goClientBinary(t))
	must(t, err)
	s := startServer(t, "trustform e2e container")
	unrelated := testutil.NewCA(t, unrelatedCN)
	bare := importImageInto(t, engine, env, map[string][]byte{"/client": client})
	debianish := importImageInto(t, engine, env, map[string][]byte{
		"/client":                            client,
		"/etc/ssl/certs/ca-certificates.crt": unrelated.PEM,
	})

	p := newProject(t, map[string]string{"ca.pem": string(s.CA.PEM)})
	p.setenv(env...)
	p.engine = engine
	hcl := `trustform {
  developer_certificate_trust = false
  container_runtime           = "` + engine + `"
}
certificate_authority_collection "e2e" {
  files = ["ca.pem"]
}
`
	container := func(name, image, scope string, args ...string) string {
		return resourceBlock("container", name, scope,
			"image = "+strconv.Quote(image), `entrypoint = "/client"`, `network = "host"`,
			"args = "+hclList(args...), trusts("e2e"))
	}
	inspect := []string{"-bundle", "/etc/ssl/certs/ca-certificates.crt", "-unrelated", unrelatedCN, s.URL}
	for _, scope := range []string{"default", "override", "system", "none"} {
		hcl += container("bare_"+scope, bare, scope, s.URL)
	}
	hcl += container("image_override", debianish, "override", inspect...)
	hcl += container("image_system", debianish, "system", inspect...)
	p.Write("main.trust.hcl", hcl)
	p.apply()

	for _, scope := range []string{"default", "override", "system"} {
		addr := "container.bare_" + scope
		p.checkOK(addr, p.containerResult(addr))
	}
	p.checkFail("container.bare_none", p.containerResult("container.bare_none"), goCertErrors)

	// override replaces the image's bundle; system merges it in.
	for addr, want := range map[string]string{
		"container.image_override": "BUNDLE unrelated absent",
		"container.image_system":   "BUNDLE unrelated present",
	} {
		p.checkOK(addr, p.containerResult(addr))
		if out := p.logsCommand(addr); !strings.Contains(out, want) {
			t.Errorf("%s: want %q in its output:\n%s", addr, want, out)
		}
	}
	wantHits(t, s, 5)
	if t.Failed() {
		out, _ := p.run("status")
		t.Logf("trustform status:\n%s", out)
	}
}
