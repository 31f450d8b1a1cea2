package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/benchgen"
)

// sizeResult is everything measured for one N.
type sizeResult struct {
	N                       int
	plan, noop              []sample
	apply, destroy, cp      *sample
	files                   fileCount
	naive                   *benchgen.NaiveStats
	running, leftover       int
	applySkipped, cpSkipped string
}

type report struct {
	f     *flags
	date  time.Time
	load  string
	sizes []*sizeResult
}

func newReport(f *flags) *report {
	_, load := kernelInfo()
	return &report{f: f, date: time.Now(), load: load}
}

func (r *report) size(n int) *sizeResult {
	for _, s := range r.sizes {
		if s.N == n {
			return s
		}
	}
	return nil
}

// median returns the sample with the median wall time (the lower middle
// for an even count), or nil.
func median(ss []sample) *sample {
	if len(ss) == 0 {
		return nil
	}
	sorted := slices.Clone(ss)
	slices.SortFunc(sorted, func(a, b sample) int { return int(a.wall - b.wall) })
	return &sorted[(len(sorted)-1)/2]
}

func peak(ss []sample) int64 {
	var m int64
	for _, s := range ss {
		m = max(m, s.rss)
	}
	return m
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// markdown renders the report: the machine, one row per measured command,
// then the targets.
func (r *report) markdown() string {
	var b strings.Builder
	release, _ := kernelInfo()
	fmt.Fprintf(&b, "## trustform benchmark, %s\n\n", r.date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %s memory, Linux %s, %s/%s, %s\n",
		runtime.NumCPU(), cpuModel(), gb(memTotal()), release, runtime.GOOS, runtime.GOARCH, goVersion())
	fmt.Fprintf(&b, "- Load average at start: %s\n", r.load)
	fmt.Fprintf(&b, "- Configuration: N executables (`sleep 3600`), one collection of %d CA certificates (ECDSA P-256), developer_certificate_trust = false, every tenth resource depends on the tenth before it\n", r.f.certs)
	fmt.Fprintf(&b, "- Times are wall clock, the median of %d runs for plans and one run otherwise; CPU is user+system of the command; RSS is the peak (wait4 ru_maxrss)\n\n", r.f.runs)

	b.WriteString("| Command | N | Wall | CPU | Peak RSS |\n|---|---:|---:|---:|---:|\n")
	row := func(name string, n int, s *sample) {
		if s == nil {
			return
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", name, n, secs(s.wall), secs(s.cpu), mb(s.rss))
	}
	for _, s := range r.sizes {
		row("`plan` (fresh, no state)", s.N, median(s.plan))
		row("`apply -auto-approve`", s.N, s.apply)
		row("`plan -detailed-exitcode` after apply (no-op, with refresh)", s.N, median(s.noop))
		row("`destroy -auto-approve`", s.N, s.destroy)
		row("`cp -a` of the naive tree", s.N, s.cp)
	}
	b.WriteString("\n")
	for _, s := range r.sizes {
		if s.apply != nil {
			f := s.files
			fmt.Fprintf(&b, "- N=%d: after apply `.trustform` holds %d regular files (%d distinct inodes, %s of data, of which state.json %s), %d symlinks, %d directories; %d processes were running\n",
				s.N, f.Files, f.Inodes, mb(f.Bytes), mb(f.State), f.Symlinks, f.Dirs, s.running)
			if s.destroy != nil || s.leftover > 0 {
				fmt.Fprintf(&b, "- N=%d: processes of this run left after destroy: %d\n", s.N, s.leftover)
			}
		}
		if s.applySkipped != "" {
			fmt.Fprintf(&b, "- N=%d: not applied: %s\n", s.N, s.applySkipped)
		}
		if s.naive != nil {
			fmt.Fprintf(&b, "- N=%d: the naive tree holds %d regular files (%s), %d symlinks, %d directories\n",
				s.N, s.naive.Files, mb(s.naive.Bytes), s.naive.Symlinks, s.naive.Dirs)
		}
		if s.cpSkipped != "" {
			fmt.Fprintf(&b, "- N=%d: cp -a not measured: %s\n", s.N, s.cpSkipped)
		}
	}

	b.WriteString("\n| Target | Measured | Result |\n|---|---:|---|\n")
	target := func(name, measured string, ok, known bool) {
		res := "not measured"
		if known {
			res = verdict(ok)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, measured, res)
	}
	s1, s5 := r.size(1000), r.size(5000)
	if s1 != nil && s1.apply != nil && s1.cp != nil {
		ratio := s1.apply.wall.Seconds() / s1.cp.wall.Seconds()
		target("apply(1,000) <= 1.5 x cp -a", fmt.Sprintf("%s / %s = %.2f x", secs(s1.apply.wall), secs(s1.cp.wall), ratio), ratio <= 1.5, true)
	} else {
		target("apply(1,000) <= 1.5 x cp -a", "-", false, false)
	}
	if s1 != nil && s5 != nil && len(s1.plan) > 0 && len(s5.plan) > 0 {
		p1, p5 := median(s1.plan).wall, median(s5.plan).wall
		ratio := p5.Seconds() / p1.Seconds()
		target("plan(5,000) / plan(1,000) <= 5.5", fmt.Sprintf("%s / %s = %.2f", secs(p5), secs(p1), ratio), ratio <= 5.5, true)
	} else {
		target("plan(5,000) / plan(1,000) <= 5.5", "-", false, false)
	}
	if s1 != nil && len(s1.noop) > 0 {
		w := median(s1.noop).wall
		target("no-op plan(1,000) < 0.3 s", secs(w), w < 300*time.Millisecond, true)
	} else {
		target("no-op plan(1,000) < 0.3 s", "-", false, false)
	}
	if s1 != nil {
		all := slices.Clone(s1.plan)
		all = append(all, s1.noop...)
		for _, s := range []*sample{s1.apply, s1.destroy} {
			if s != nil {
				all = append(all, *s)
			}
		}
		p := peak(all)
		target("peak RSS of any command at 1,000 < 150 MB", mb(p), p > 0 && p < 150e6, p > 0)
	}
	return b.String()
}

func gb(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GB", float64(b)/1e9)
}
