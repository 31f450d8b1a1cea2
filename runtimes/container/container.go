package container

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// Labels trustform puts on every container it creates.
const (
	LabelAddress      = "trustform.address"
	LabelLineage      = "trustform.lineage"
	LabelConfigSHA256 = "trustform.config-sha256"
)

// Runner starts, watches and stops containers through one engine's CLI.
type Runner struct {
	engine string
	x      Execer
	d      dialect
}

// The container runner finds what a killed apply left behind (issue 13:
// it used to return its own Orphan type, so apply never asked it).
var (
	_ runtimes.Runner       = (*Runner)(nil)
	_ runtimes.OrphanFinder = (*Runner)(nil)
	_ runtimes.LogTailer    = (*Runner)(nil)
)

// New returns a Runner for engine (docker or podman; resolve auto with
// Detect first) that runs the engine's commands through x.
func New(engine string, x Execer) (*Runner, error) {
	d, ok := dialectOf(engine)
	if !ok {
		return nil, fmt.Errorf("container engine %q is not supported: use docker or podman", engine)
	}
	if x == nil {
		x = CLI{}
	}
	return &Runner{engine: engine, x: x, d: d}, nil
}

// Engine returns the engine name this Runner uses.
func (r *Runner) Engine() string { return r.engine }

// run runs one engine command and returns its stdout.
func (r *Runner) run(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	if err := r.x.Run(ctx, r.engine, args, stdin, &stdout, &stderr); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return stdout.Bytes(), &CommandError{Engine: r.engine, Args: args, Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// createArgs is the `create` command line of a spec.
func createArgs(spec *runtimes.LaunchSpec) []string {
	c := spec.Container
	args := []string{"create"}
	if c.Name != "" {
		args = append(args, "--name", c.Name)
	}
	args = append(args,
		"--label", LabelAddress+"="+spec.Address,
		"--label", LabelLineage+"="+spec.Lineage,
		"--label", LabelConfigSHA256+"="+spec.ConfigSHA256)
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-e", k+"="+spec.Env[k])
	}
	if c.Entrypoint != "" {
		args = append(args, "--entrypoint", c.Entrypoint)
	}
	for _, p := range c.Ports {
		args = append(args, "-p", p)
	}
	if c.Network != "" {
		args = append(args, "--network", c.Network)
	}
	for _, v := range c.Volumes {
		args = append(args, "-v", absVolume(v, spec.WorkingDir))
	}
	args = append(args, c.RuntimeArgs...)
	args = append(args, c.Image)
	return append(args, c.Args...)
}

// absVolume makes the host side of "./data:/data:ro" absolute: engines take
// a relative source for the name of a named volume, and the configuration
// means a directory next to it.
func absVolume(v, dir string) string {
	if dir == "" || !(v == "." || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, ".:")) {
		return v
	}
	src, rest, _ := strings.Cut(v, ":")
	out := filepath.Join(dir, src)
	if rest != "" {
		out += ":" + rest
	}
	return out
}

// Start creates the container, copies the trust material in, and starts it.
// When any step after create fails, the container is removed again so that
// nothing unrecorded is left behind.
func (r *Runner) Start(ctx context.Context, spec *runtimes.LaunchSpec) (runtimes.Handle, error) {
	c := spec.Container
	if c == nil {
		return runtimes.Handle{}, fmt.Errorf("%s: no container settings", spec.Address)
	}
	if c.Engine != "" && c.Engine != r.engine {
		return runtimes.Handle{}, fmt.Errorf("%s: planned for %s but this runner uses %s", spec.Address, c.Engine, r.engine)
	}
	if c.Image == "" {
		return runtimes.Handle{}, fmt.Errorf("%s: no image", spec.Address)
	}
	// Read the trust material before creating anything, so a missing file
	// fails without leaving a container behind.
	var material *trustMaterial
	if c.TrustDir != "" {
		m, err := readTrustDir(c.TrustDir, len(c.OverwriteBundles) > 0)
		if err != nil {
			return runtimes.Handle{}, fmt.Errorf("%s: %w", spec.Address, err)
		}
		material = m
	}

	id, err := r.create(ctx, spec)
	if err != nil {
		return runtimes.Handle{}, fmt.Errorf("%s: %w", spec.Address, err)
	}
	fail := func(err error) (runtimes.Handle, error) {
		// A fresh context: the caller's may be what failed.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, rmErr := r.run(cctx, nil, "rm", "-f", id); rmErr != nil && !matches(rmErr, r.d.noSuchContainer) {
			err = fmt.Errorf("%w (and removing the container failed: %v; remove it with: %s rm -f %s)", err, rmErr, r.engine, id)
		}
		return runtimes.Handle{}, fmt.Errorf("%s: %w", spec.Address, err)
	}
	if material != nil {
		if err := r.copyTrust(ctx, id, c, material); err != nil {
			return fail(err)
		}
	}
	if _, err := r.run(ctx, nil, "start", id); err != nil {
		return fail(err)
	}
	return runtimes.Handle{ContainerID: id, Engine: r.engine}, nil
}

// create runs `create`, replacing a container of the same name that this
// resource left behind, and returns the new container's id.
func (r *Runner) create(ctx context.Context, spec *runtimes.LaunchSpec) (string, error) {
	args := createArgs(spec)
	for attempt := 0; ; attempt++ {
		out, err := r.run(ctx, nil, args...)
		if err == nil {
			id := lastLine(string(out))
			if id == "" {
				return "", fmt.Errorf("%s create printed no container id", r.engine)
			}
			return id, nil
		}
		name := spec.Container.Name
		switch {
		case name != "" && attempt == 0 && matches(err, r.d.nameInUse):
			if err := r.removeOurNamesake(ctx, spec); err != nil {
				return "", err
			}
		case matches(err, r.d.noSuchImage):
			img := spec.Container.Image
			return "", fmt.Errorf("image %q is not available to %s: pull it (%s pull %s) or import it (%s load -i FILE), then apply again: %w",
				img, r.engine, r.engine, img, r.engine, err)
		default:
			return "", err
		}
	}
}

// removeOurNamesake removes the container holding spec's name if it is what
// trustform created for the same address and lineage, and refuses otherwise.
func (r *Runner) removeOurNamesake(ctx context.Context, spec *runtimes.LaunchSpec) error {
	name := spec.Container.Name
	info, err := r.inspect(ctx, name)
	if err != nil {
		if errors.Is(err, errNoSuchContainer) {
			return nil // removed meanwhile; try again
		}
		return err
	}
	addr, lin := info.Labels[LabelAddress], info.Labels[LabelLineage]
	switch {
	case addr == "":
		return fmt.Errorf("a container named %s exists and was not created by trustform; rename or remove it yourself (%s rm -f %s), or set another name", name, r.engine, name)
	case addr != spec.Address || lin != spec.Lineage:
		return fmt.Errorf("a container named %s exists, created by trustform for %s in another state (lineage %s); remove it yourself (%s rm -f %s) or set another name", name, addr, lin, r.engine, name)
	}
	if _, err := r.run(ctx, nil, "rm", "-f", info.ID); err != nil && !matches(err, r.d.noSuchContainer) {
		return fmt.Errorf("removing the previous container %s of %s: %w", name, spec.Address, err)
	}
	return nil
}

// inspectFormat prints what inspect needs on one line: id, status, labels.
const inspectFormat = "{{.Id}} {{.State.Status}} {{json .Config.Labels}}"

// containerInfo is what inspect tells of a container.
type containerInfo struct {
	ID     string
	Status string
	Labels map[string]string
}

// errNoSuchContainer is what inspect returns for a container that does not
// exist.
var errNoSuchContainer = errors.New("no such container")

func (r *Runner) inspect(ctx context.Context, ref string) (containerInfo, error) {
	out, err := r.run(ctx, nil, "inspect", "--type", "container", "--format", inspectFormat, ref)
	if err != nil {
		if matches(err, r.d.noSuchContainer) {
			return containerInfo{}, fmt.Errorf("%s: %w", ref, errNoSuchContainer)
		}
		return containerInfo{}, err
	}
	return parseInspect(out)
}

func parseInspect(out []byte) (containerInfo, error) {
	line := lastLine(string(out))
	f := strings.SplitN(line, " ", 3)
	if len(f) != 3 {
		return containerInfo{}, fmt.Errorf("unexpected inspect output %q", line)
	}
	info := containerInfo{ID: f[0], Status: f[1]}
	// Containers without labels print null.
	if err := json.Unmarshal([]byte(f[2]), &info.Labels); err != nil {
		return containerInfo{}, fmt.Errorf("unexpected labels in inspect output %q: %w", line, err)
	}
	if info.Labels == nil {
		info.Labels = map[string]string{}
	}
	return info, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// Status reports running for a running (or paused or restarting) container,
// exited for one that exists otherwise (created, exited, dead...), and
// missing when the engine does not know it.
func (r *Runner) Status(ctx context.Context, h runtimes.Handle) (runtimes.Status, error) {
	if h.ContainerID == "" {
		return runtimes.StatusMissing, nil
	}
	info, err := r.inspect(ctx, h.ContainerID)
	if errors.Is(err, errNoSuchContainer) {
		return runtimes.StatusMissing, nil
	}
	if err != nil {
		return "", err
	}
	return statusOf(info.Status), nil
}

// statusOf maps an engine's State.Status word to ours.
func statusOf(s string) runtimes.Status {
	switch s {
	case "running", "paused", "restarting":
		return runtimes.StatusRunning
	}
	return runtimes.StatusExited
}

// LastExit reports the exit status and time of a container that has
// stopped, as the engine recorded them; ok is false while it runs or when
// the engine does not say.
func (r *Runner) LastExit(ctx context.Context, h runtimes.Handle) (code int, at time.Time, ok bool, err error) {
	if h.ContainerID == "" {
		return 0, time.Time{}, false, nil
	}
	out, err := r.run(ctx, nil, "inspect", "--type", "container", "--format", "{{.State.Running}} {{.State.ExitCode}} {{.State.FinishedAt}}", h.ContainerID)
	if err != nil {
		if matches(err, r.d.noSuchContainer) {
			return 0, time.Time{}, false, nil
		}
		return 0, time.Time{}, false, err
	}
	f := strings.SplitN(lastLine(string(out)), " ", 3)
	if len(f) != 3 || f[0] != "false" {
		return 0, time.Time{}, false, nil
	}
	code, err = strconv.Atoi(f[1])
	if err != nil {
		return 0, time.Time{}, false, nil
	}
	// docker prints RFC 3339; podman prints Go's time.String form.
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700 MST"} {
		if t, perr := time.Parse(layout, f[2]); perr == nil {
			at = t
			break
		}
	}
	if at.IsZero() || at.Year() < 2000 {
		// Created but never started: no exit to tell.
		return 0, time.Time{}, false, nil
	}
	return code, at, true, nil
}

// Stop stops the container (the engine sends the image's stop signal, then
// SIGKILL after grace) and removes it. A container without the
// trustform.address label is never touched; one that is gone is not an error.
func (r *Runner) Stop(ctx context.Context, h runtimes.Handle, grace time.Duration) error {
	if h.ContainerID == "" {
		return nil
	}
	info, err := r.inspect(ctx, h.ContainerID)
	if errors.Is(err, errNoSuchContainer) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Labels[LabelAddress] == "" {
		return fmt.Errorf("container %s has no %s label, so trustform did not create it; not removing it", h.ContainerID, LabelAddress)
	}
	secs := int(math.Ceil(grace.Seconds()))
	if secs < 0 {
		secs = 0
	}
	_, stopErr := r.run(ctx, nil, "stop", "-t", strconv.Itoa(secs), info.ID)
	if stopErr != nil && matches(stopErr, r.d.noSuchContainer) {
		return nil
	}
	// rm -f kills what stop could not, so a failed stop matters only when
	// the removal fails too.
	if _, err := r.run(ctx, nil, "rm", "-f", info.ID); err != nil && !matches(err, r.d.noSuchContainer) {
		if stopErr != nil {
			return fmt.Errorf("stopping container %s: %v; removing it: %w", h.ContainerID, stopErr, err)
		}
		return fmt.Errorf("removing container %s: %w", h.ContainerID, err)
	}
	return nil
}

// Logs writes the container's output (stdout and stderr, as the engine
// interleaves them) to w; with follow it keeps writing until the container
// stops or ctx is cancelled.
func (r *Runner) Logs(ctx context.Context, h runtimes.Handle, follow bool, w io.Writer) error {
	return r.LogsWith(ctx, h, LogOptions{Follow: follow, Tail: -1}, w)
}

// LogsWith is Logs with the engine's --tail and --since.
func (r *Runner) LogsWith(ctx context.Context, h runtimes.Handle, o LogOptions, w io.Writer) error {
	if h.ContainerID == "" {
		return errors.New("no container recorded")
	}
	follow := o.Follow
	args := append([]string{"logs"}, o.args()...)
	args = append(args, h.ContainerID)
	// The engine writes the container's stderr to its own stderr; both go
	// to w, one write at a time, and stderr is also kept for the error.
	var stderr bytes.Buffer
	lw := &lockedWriter{w: w}
	err := r.x.Run(ctx, r.engine, args, nil, lw, &lockedWriter{w: w, mu: &lw.own, copy: &stderr})
	if err == nil || (follow && ctx.Err() != nil) {
		return nil
	}
	ce := &CommandError{Engine: r.engine, Args: args, Stderr: stderr.String(), Err: err}
	if matches(ce, r.d.noSuchContainer) {
		return fmt.Errorf("container %s no longer exists, so its output is gone", h.ContainerID)
	}
	return ce
}

// Tail returns up to n last lines of the container's output, for the
// failure apply reports. It gives up after 10 seconds: a failure message
// must not wait on a stuck engine.
func (r *Runner) Tail(ctx context.Context, h runtimes.Handle, n int) ([]string, error) {
	var buf bytes.Buffer
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.Logs(ctx, h, false, &buf); err != nil {
		return nil, err
	}
	return runtimes.TailLines(buf.Bytes(), n), nil
}

// lockedWriter serialises writes from the engine's stdout and stderr copiers.
type lockedWriter struct {
	own  sync.Mutex
	mu   *sync.Mutex // shared lock; nil means own
	w    io.Writer
	copy *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	mu := l.mu
	if mu == nil {
		mu = &l.own
	}
	mu.Lock()
	defer mu.Unlock()
	if l.copy != nil && l.copy.Len() < 64<<10 {
		l.copy.Write(p)
	}
	return l.w.Write(p)
}

// FindOrphans lists every container, running or not, labelled with this
// lineage, so that apply can adopt or remove what it created but could not
// record (trustform crashed between create and saving state). Several may
// share an address; all are returned, sorted by address then id.
func (r *Runner) FindOrphans(ctx context.Context, lineage string) ([]runtimes.Orphan, error) {
	if lineage == "" {
		return nil, nil
	}
	out, err := r.run(ctx, nil, "ps", "-a", "--no-trunc", "--filter", "label="+LabelLineage+"="+lineage, "--format", "{{.ID}}")
	if err != nil {
		return nil, fmt.Errorf("listing containers of this state: %w", err)
	}
	var found []runtimes.Orphan
	for _, id := range strings.Fields(string(out)) {
		info, err := r.inspect(ctx, id)
		if errors.Is(err, errNoSuchContainer) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		// The filter is the engine's; check again rather than trust it.
		if info.Labels[LabelLineage] != lineage || info.Labels[LabelAddress] == "" {
			continue
		}
		found = append(found, runtimes.Orphan{Address: info.Labels[LabelAddress], Status: statusOf(info.Status),
			Handle: runtimes.Handle{ContainerID: info.ID, Engine: r.engine}})
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Address != found[j].Address {
			return found[i].Address < found[j].Address
		}
		return found[i].Handle.ContainerID < found[j].Handle.ContainerID
	})
	return found, nil
}
