// Command tfbench measures the real trustform binary on generated
// configurations (internal/benchgen) and prints a Markdown report of the
// performance targets of issue 7: plan, apply, no-op plan and destroy
// times, peak RSS of each command, the files apply writes, and apply
// compared with `cp -a` of the naive tree.
//
//	go build -o bin/trustform . && go run ./internal/benchgen/cmd/tfbench -bin bin/trustform
//
// `make bench` does exactly that. Applying starts N `sleep 3600`
// processes; tfbench always destroys them again, also after a failure or
// Ctrl-C, and then checks that none of the processes it started is left
// (each carries an environment tag unique to the run).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trustform/trustform/internal/benchgen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type flags struct {
	bin        string
	sizes      []int
	applySizes []int
	tfSizes    []int
	cpSizes    []int
	certs      int
	runs       int
	work       string
	keep       bool
	out        string
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q: want positive numbers separated by commas", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	var f flags
	fs := flag.NewFlagSet("tfbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.bin, "bin", "bin/trustform", "trustform binary to measure (build it first: go build -o bin/trustform .)")
	sizes := fs.String("sizes", "1000,5000", "resource counts N to plan")
	// At 5,000 apply, the no-op plans and destroy take about 20 s on the
	// 2-core VM (and 5 GB for the sleep processes): in the default run, as
	// issue 19 compares every figure at 5,000 with its value at 1,000.
	applySizes := fs.String("apply", "1000,5000", "resource counts to also apply, re-plan and destroy (each starts N sleep processes)")
	// Terraform's apply of 5,000 terraform_data takes about 9 minutes, and
	// the targets compare with Terraform at 1,000 only.
	tfSizes := fs.String("tf", "1000", "resource counts (among -apply) to also run the Terraform yardstick at")
	cpSizes := fs.String("cp", "1000", "resource counts to write a naive tree for and copy with cp -a")
	fs.IntVar(&f.certs, "certs", 150, "CA certificates C in the shared collection")
	fs.IntVar(&f.runs, "runs", 3, "repetitions of each plan measurement (the median is reported)")
	fs.StringVar(&f.work, "work", "", "work directory (default: a new temporary directory, removed afterwards)")
	fs.BoolVar(&f.keep, "keep", false, "keep the work directory")
	fs.StringVar(&f.out, "o", "", "also write the Markdown report to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	for _, p := range []struct {
		dst *[]int
		s   string
	}{{&f.sizes, *sizes}, {&f.applySizes, *applySizes}, {&f.tfSizes, *tfSizes}, {&f.cpSizes, *cpSizes}} {
		if *p.dst, err = parseSizes(p.s); err != nil {
			fmt.Fprintln(stderr, "tfbench:", err)
			return 2
		}
	}
	if f.runs < 1 || f.certs < 1 {
		fmt.Fprintln(stderr, "tfbench: -runs and -certs must be at least 1")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := measure(ctx, &f, stderr)
	if rep != nil {
		text := rep.markdown()
		fmt.Fprint(stdout, text)
		if f.out != "" {
			if werr := os.WriteFile(f.out, []byte(text), 0o644); werr != nil {
				fmt.Fprintln(stderr, "tfbench:", werr)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "tfbench:", err)
		return 1
	}
	return 0
}

// measure runs every measurement f asks for. The report holds what was
// measured even when an error stopped it part way.
func measure(ctx context.Context, f *flags, logw io.Writer) (rep *report, err error) {
	bin, err := filepath.Abs(f.bin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no trustform binary at %s (run `go build -o bin/trustform .` or `make bench`): %w", f.bin, err)
	}
	work := f.work
	if work == "" {
		if work, err = os.MkdirTemp("", "tfbench-"); err != nil {
			return nil, err
		}
		if !f.keep {
			defer func() {
				fmt.Fprintf(logw, "removing %s\n", work)
				os.RemoveAll(work)
			}()
		}
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	for _, d := range []string{"home", "devcert", "logs"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o755); err != nil {
			return nil, err
		}
	}

	rep = newReport(f)
	fmt.Fprintf(logw, "generating %d CA certificates\n", f.certs)
	pems, err := benchgen.CACerts(f.certs)
	if err != nil {
		return rep, err
	}
	b := &bench{
		bin:  bin,
		work: work,
		logw: logw,
		tag:  fmt.Sprintf("TFBENCH_RUN=%d-%d", os.Getpid(), time.Now().UnixNano()),
		// A private HOME and development CA directory: nothing of the
		// user's (mkcert, ASP.NET certificates, ~/.local/share) is read or
		// written, and developer_certificate_trust is off anyway.
		env: benchEnv(os.Environ(), map[string]string{
			"HOME":                  filepath.Join(work, "home"),
			"TRUSTFORM_DEVCERT_DIR": filepath.Join(work, "devcert"),
			"NO_COLOR":              "1",
		}),
	}
	tagKey, tagValue, _ := strings.Cut(b.tag, "=")
	for _, n := range f.sizes {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		sr := &sizeResult{N: n}
		rep.sizes = append(rep.sizes, sr)
		dir := filepath.Join(work, fmt.Sprintf("n%d", n))
		fmt.Fprintf(logw, "N=%d: writing %s\n", n, dir)
		if err := benchgen.Write(dir, benchgen.Options{Resources: n, Certs: pems, Env: map[string]string{tagKey: tagValue}}); err != nil {
			return rep, err
		}
		for i := range f.runs {
			r, err := b.trustform(ctx, dir, fmt.Sprintf("%d-plan-%d", n, i), 0, "plan", "-no-color")
			if err != nil {
				return rep, err
			}
			sr.plan = append(sr.plan, r)
		}
		sr.humanBytes = b.outputSize(fmt.Sprintf("%d-plan-0", n))
		j, err := b.trustform(ctx, dir, fmt.Sprintf("%d-plan-json", n), 0, "plan", "-json")
		if err != nil {
			return rep, err
		}
		sr.planJSON = &j
		sr.jsonBytes = b.outputSize(fmt.Sprintf("%d-plan-json", n))
		if slices.Contains(f.applySizes, n) {
			syncDisks()
			if sr.floor, err = b.processFloor(ctx, n); err != nil {
				return rep, err
			}
			if !slices.Contains(f.tfSizes, n) {
				sr.tfSkipped = "not asked for at this N (-tf)"
			} else if err := b.terraform(ctx, n, sr); err != nil {
				return rep, err
			}
		}
		if slices.Contains(f.applySizes, n) {
			if err := b.lifecycle(ctx, dir, sr, f.runs); err != nil {
				return rep, err
			}
		}
	}
	// The naive trees come last: writing, copying and removing 300,000
	// files at 1,000 would slow every file creation nearby for minutes
	// (see probeCreate), the applies at larger N included.
	for _, sr := range rep.sizes {
		if slices.Contains(f.cpSizes, sr.N) {
			if err := b.copyNaive(ctx, sr.N, pems, sr); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

// benchEnv returns environ with set applied and trustform's own logging
// and variable settings removed, so the user's environment does not change
// what is measured.
func benchEnv(environ []string, set map[string]string) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; ok || strings.HasPrefix(k, "TRUSTFORM_") {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

type bench struct {
	bin, work string
	env       []string
	logw      io.Writer
	// tag is KEY=VALUE in the environment of every process this run's
	// configurations start.
	tag string
}

// sample is one measured command.
type sample struct {
	wall, cpu time.Duration
	rss       int64
}

// trustform runs the binary in dir, its output into logs/<name>.log, and
// returns what it cost. An exit code other than want is an error.
func (b *bench) trustform(ctx context.Context, dir, name string, want int, args ...string) (sample, error) {
	full := append([]string{"-chdir=" + dir}, args...)
	return b.timed(ctx, name, want, b.bin, full...)
}

func (b *bench) timed(ctx context.Context, name string, want int, prog string, args ...string) (sample, error) {
	logPath := filepath.Join(b.work, "logs", name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return sample{}, err
	}
	defer logf.Close()
	cmd := exec.Command(prog, args...)
	cmd.Env = b.env
	cmd.Stdout, cmd.Stderr = logf, logf
	fmt.Fprintf(b.logw, "  %s %s\n", filepath.Base(prog), strings.Join(args, " "))
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	// Ctrl-C reaches the child through the terminal's process group; this
	// only covers SIGTERM sent to tfbench alone.
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			cmd.Process.Signal(os.Interrupt)
		case <-done:
		}
	}()
	err = cmd.Wait()
	wall := time.Since(start)
	close(done)
	var s sample
	s.wall = wall
	s.rss, s.cpu = usage(cmd.ProcessState)
	fmt.Fprintf(b.logw, "    %.3fs wall, %.3fs cpu, %s peak RSS\n", s.wall.Seconds(), s.cpu.Seconds(), mb(s.rss))
	code := cmd.ProcessState.ExitCode()
	if code != want {
		return s, fmt.Errorf("%s %s exited %d (want %d), output in %s:\n%s", filepath.Base(prog), strings.Join(args, " "), code, want, logPath, tail(logPath, 15))
	}
	if err != nil && want == 0 {
		return s, err
	}
	return s, nil
}

// lifecycle applies, counts the files written, re-plans and destroys. The
// destroy runs whatever happens, and any process of this run still alive
// afterwards is killed and reported.
func (b *bench) lifecycle(ctx context.Context, dir string, sr *sizeResult, runs int) (err error) {
	n := sr.N
	if ok, why := processHeadroom(n); !ok {
		sr.applySkipped = why
		fmt.Fprintf(b.logw, "N=%d: not applying: %s\n", n, why)
		return nil
	}
	// A sleep process costs about 1 MB of resident memory, trustform's own
	// peak comes on top; keep half of what is available free.
	if avail := memAvailable(); avail > 0 && int64(n)<<20 > avail/2 {
		sr.applySkipped = fmt.Sprintf("%d processes of about 1 MB would use more than half of the %s available", n, mb(avail))
		fmt.Fprintf(b.logw, "N=%d: not applying: %s\n", n, sr.applySkipped)
		return nil
	}
	syncDisks()
	destroyed := false
	defer func() {
		if !destroyed {
			fmt.Fprintf(b.logw, "N=%d: cleaning up with destroy\n", n)
			if _, derr := b.trustform(context.Background(), dir, fmt.Sprintf("%d-destroy-cleanup", n), 0, "destroy", "-auto-approve", "-no-color"); derr != nil {
				err = errors.Join(err, fmt.Errorf("cleanup destroy: %w", derr))
			}
		}
		left := taggedProcesses(b.tag)
		sr.leftover = len(left)
		for _, pid := range left {
			// Only processes carrying this run's tag: ours.
			kill(pid)
		}
		if len(left) > 0 {
			err = errors.Join(err, fmt.Errorf("%d processes were still running after destroy and were killed: %v", len(left), left))
		}
	}()

	if sr.createCost, err = probeCreate(filepath.Join(b.work, fmt.Sprintf("probe-%d", n)), probeFiles); err != nil {
		return err
	}
	fmt.Fprintf(b.logw, "N=%d: apply\n", n)
	a, err := b.trustform(ctx, dir, fmt.Sprintf("%d-apply", n), 0, "apply", "-auto-approve", "-no-color")
	if err != nil {
		return err // a failed apply's time is no measurement
	}
	sr.apply = &a
	sr.files, err = countFiles(filepath.Join(dir, ".trustform"))
	if err != nil {
		return err
	}
	sr.running = len(taggedProcesses(b.tag))
	for i := range runs {
		// -detailed-exitcode: 0 means no changes, which is the point.
		r, err := b.trustform(ctx, dir, fmt.Sprintf("%d-noop-%d", n, i), 0, "plan", "-detailed-exitcode", "-no-color")
		if err != nil {
			return fmt.Errorf("the plan after apply is not a no-op: %w", err)
		}
		sr.noop = append(sr.noop, r)
	}
	fmt.Fprintf(b.logw, "N=%d: destroy\n", n)
	d, err := b.trustform(ctx, dir, fmt.Sprintf("%d-destroy", n), 0, "destroy", "-auto-approve", "-no-color")
	if err != nil {
		return err
	}
	destroyed = true
	sr.destroy = &d
	return nil
}

// fileCount describes what is under .trustform.
type fileCount struct {
	Files, Symlinks, Dirs int
	// Inodes counts distinct regular files: hard links count once.
	Inodes int
	Bytes  int64 // sizes of distinct regular files
	// State is the size of state.json.
	State int64
}

func countFiles(root string) (fileCount, error) {
	var c fileCount
	if fi, err := os.Stat(filepath.Join(root, "state.json")); err == nil {
		c.State = fi.Size()
	}
	seen := map[uint64]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			c.Dirs++
		case d.Type()&os.ModeSymlink != 0:
			c.Symlinks++
		case d.Type().IsRegular():
			c.Files++
			fi, err := d.Info()
			if err != nil {
				return err
			}
			ino, ok := inode(fi)
			if !ok || !seen[ino] {
				seen[ino] = true
				c.Inodes++
				c.Bytes += fi.Size()
			}
		}
		return nil
	})
	return c, err
}

// copyNaive writes the naive tree for n resources and times one cp -a of
// it. The page cache cannot be dropped without disturbing everyone else on
// the machine, so source reads come from a warm cache, as they do for
// apply, which writes from memory.
func (b *bench) copyNaive(ctx context.Context, n int, pems [][]byte, sr *sizeResult) error {
	cp, err := exec.LookPath("cp")
	if err != nil {
		sr.cpSkipped = "cp not found"
		return nil
	}
	root := filepath.Join(b.work, fmt.Sprintf("naive%d", n))
	defer os.RemoveAll(root)
	src, dst := filepath.Join(root, "src"), filepath.Join(root, "dst")
	fmt.Fprintf(b.logw, "N=%d: writing the naive tree\n", n)
	st, err := benchgen.WriteNaiveTree(src, n, pems)
	if err != nil {
		return err
	}
	sr.naive = &st
	syncDisks()
	s, err := b.timed(ctx, fmt.Sprintf("%d-cp", n), 0, cp, "-a", src, dst)
	if err != nil {
		return err
	}
	sr.cp = &s
	return nil
}

// syncDisks flushes dirty pages, so that writeback of what was written
// before a timed step does not land inside it.
// probeFiles is how many files probeCreate creates.
const probeFiles = 200

// probeCreate returns the mean time to create one empty file in a new
// directory dir, which it leaves in place. Apply creates a log file per
// resource, and on ext4 without a journal (as on the benchmark VM) each
// new inode skips, one by one, every inode of its group deleted in the
// last one to six minutes: after thousands of deletions nearby a creation
// costs half a millisecond instead of tens of microseconds. The report
// shows the figure so that a slow apply can be told from a slow file
// system. The files are kept: removing them would cause exactly that.
func probeCreate(dir string, n int) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := range n {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("f%04d", i)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return 0, err
		}
		f.Close()
	}
	return time.Since(start) / time.Duration(n), nil
}

func syncDisks() {
	if p, err := exec.LookPath("sync"); err == nil {
		exec.Command(p).Run()
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func mb(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

func goVersion() string { return runtime.Version() }
