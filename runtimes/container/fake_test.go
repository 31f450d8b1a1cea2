package container

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/internal/testutil"
	"github.com/trustform/trustform/runtimes"
)

// fakeEngine is a shell script standing in for docker or podman. It appends
// each command line to argv.log and answers from files under its directory:
// image/PATH is the image's file system, containers/REF holds what inspect
// prints, and ERRFILE files (info.err, create.err, cp.err) make a command
// fail once with their content on stderr; ENGINE-info.err makes info fail.
const fakeEngine = `#!/bin/sh
d="$FAKE_DIR"
engine=$(basename "$0")
{ printf '%s' "$engine"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$d/argv.log"
for last in "$@"; do :; done
nofile() {
	if [ "$engine" = docker ]; then
		echo "Error response from daemon: Could not find the file $1 in container $2" >&2
	else
		echo "Error: \"$1\" could not be found on container $2: no such file or directory" >&2
	fi
	exit 1
}
nocontainer() {
	if [ "$engine" = docker ]; then
		echo "Error: No such container: $1" >&2
	else
		echo "Error: inspecting object: no such container $1" >&2
	fi
	exit 125
}
failonce() {
	if [ -f "$d/$1.err" ]; then
		cat "$d/$1.err" >&2
		rm -f "$d/$1.err"
		exit 125
	fi
}
cmd=$1
shift
case "$cmd" in
info)
	if [ -f "$d/$engine-info.err" ]; then cat "$d/$engine-info.err" >&2; exit 1; fi
	echo "fake $engine";;
create)
	failonce create
	echo "Trying to pull nothing" >&2
	echo "0123456789abcdef";;
cp)
	follow=
	if [ "$1" = -L ]; then follow=-h; shift; fi
	if [ "$1" = - ]; then
		failonce cp
		cat > "$d/cp-in.tar"
		exit 0
	fi
	id=${1%%:*}
	p=${1#*:}
	f="$d/image$p"
	if [ -n "$follow" ] && [ ! -e "$f" ]; then nofile "$p" "$id"; fi
	if [ -e "$f" ] || [ -L "$f" ]; then
		exec tar $follow -C "$(dirname "$f")" -cf - "$(basename "$f")"
	fi
	nofile "$p" "$id";;
inspect)
	if [ -f "$d/containers/$last" ]; then cat "$d/containers/$last"; else nocontainer "$last"; fi;;
start)
	echo "$1";;
stop)
	if [ ! -f "$d/containers/$last" ]; then nocontainer "$last"; fi
	echo "$last";;
rm)
	for c in "$d"/containers/*; do
		case "$(cat "$c")" in "$last "*) rm -f "$c";; esac
	done
	echo "$last";;
ps)
	if [ -f "$d/ps.out" ]; then cat "$d/ps.out"; fi;;
logs)
	if [ ! -f "$d/containers/$last" ]; then nocontainer "$last"; fi
	echo "out of $last"
	echo "err of $last" >&2;;
*)
	echo "fake: unknown command $cmd" >&2
	exit 2;;
esac
`

const fakeID = "0123456789abcdef"

type fake struct {
	t      *testing.T
	dir    string
	engine string
	r      *Runner
}

func newFake(t *testing.T, engine string) *fake {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake engine is a shell script")
	}
	testutil.NeedTool(t, "tar", "apt-get install -y tar")
	dir := t.TempDir()
	for _, name := range []string{Docker, Podman} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fakeEngine), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"image", "containers"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r, err := New(engine, fakeCLI(dir))
	if err != nil {
		t.Fatal(err)
	}
	return &fake{t: t, dir: dir, engine: engine, r: r}
}

func fakeCLI(dir string) CLI {
	return CLI{
		Env:      append(os.Environ(), "FAKE_DIR="+dir),
		Programs: map[string]string{Docker: filepath.Join(dir, Docker), Podman: filepath.Join(dir, Podman)},
	}
}

// write creates a file under the fake's directory.
func (f *fake) write(rel, content string) {
	f.t.Helper()
	p := filepath.Join(f.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fake) symlink(target, rel string) {
	f.t.Helper()
	p := filepath.Join(f.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		f.t.Fatal(err)
	}
}

// argv returns the logged command lines and clears the log.
func (f *fake) argv() []string {
	f.t.Helper()
	p := filepath.Join(f.dir, "argv.log")
	b, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		f.t.Fatal(err)
	}
	_ = os.Remove(p)
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// container records what inspect prints for ref.
func (f *fake) container(ref, id, status string, labels map[string]string) {
	f.t.Helper()
	lab := "null"
	if labels != nil {
		var parts []string
		for k, v := range labels {
			parts = append(parts, fmt.Sprintf("%q:%q", k, v))
		}
		sort.Strings(parts)
		lab = "{" + strings.Join(parts, ",") + "}"
	}
	line := fmt.Sprintf("%s %s %s\n", id, status, lab)
	f.write("containers/"+ref, line)
	f.write("containers/"+id, line)
}

// tarEntry is what the test checks of one entry of the copied tar.
type tarEntry struct {
	Type byte
	Mode int64
	Link string
	Data string
}

func (f *fake) copiedTar() map[string]tarEntry {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "cp-in.tar"))
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]tarEntry{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			f.t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			f.t.Fatal(err)
		}
		if _, dup := out[h.Name]; dup {
			f.t.Errorf("tar holds %s twice", h.Name)
		}
		out[h.Name] = tarEntry{Type: h.Typeflag, Mode: h.Mode, Link: h.Linkname, Data: string(data)}
	}
}

// trustDir writes a resource's trust material as plan/apply lay it out.
func trustDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), []byte("OURS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "certs", "aaaa.pem"), []byte("OURS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("aaaa.pem", filepath.Join(dir, "certs", "1234abcd.0")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func webSpec(trust string) *runtimes.LaunchSpec {
	return &runtimes.LaunchSpec{
		Address:      "container.web",
		Lineage:      "lin-1",
		ConfigSHA256: "c0ffee",
		WorkingDir:   "/work/project",
		Env:          map[string]string{"SSL_CERT_DIR": "/usr/lib/ssl/trustform/certs", "A": "1"},
		Container: &runtimes.ContainerLaunch{
			Image:            "example/web:1",
			Entrypoint:       "/app",
			Args:             []string{"serve", "--port=443"},
			Ports:            []string{"8443:443"},
			Network:          "host",
			Volumes:          []string{"./data:/data:ro", "named:/cache"},
			RuntimeArgs:      []string{"--read-only"},
			Name:             "tf-web",
			TrustDir:         trust,
			Destination:      "/usr/lib/ssl/trustform",
			OverwriteBundles: runtimes.DefaultContainerBundlePaths(),
		},
	}
}

func wantCreate(engine string) string {
	return engine + " create --name tf-web" +
		" --label trustform.address=container.web --label trustform.lineage=lin-1 --label trustform.config-sha256=c0ffee" +
		" -e A=1 -e SSL_CERT_DIR=/usr/lib/ssl/trustform/certs" +
		" --entrypoint /app -p 8443:443 --network host -v /work/project/data:/data:ro -v named:/cache" +
		" --read-only example/web:1 serve --port=443"
}

func TestStartCopiesTrustAndOverwritesBundles(t *testing.T) {
	for _, engine := range []string{Docker, Podman} {
		for _, merge := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/merge=%v", engine, merge), func(t *testing.T) {
				f := newFake(t, engine)
				// The image has the Debian bundle, and /etc/ssl/cert.pem
				// links to it as on Alpine.
				f.write("image/etc/ssl/certs/ca-certificates.crt", "IMAGE")
				f.symlink("certs/ca-certificates.crt", "image/etc/ssl/cert.pem")
				f.symlink("/nowhere", "image/etc/ssl/ca-bundle.pem") // dangling: absent
				if err := os.MkdirAll(filepath.Join(f.dir, "image/etc/pki/tls/cacert.pem"), 0o755); err != nil {
					t.Fatal(err) // a directory where a bundle might be: absent
				}
				spec := webSpec(trustDir(t))
				spec.Container.MergeImage = merge

				h, err := f.r.Start(context.Background(), spec)
				if err != nil {
					t.Fatal(err)
				}
				if want := (runtimes.Handle{ContainerID: fakeID, Engine: engine}); h != want {
					t.Errorf("handle = %+v, want %+v", h, want)
				}

				follow := ""
				if engine == Docker {
					follow = " -L"
				}
				cp := func(p string) string { return engine + " cp" + follow + " " + fakeID + ":" + p + " -" }
				want := []string{wantCreate(engine)}
				for _, p := range runtimes.DefaultContainerBundlePaths() {
					want = append(want, cp(p))
					if p == "/etc/ssl/cert.pem" && engine == Podman {
						// The fake podman, unlike docker -L, hands back
						// the link; the runner follows it itself.
						want = append(want, cp("/etc/ssl/certs/ca-certificates.crt"))
					}
					if p == "/etc/ssl/ca-bundle.pem" && engine == Podman {
						want = append(want, cp("/nowhere"))
					}
				}
				want = append(want, engine+" cp - "+fakeID+":/", engine+" start "+fakeID)
				if diff := cmp.Diff(want, f.argv()); diff != "" {
					t.Errorf("commands (-want +got):\n%s", diff)
				}

				bundle := "OURS\n"
				if merge {
					bundle = "IMAGE\nOURS\n"
				}
				wantTar := map[string]tarEntry{
					"usr/lib/ssl/trustform/": {Type: tar.TypeDir, Mode: 0o755},
					// System scope (merge): SSL_CERT_FILE names this file, so
					// it keeps the image's roots too.
					"usr/lib/ssl/trustform/cert.pem":         {Type: tar.TypeReg, Mode: 0o644, Data: bundle},
					"usr/lib/ssl/trustform/certs/":           {Type: tar.TypeDir, Mode: 0o755},
					"usr/lib/ssl/trustform/certs/aaaa.pem":   {Type: tar.TypeReg, Mode: 0o644, Data: "OURS\n"},
					"usr/lib/ssl/trustform/certs/1234abcd.0": {Type: tar.TypeSymlink, Mode: 0o777, Link: "aaaa.pem"},
					"etc/ssl/certs/ca-certificates.crt":      {Type: tar.TypeReg, Mode: 0o644, Data: bundle},
					"etc/ssl/cert.pem":                       {Type: tar.TypeReg, Mode: 0o644, Data: bundle},
				}
				if diff := cmp.Diff(wantTar, f.copiedTar()); diff != "" {
					t.Errorf("copied tar (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestStartAppendScopeCopiesOnlyMaterial(t *testing.T) {
	f := newFake(t, Podman)
	f.write("image/etc/ssl/certs/ca-certificates.crt", "IMAGE")
	spec := webSpec(trustDir(t))
	spec.Container.OverwriteBundles = nil
	spec.Container.Destination = "/opt/tf/" // trailing slash is fine
	if _, err := f.r.Start(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	want := []string{wantCreate(Podman), "podman cp - " + fakeID + ":/", "podman start " + fakeID}
	if diff := cmp.Diff(want, f.argv()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	var names []string
	for n := range f.copiedTar() {
		names = append(names, n)
	}
	sort.Strings(names)
	wantNames := []string{"opt/tf/", "opt/tf/cert.pem", "opt/tf/certs/", "opt/tf/certs/1234abcd.0", "opt/tf/certs/aaaa.pem"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("tar names (-want +got):\n%s", diff)
	}
}

func TestStartWithoutTrust(t *testing.T) {
	f := newFake(t, Docker)
	spec := &runtimes.LaunchSpec{
		Address: "container.plain", Lineage: "L", ConfigSHA256: "s",
		Container: &runtimes.ContainerLaunch{Image: "busybox"},
	}
	if _, err := f.r.Start(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"docker create --label trustform.address=container.plain --label trustform.lineage=L --label trustform.config-sha256=s busybox",
		"docker start " + fakeID,
	}
	if diff := cmp.Diff(want, f.argv()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}

func TestStartRejectsBadDestinationAndCleansUp(t *testing.T) {
	f := newFake(t, Docker)
	spec := webSpec(trustDir(t))
	spec.Container.OverwriteBundles = nil
	spec.Container.Destination = "/usr/../etc"
	_, err := f.r.Start(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), `must not contain ".."`) {
		t.Fatalf("err = %v", err)
	}
	got := f.argv()
	if len(got) != 2 || got[1] != "docker rm -f "+fakeID {
		t.Fatalf("commands = %q, want create then rm -f", got)
	}
}

func TestStartRemovesContainerWhenCopyFails(t *testing.T) {
	f := newFake(t, Podman)
	f.write("cp.err", "Error: copying to container: disk full")
	spec := webSpec(trustDir(t))
	spec.Container.OverwriteBundles = nil
	_, err := f.r.Start(context.Background(), spec)
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "container.web") {
		t.Fatalf("err = %v", err)
	}
	want := []string{wantCreate(Podman), "podman cp - " + fakeID + ":/", "podman rm -f " + fakeID}
	if diff := cmp.Diff(want, f.argv()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}

func TestStartTrustDirProblemsCreateNothing(t *testing.T) {
	f := newFake(t, Docker)
	dir := trustDir(t)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "certs", "abs.0")); err != nil {
		t.Fatal(err)
	}
	_, err := f.r.Start(context.Background(), webSpec(dir))
	if err == nil || !strings.Contains(err.Error(), "absolute path") {
		t.Fatalf("err = %v", err)
	}
	empty := t.TempDir()
	_, err = f.r.Start(context.Background(), webSpec(empty))
	if err == nil || !strings.Contains(err.Error(), "no cert.pem") {
		t.Fatalf("err = %v", err)
	}
	if got := f.argv(); len(got) != 0 {
		t.Fatalf("commands run despite bad trust material: %q", got)
	}
}

func TestStartNameConflict(t *testing.T) {
	conflict := map[string]string{
		Docker: `Error response from daemon: Conflict. The container name "/tf-web" is already in use by container "feed". You have to remove (or rename) that container to be able to reuse that name.`,
		Podman: `Error: creating container storage: the container name "tf-web" is already in use by feed. You have to remove that container to be able to reuse that name: that name is already in use`,
	}
	for _, engine := range []string{Docker, Podman} {
		t.Run(engine+"/ours", func(t *testing.T) {
			f := newFake(t, engine)
			f.write("create.err", conflict[engine])
			f.container("tf-web", "feed", "exited", map[string]string{LabelAddress: "container.web", LabelLineage: "lin-1"})
			spec := webSpec("")
			if _, err := f.r.Start(context.Background(), spec); err != nil {
				t.Fatal(err)
			}
			create := wantCreate(engine)
			want := []string{
				create,
				engine + " inspect --type container --format " + inspectFormat + " tf-web",
				engine + " rm -f feed",
				create,
				engine + " start " + fakeID,
			}
			if diff := cmp.Diff(want, f.argv()); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
		for name, labels := range map[string]map[string]string{
			"not ours":      nil,
			"other lineage": {LabelAddress: "container.web", LabelLineage: "lin-2"},
			"other address": {LabelAddress: "container.api", LabelLineage: "lin-1"},
		} {
			t.Run(engine+"/"+name, func(t *testing.T) {
				f := newFake(t, engine)
				f.write("create.err", conflict[engine])
				f.container("tf-web", "feed", "running", labels)
				_, err := f.r.Start(context.Background(), webSpec(""))
				want := "was not created by trustform; rename or remove it yourself"
				if labels != nil {
					want = "created by trustform for " + labels[LabelAddress] + " in another state"
				}
				if err == nil || !strings.Contains(err.Error(), "a container named tf-web exists") || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want it to say %q", err, want)
				}
				for _, c := range f.argv() {
					if strings.Contains(c, " rm ") || strings.Contains(c, " start ") {
						t.Errorf("ran %q on a container that is not ours", c)
					}
				}
			})
		}
	}
}

func TestStartMissingImage(t *testing.T) {
	msgs := map[string]string{
		Docker: "Unable to find image 'example/web:1' locally\nError response from daemon: pull access denied for example/web, repository does not exist or may require 'docker login'",
		Podman: "Trying to pull example/web:1...\nError: initializing source docker://example/web:1: reading manifest 1 in docker.io/example/web: requested access to the resource is denied",
	}
	for _, engine := range []string{Docker, Podman} {
		t.Run(engine, func(t *testing.T) {
			f := newFake(t, engine)
			f.write("create.err", msgs[engine])
			_, err := f.r.Start(context.Background(), webSpec(trustDir(t)))
			for _, want := range []string{`image "example/web:1" is not available to ` + engine, engine + " pull example/web:1", "import it"} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want it to contain %q", err, want)
				}
			}
			if got := f.argv(); len(got) != 1 {
				t.Errorf("commands after failed create: %q", got)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	f := newFake(t, Docker)
	ours := map[string]string{LabelAddress: "container.web"}
	for status, want := range map[string]runtimes.Status{
		"running": runtimes.StatusRunning,
		"paused":  runtimes.StatusRunning,
		"exited":  runtimes.StatusExited,
		"created": runtimes.StatusExited,
		"dead":    runtimes.StatusExited,
	} {
		f.container("c-"+status, "c-"+status, status, ours)
		got, err := f.r.Status(context.Background(), runtimes.Handle{ContainerID: "c-" + status, Engine: Docker})
		if err != nil || got != want {
			t.Errorf("Status(%s) = %s, %v; want %s", status, got, err, want)
		}
	}
	got, err := f.r.Status(context.Background(), runtimes.Handle{ContainerID: "gone", Engine: Docker})
	if err != nil || got != runtimes.StatusMissing {
		t.Errorf("Status(gone) = %s, %v; want missing", got, err)
	}
	if got := f.argv(); got[len(got)-1] != "docker inspect --type container --format "+inspectFormat+" gone" {
		t.Errorf("last command = %q", got[len(got)-1])
	}
}

func TestStop(t *testing.T) {
	for _, engine := range []string{Docker, Podman} {
		t.Run(engine, func(t *testing.T) {
			f := newFake(t, engine)
			inspect := engine + " inspect --type container --format " + inspectFormat + " "
			f.container("abc", "abcfull", "running", map[string]string{LabelAddress: "container.web"})
			if err := f.r.Stop(context.Background(), runtimes.Handle{ContainerID: "abc"}, 2500*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			want := []string{inspect + "abc", engine + " stop -t 3 abcfull", engine + " rm -f abcfull"}
			if diff := cmp.Diff(want, f.argv()); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}

			// Gone already: nothing to do.
			if err := f.r.Stop(context.Background(), runtimes.Handle{ContainerID: "abc"}, time.Second); err != nil {
				t.Fatalf("Stop(gone) = %v", err)
			}
			if diff := cmp.Diff([]string{inspect + "abc"}, f.argv()); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}

			// Not ours: refused, untouched.
			f.container("theirs", "theirs", "running", map[string]string{"app": "x"})
			err := f.r.Stop(context.Background(), runtimes.Handle{ContainerID: "theirs"}, time.Second)
			if err == nil || !strings.Contains(err.Error(), "trustform did not create it") {
				t.Fatalf("Stop(theirs) = %v", err)
			}
			if diff := cmp.Diff([]string{inspect + "theirs"}, f.argv()); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogs(t *testing.T) {
	f := newFake(t, Podman)
	f.container("abc", "abc", "running", map[string]string{LabelAddress: "container.web"})
	var out bytes.Buffer
	if err := f.r.Logs(context.Background(), runtimes.Handle{ContainerID: "abc"}, true, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "out of abc\n") || !strings.Contains(got, "err of abc\n") {
		t.Errorf("logs = %q", got)
	}
	if err := f.r.Logs(context.Background(), runtimes.Handle{ContainerID: "abc"}, false, io.Discard); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"podman logs -f abc", "podman logs abc"}, f.argv()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	err := f.r.Logs(context.Background(), runtimes.Handle{ContainerID: "gone"}, false, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no longer exists") {
		t.Errorf("Logs(gone) = %v", err)
	}
}

// Tail is what apply shows of a failed container: the last lines of both
// streams, and the engine's own words when the container is gone.
func TestTail(t *testing.T) {
	f := newFake(t, Podman)
	f.container("abc", "abc", "exited", map[string]string{LabelAddress: "container.web"})
	got, err := f.r.Tail(context.Background(), runtimes.Handle{ContainerID: "abc"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || (got[0] != "out of abc" && got[0] != "err of abc") {
		t.Errorf("Tail(1) = %q, want one of the two lines", got)
	}
	if got, _ := f.r.Tail(context.Background(), runtimes.Handle{ContainerID: "abc"}, 5); len(got) != 2 {
		t.Errorf("Tail(5) = %q, want both lines", got)
	}
	if _, err := f.r.Tail(context.Background(), runtimes.Handle{ContainerID: "gone"}, 5); err == nil || !strings.Contains(err.Error(), "no longer exists") {
		t.Errorf("Tail(gone) = %v", err)
	}
}

func TestDetectWithFakeScripts(t *testing.T) {
	f := newFake(t, Docker)
	cli := fakeCLI(f.dir)
	got, err := Detect(context.Background(), cli, Auto)
	if err != nil || got != Docker {
		t.Fatalf("Detect = %q, %v; want docker", got, err)
	}
	f.write("docker-info.err", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
	cli.Programs[Docker] = filepath.Join(f.dir, "no-such-docker")
	got, err = Detect(context.Background(), cli, Auto)
	if err != nil || got != Podman {
		t.Fatalf("Detect with docker missing = %q, %v; want podman", got, err)
	}
	cli.Programs[Docker] = filepath.Join(f.dir, Docker)
	_, err = Detect(context.Background(), cli, Docker)
	if err == nil || !strings.Contains(err.Error(), "Is the docker daemon running?") {
		t.Fatalf("Detect(docker) with failing info = %v", err)
	}
}

// fakeExecer answers info from a table: engine -> error (nil: works).
type fakeExecer map[string]error

func (x fakeExecer) Run(ctx context.Context, program string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	err, ok := x[program]
	if !ok {
		return &exec.Error{Name: program, Err: exec.ErrNotFound}
	}
	if err != nil {
		fmt.Fprintln(stderr, "stderr of "+program)
	}
	return err
}

func TestDetect(t *testing.T) {
	failed := errors.New("exit status 1")
	for _, tc := range []struct {
		name, pref string
		engines    fakeExecer
		want       string
		wantErr    []string
	}{
		{name: "docker first", pref: Auto, engines: fakeExecer{Docker: nil, Podman: nil}, want: Docker},
		{name: "empty means auto", pref: "", engines: fakeExecer{Podman: nil}, want: Podman},
		{name: "docker broken", pref: Auto, engines: fakeExecer{Docker: failed, Podman: nil}, want: Podman},
		{name: "explicit podman", pref: Podman, engines: fakeExecer{Docker: nil, Podman: nil}, want: Podman},
		{name: "none", pref: Auto, engines: fakeExecer{},
			wantErr: []string{"no container engine found: install podman (apt-get install -y podman runc) or docker"}},
		{name: "broken and absent", pref: Auto, engines: fakeExecer{Docker: failed},
			wantErr: []string{"`docker info` failed: stderr of docker", "podman is not installed"}},
		{name: "explicit absent", pref: Podman, engines: fakeExecer{Docker: nil},
			wantErr: []string{"podman is not installed"}},
		{name: "unknown", pref: "lxc", engines: fakeExecer{Docker: nil},
			wantErr: []string{`container runtime "lxc" is not known`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect(context.Background(), tc.engines, tc.pref)
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Fatalf("Detect = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("Detect error = %v; want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestFindOrphans(t *testing.T) {
	for _, engine := range []string{Docker, Podman} {
		t.Run(engine, func(t *testing.T) {
			f := newFake(t, engine)
			mine := func(addr string) map[string]string {
				return map[string]string{LabelAddress: addr, LabelLineage: "L1"}
			}
			f.container("id-b", "id-b", "running", mine("container.b"))
			f.container("id-a2", "id-a2", "exited", mine("container.a"))
			f.container("id-a1", "id-a1", "created", mine("container.a"))
			f.container("id-other", "id-other", "running", map[string]string{LabelAddress: "container.a", LabelLineage: "L2"})
			f.write("ps.out", "id-b\nid-a2\nid-other\nid-gone\nid-a1\n")
			got, err := f.r.FindOrphans(context.Background(), "L1")
			if err != nil {
				t.Fatal(err)
			}
			h := func(id string) runtimes.Handle { return runtimes.Handle{ContainerID: id, Engine: engine} }
			want := []runtimes.Orphan{
				{Address: "container.a", Status: runtimes.StatusExited, Handle: h("id-a1")},
				{Address: "container.a", Status: runtimes.StatusExited, Handle: h("id-a2")},
				{Address: "container.b", Status: runtimes.StatusRunning, Handle: h("id-b")},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FindOrphans (-want +got):\n%s", diff)
			}
			if argv := f.argv(); argv[0] != engine+" ps -a --no-trunc --filter label=trustform.lineage=L1 --format {{.ID}}" {
				t.Errorf("first command = %q", argv[0])
			}
		})
	}
}
