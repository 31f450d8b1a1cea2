package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
)

// Engine names.
const (
	Docker = "docker"
	Podman = "podman"
	// Auto asks Detect to pick the first engine that works.
	Auto = "auto"
)

// Execer runs one command of an engine's CLI. program is the engine name
// (docker or podman); stdin may be nil. An engine that is not installed must
// give an error matching exec.ErrNotFound.
type Execer interface {
	Run(ctx context.Context, program string, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// CLI is the Execer that runs the real programs.
type CLI struct {
	// Env is the environment of every engine command; nil means trustform's
	// own (DOCKER_HOST, CONTAINER_HOST, CONTAINERS_CONF come from there).
	Env []string
	// Programs maps an engine name to the executable to run instead of
	// looking the name up in PATH.
	Programs map[string]string
}

// Run implements Execer.
func (c CLI) Run(ctx context.Context, program string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	path := program
	if p, ok := c.Programs[program]; ok && p != "" {
		path = p
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = c.Env
	cmd.Stdin = stdin
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.SysProcAttr = ownGroup()
	err := cmd.Run()
	// A configured path that does not exist means not installed, as a
	// name missing from PATH does.
	if err != nil && cmd.Process == nil && errors.Is(err, fs.ErrNotExist) {
		return &exec.Error{Name: path, Err: exec.ErrNotFound}
	}
	return err
}

// CommandError is a failed engine command, with what it printed on stderr.
type CommandError struct {
	Engine string
	Args   []string
	Stderr string
	Err    error
}

func (e *CommandError) Error() string {
	cmd := e.Engine
	if len(e.Args) > 0 {
		cmd += " " + e.Args[0]
	}
	if msg := lastLines(e.Stderr, 5); msg != "" {
		return fmt.Sprintf("%s: %s", cmd, msg)
	}
	return fmt.Sprintf("%s: %v", cmd, e.Err)
}

func (e *CommandError) Unwrap() error { return e.Err }

// lastLines keeps the end of a long stderr (pull progress, retries).
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// dialect is how one engine's CLI differs from the other's.
type dialect struct {
	// cpFollow makes `cp CONTAINER:PATH -` copy what a symlink points at.
	// podman always follows and has no such flag.
	cpFollow []string
	// Lower-case fragments of stderr that identify an error.
	noSuchContainer []string
	noSuchFile      []string
	nameInUse       []string
	noSuchImage     []string
}

// dialectOf returns the differences of a known engine.
func dialectOf(engine string) (dialect, bool) {
	switch engine {
	case Docker:
		return dialect{
			cpFollow:        []string{"-L"},
			noSuchContainer: []string{"no such container", "no such object"},
			noSuchFile:      []string{"could not find the file", "no such container:path", "no such file or directory"},
			nameInUse:       []string{"is already in use"},
			noSuchImage: []string{"unable to find image", "no such image", "pull access denied",
				"manifest unknown", "repository does not exist", "not found: manifest"},
		}, true
	case Podman:
		return dialect{
			noSuchContainer: []string{"no such container", "no container with name or id", "no such object"},
			noSuchFile:      []string{"could not be found on container", "no such file or directory"},
			nameInUse:       []string{"already in use"},
			noSuchImage: []string{"image not known", "trying to pull", "initializing source",
				"manifest unknown", "repository does not exist"},
		}, true
	}
	return dialect{}, false
}

// matches reports whether err is a CommandError whose stderr holds one of
// the fragments.
func matches(err error, fragments []string) bool {
	var ce *CommandError
	if !errors.As(err, &ce) {
		return false
	}
	s := strings.ToLower(ce.Stderr)
	for _, f := range fragments {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// Detect resolves the container_runtime setting to an engine name.
// preference "auto" (or empty) picks the first of docker and podman whose
// `info` succeeds; "docker" or "podman" checks that one. The error tells the
// user what to install or what the engine said.
func Detect(ctx context.Context, x Execer, preference string) (string, error) {
	var candidates []string
	switch preference {
	case "", Auto:
		candidates = []string{Docker, Podman}
	case Docker, Podman:
		candidates = []string{preference}
	default:
		return "", fmt.Errorf("container runtime %q is not known: use auto, docker or podman", preference)
	}
	var problems []string
	installed := false
	for _, engine := range candidates {
		var stderr bytes.Buffer
		err := x.Run(ctx, engine, []string{"info"}, nil, io.Discard, &stderr)
		if err == nil {
			return engine, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if errors.Is(err, exec.ErrNotFound) {
			problems = append(problems, engine+" is not installed")
			continue
		}
		installed = true
		msg := lastLines(stderr.String(), 5)
		if msg == "" {
			msg = err.Error()
		}
		problems = append(problems, fmt.Sprintf("`%s info` failed: %s", engine, msg))
	}
	const install = "install podman (apt-get install -y podman runc) or docker"
	if !installed {
		if len(candidates) == 1 {
			return "", fmt.Errorf("%s is not installed: install it, or set container_runtime = \"auto\" to use any engine found", candidates[0])
		}
		return "", errors.New("no container engine found: " + install)
	}
	return "", fmt.Errorf("no working container engine: %s; start the engine (for docker: its daemon) or %s", strings.Join(problems, "; "), install)
}
