package container

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewRejectsUnknownEngine(t *testing.T) {
	if _, err := New("lxc", CLI{}); err == nil || !strings.Contains(err.Error(), "use docker or podman") {
		t.Fatalf("New(lxc) = %v", err)
	}
	r, err := New(Podman, nil)
	if err != nil || r.Engine() != Podman {
		t.Fatalf("New(podman) = %v, %v", r, err)
	}
}

// The texts below are what the engines print (podman 4.3 observed; docker
// 24-27 daemon and CLI messages).
func TestDialectClassifiesEngineMessages(t *testing.T) {
	type kind int
	const (
		noContainer kind = iota
		noFile
		nameInUse
		noImage
	)
	cases := map[string][]struct {
		k   kind
		msg string
	}{
		Docker: {
			{noContainer, "Error: No such container: abc"},
			{noContainer, "Error response from daemon: No such container: abc"},
			{noContainer, "Error: No such object: abc"},
			{noFile, "Error response from daemon: Could not find the file /etc/ssl/cert.pem in container abc"},
			{noFile, "Error: No such container:path: abc:/etc/ssl/cert.pem"},
			{nameInUse, `Error response from daemon: Conflict. The container name "/web" is already in use by container "f00". You have to remove (or rename) that container to be able to reuse that name.`},
			{noImage, "Unable to find image 'nope:latest' locally\ndocker: Error response from daemon: pull access denied for nope, repository does not exist or may require 'docker login'"},
			{noImage, "Error response from daemon: manifest for x:9 not found: manifest unknown: manifest unknown"},
			{noImage, "Error response from daemon: No such image: nope:latest"},
		},
		Podman: {
			{noContainer, "Error: inspecting object: no such container nope"},
			{noContainer, `Error: no container with name or ID "nope" found: no such container`},
			{noFile, `Error: "/etc/nope" could not be found on container db56: no such file or directory`},
			{nameInUse, `Error: creating container storage: the container name "dup" is already in use by 8e59. You have to remove that container to be able to reuse that name: that name is already in use`},
			{noImage, "Error: trustform-nope: image not known"},
			{noImage, "Trying to pull localhost/x:latest...\nError: initializing source docker://localhost/x:latest: pinging container registry localhost: connection refused"},
		},
	}
	for engine, cs := range cases {
		d, ok := dialectOf(engine)
		if !ok {
			t.Fatalf("no dialect for %s", engine)
		}
		sets := map[kind][]string{noContainer: d.noSuchContainer, noFile: d.noSuchFile, nameInUse: d.nameInUse, noImage: d.noSuchImage}
		for _, c := range cs {
			err := &CommandError{Engine: engine, Args: []string{"x"}, Stderr: c.msg, Err: errors.New("exit status 1")}
			for k, set := range sets {
				// noSuchFile shares "no such file or directory" with
				// nothing else we classify; a no-such-container text may
				// also look like a missing file for docker cp, which is
				// what it means there.
				if k != c.k && (k == noFile || c.k == noFile) {
					continue
				}
				if got := matches(err, set); got != (k == c.k) {
					t.Errorf("%s: %q: class %d match = %v", engine, c.msg, k, got)
				}
			}
		}
	}
	if _, ok := dialectOf("lxc"); ok {
		t.Error("dialect for lxc")
	}
	if d, _ := dialectOf(Docker); !cmp.Equal(d.cpFollow, []string{"-L"}) {
		t.Errorf("docker cpFollow = %q", d.cpFollow)
	}
	if d, _ := dialectOf(Podman); len(d.cpFollow) != 0 {
		t.Errorf("podman cpFollow = %q (podman cp has no -L)", d.cpFollow)
	}
}

func TestAbsVolume(t *testing.T) {
	for in, want := range map[string]string{
		"./data:/data:ro": "/p/data:/data:ro",
		"../x:/x":         "/x:/x",
		".:/src":          "/p:/src",
		"named:/cache":    "named:/cache",
		"/abs:/abs":       "/abs:/abs",
		"/tmp/.x:/y":      "/tmp/.x:/y",
	} {
		if got := absVolume(in, "/p"); got != want {
			t.Errorf("absVolume(%q) = %q, want %q", in, got, want)
		}
	}
	if got := absVolume("./d:/d", ""); got != "./d:/d" {
		t.Errorf("absVolume without dir = %q", got)
	}
}

func TestParseInspect(t *testing.T) {
	info, err := parseInspect([]byte("abc running {\"trustform.address\":\"container.x\",\"a b\":\"c d\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := containerInfo{ID: "abc", Status: "running", Labels: map[string]string{"trustform.address": "container.x", "a b": "c d"}}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	info, err = parseInspect([]byte("abc created null\n"))
	if err != nil || info.Labels == nil || len(info.Labels) != 0 {
		t.Errorf("null labels: %+v, %v", info, err)
	}
	for _, bad := range []string{"", "abc running", "abc running {bad"} {
		if _, err := parseInspect([]byte(bad)); err == nil {
			t.Errorf("parseInspect(%q) succeeded", bad)
		}
	}
}

func TestCheckContainerDir(t *testing.T) {
	for in, want := range map[string]string{"/usr/lib/ssl/trustform": "/usr/lib/ssl/trustform", "/opt/x/": "/opt/x", "/a//b": "/a/b"} {
		if got, err := checkContainerDir(in); err != nil || got != want {
			t.Errorf("checkContainerDir(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "rel/dir", "/", "/a/../b", "C:\\x"} {
		if _, err := checkContainerDir(bad); err == nil {
			t.Errorf("checkContainerDir(%q) accepted", bad)
		}
	}
}

func TestMergeBundles(t *testing.T) {
	for _, tc := range []struct{ image, ours, want string }{
		{"A", "B\n", "A\nB\n"},
		{"A\n", "B\n", "A\nB\n"},
		{"", "B\n", "B\n"},
	} {
		if got := string(mergeBundles([]byte(tc.image), []byte(tc.ours))); got != tc.want {
			t.Errorf("merge(%q,%q) = %q, want %q", tc.image, tc.ours, got, tc.want)
		}
	}
}

func TestCLINotInstalled(t *testing.T) {
	err := CLI{Programs: map[string]string{Docker: "/nonexistent/docker"}}.Run(context.Background(), Docker, []string{"info"}, nil, nil, nil)
	if !errors.Is(err, execErrNotFound()) {
		t.Fatalf("err = %v, want exec.ErrNotFound", err)
	}
}

func execErrNotFound() error { return exec.ErrNotFound }
