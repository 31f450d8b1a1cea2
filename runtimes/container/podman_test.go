package container

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
)

// probeProgram prints what the container sees: each path argument's content
// (or where a symlink points), and SSL_CERT_DIR. With -sleep it just waits.
const probeProgram = `package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-sleep" {
		time.Sleep(time.Hour)
	}
	for _, p := range os.Args[1:] {
		if t, err := os.Readlink(p); err == nil {
			fmt.Printf("== %s -> %s\n", p, t)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Printf("== %s ERROR %v\n", p, err)
			continue
		}
		fmt.Printf("== %s\n%s", p, b)
	}
	fmt.Printf("SSL_CERT_DIR=%s\n", os.Getenv("SSL_CERT_DIR"))
}
`

// podmanEnv returns the environment for podman commands. This machine's
// podman needs runc and modest ulimits; a CONTAINERS_CONF the user set wins.
func podmanEnv(t *testing.T) []string {
	env := os.Environ()
	if os.Getenv("CONTAINERS_CONF") != "" {
		return env
	}
	conf := filepath.Join(t.TempDir(), "containers.conf")
	const content = "[engine]\nruntime = \"runc\"\n[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1000:1000\"]\n"
	if err := os.WriteFile(conf, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(env, "CONTAINERS_CONF="+conf)
}

// podmanImage builds the probe program and imports it, with a Debian-style
// bundle and an Alpine-style link to it, as an image; it returns its name.
func podmanImage(t *testing.T, cli CLI) string {
	t.Helper()
	goTool := testutil.NeedTool(t, "go", "install Go from https://go.dev/dl/")
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module probe\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(probeProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(src, "app")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building probe: %v\n%s", err, out)
	}
	app, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"etc/", "etc/ssl/", "etc/ssl/certs/", "tmp/"} {
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755}))
	}
	file := func(name string, mode int64, data []byte) {
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}))
		_, err := tw.Write(data)
		must(t, err)
	}
	file("app", 0o755, app)
	file("etc/ssl/certs/ca-certificates.crt", 0o644, []byte("IMAGE-CA\n"))
	must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "etc/ssl/cert.pem", Linkname: "certs/ca-certificates.crt", Mode: 0o777}))
	must(t, tw.Close())
	tarPath := filepath.Join(src, "image.tar")
	must(t, os.WriteFile(tarPath, buf.Bytes(), 0o644))

	name := fmt.Sprintf("localhost/trustform-test-probe-%d:latest", os.Getpid())
	podman(t, cli, "import", tarPath, name)
	t.Cleanup(func() { _ = cli.Run(context.Background(), Podman, []string{"rmi", "-f", name}, nil, nil, nil) })
	return name
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func podman(t *testing.T, cli CLI, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := cli.Run(context.Background(), Podman, args, nil, &out, &errb); err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func realPodman(t *testing.T) (*Runner, CLI) {
	t.Helper()
	testutil.NeedTool(t, "podman", "apt-get install -y podman runc")
	cli := CLI{Env: podmanEnv(t)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Detect(ctx, cli, Podman); err != nil {
		if testutil.Required() {
			t.Fatalf("podman does not work (TRUSTFORM_E2E=require): %v", err)
		}
		t.Skipf("podman does not work here: %v", err)
	}
	r, err := New(Podman, cli)
	must(t, err)
	return r, cli
}

func waitStatus(t *testing.T, r *Runner, h runtimes.Handle, want runtimes.Status) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := r.Status(context.Background(), h)
		must(t, err)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("status stayed %s, want %s", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPodmanTrustCopyIn(t *testing.T) {
	r, cli := realPodman(t)
	image := podmanImage(t, cli)
	dest := runtimes.DefaultContainerDestination
	for _, merge := range []bool{false, true} {
		t.Run(fmt.Sprintf("merge=%v", merge), func(t *testing.T) {
			name := fmt.Sprintf("trustform-test-%d-%v", os.Getpid(), merge)
			spec := &runtimes.LaunchSpec{
				Address:      "container.probe",
				Lineage:      "lineage-podman-test",
				ConfigSHA256: "feed",
				Env:          map[string]string{"SSL_CERT_DIR": dest + "/certs"},
				Container: &runtimes.ContainerLaunch{
					Engine:     Podman,
					Image:      image,
					Entrypoint: "/app",
					Args: []string{dest + "/cert.pem", dest + "/certs/1234abcd.0",
						"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"},
					Name:             name,
					TrustDir:         trustDir(t),
					Destination:      dest,
					OverwriteBundles: runtimes.DefaultContainerBundlePaths(),
					MergeImage:       merge,
				},
			}
			h, err := r.Start(context.Background(), spec)
			must(t, err)
			t.Cleanup(func() { _ = r.Stop(context.Background(), h, 0) })
			if h.Engine != Podman || h.ContainerID == "" {
				t.Fatalf("handle = %+v", h)
			}
			waitStatus(t, r, h, runtimes.StatusExited)

			var logs bytes.Buffer
			must(t, r.Logs(context.Background(), h, false, &logs))
			bundle := "OURS\n"
			if merge {
				bundle = "IMAGE-CA\nOURS\n"
			}
			want := "== " + dest + "/cert.pem\n" + bundle +
				"== " + dest + "/certs/1234abcd.0 -> aaaa.pem\n" +
				"== " + dest + "/certs/1234abcd.0\nOURS\n" +
				"== /etc/ssl/certs/ca-certificates.crt\n" + bundle +
				"== /etc/ssl/cert.pem\n" + bundle +
				"SSL_CERT_DIR=" + dest + "/certs\n"
			if got := logs.String(); got != want {
				t.Errorf("container saw:\n%s\nwant:\n%s", got, want)
			}

			labels := podman(t, cli, "inspect", "--type", "container", "--format", "{{json .Config.Labels}}", h.ContainerID)
			for _, l := range []string{`"trustform.address":"container.probe"`, `"trustform.lineage":"lineage-podman-test"`, `"trustform.config-sha256":"feed"`} {
				if !strings.Contains(labels, l) {
					t.Errorf("labels %s lack %s", labels, l)
				}
			}

			// Applying again replaces our own container of that name.
			h2, err := r.Start(context.Background(), spec)
			must(t, err)
			t.Cleanup(func() { _ = r.Stop(context.Background(), h2, 0) })
			if h2.ContainerID == h.ContainerID {
				t.Fatal("second Start returned the old container")
			}
			if s, err := r.Status(context.Background(), h); err != nil || s != runtimes.StatusMissing {
				t.Errorf("old container status = %s, %v; want missing", s, err)
			}

			must(t, r.Stop(context.Background(), h2, time.Second))
			if s, err := r.Status(context.Background(), h2); err != nil || s != runtimes.StatusMissing {
				t.Errorf("status after Stop = %s, %v; want missing", s, err)
			}
		})
	}
}

func TestPodmanRunningStopAndForeignName(t *testing.T) {
	r, cli := realPodman(t)
	image := podmanImage(t, cli)
	name := fmt.Sprintf("trustform-test-run-%d", os.Getpid())
	spec := &runtimes.LaunchSpec{
		Address: "container.sleeper", Lineage: "lineage-podman-test",
		Container: &runtimes.ContainerLaunch{Image: image, Entrypoint: "/app", Args: []string{"-sleep"}, Name: name},
	}
	h, err := r.Start(context.Background(), spec)
	must(t, err)
	t.Cleanup(func() { _ = r.Stop(context.Background(), h, 0) })
	waitStatus(t, r, h, runtimes.StatusRunning)
	orphans, err := r.FindOrphans(context.Background(), spec.Lineage)
	must(t, err)
	found := false
	for _, o := range orphans {
		if o.Handle == h && o.Address == spec.Address {
			found = true
		}
	}
	if !found {
		t.Errorf("FindOrphans = %+v, lacks %+v", orphans, h)
	}
	must(t, r.Stop(context.Background(), h, 0))
	if s, err := r.Status(context.Background(), h); err != nil || s != runtimes.StatusMissing {
		t.Fatalf("status after Stop = %s, %v; want missing", s, err)
	}

	// A container of that name that trustform did not create is left alone.
	podman(t, cli, "create", "--name", name, "--entrypoint", "/app", image)
	t.Cleanup(func() { _ = cli.Run(context.Background(), Podman, []string{"rm", "-f", name}, nil, nil, nil) })
	_, err = r.Start(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), "was not created by trustform") {
		t.Fatalf("Start over a foreign container = %v", err)
	}
	id := strings.TrimSpace(podman(t, cli, "inspect", "--type", "container", "--format", "{{.Id}}", name))
	err = r.Stop(context.Background(), runtimes.Handle{ContainerID: id, Engine: Podman}, 0)
	if err == nil || !strings.Contains(err.Error(), "trustform did not create it") {
		t.Fatalf("Stop of a foreign container = %v", err)
	}
	podman(t, cli, "inspect", "--type", "container", "--format", "{{.Id}}", name) // still there

	// A missing image says what to do.
	spec.Container.Image = "localhost/trustform-test-no-such-image:1"
	spec.Container.Name = name + "-noimage"
	_, err = r.Start(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), `image "localhost/trustform-test-no-such-image:1" is not available to podman`) {
		t.Fatalf("Start with a missing image = %v", err)
	}
}

// TestPodmanReadImageFiles reads an image's bundle the way export does:
// symlinks followed, missing paths left out, no container left behind.
func TestPodmanReadImageFiles(t *testing.T) {
	r, cli := realPodman(t)
	image := podmanImage(t, cli)
	got, err := r.ReadImageFiles(context.Background(), image,
		[]string{"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt"})
	must(t, err)
	want := map[string]string{"/etc/ssl/certs/ca-certificates.crt": "IMAGE-CA\n", "/etc/ssl/cert.pem": "IMAGE-CA\n"}
	if len(got) != len(want) {
		t.Errorf("got %d files, want %d: %q", len(got), len(want), got)
	}
	for p, w := range want {
		if string(got[p]) != w {
			t.Errorf("%s: got %q, want %q", p, got[p], w)
		}
	}
	if left := strings.TrimSpace(podman(t, cli, "ps", "-a", "-q", "--filter", "ancestor="+image)); left != "" {
		t.Errorf("the probe container was left behind: %s", left)
	}
	if _, err := r.ReadImageFiles(context.Background(), "localhost/trustform-no-such-image:0", []string{"/etc/ssl/cert.pem"}); err == nil || !strings.Contains(err.Error(), "is not available to podman") {
		t.Errorf("missing image: %v", err)
	}
}
