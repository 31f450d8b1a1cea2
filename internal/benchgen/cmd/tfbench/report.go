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
	// createCost is the mean time to create a file in the work
	// directory right before apply (probeCreate).
	createCost time.Duration
	// Yardsticks: the process floor and Terraform, and the plans' sizes.
	floor, tfPlan, tfApply, planJSON *sample
	tfSkipped                        string
	humanBytes, jsonBytes            int64
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
		row("`plan -json` (fresh)", s.N, s.planJSON)
		row("yardstick: Go loop starting N `sleep` processes", s.N, s.floor)
		row("yardstick: `terraform plan` of N `terraform_data`", s.N, s.tfPlan)
		row("yardstick: `terraform apply` of N `terraform_data`", s.N, s.tfApply)
		row("`cp -a` of the naive tree", s.N, s.cp)
	}
	b.WriteString("\n")
	for _, s := range r.sizes {
		if s.apply != nil {
			f := s.files
			fmt.Fprintf(&b, "- N=%d: after apply `.trustform` holds %d regular files (%d distinct inodes, %s of data, of which state.json %s), %d symlinks, %d directories; %d processes were running\n",
				s.N, f.Files, f.Inodes, mb(f.Bytes), mb(f.State), f.Symlinks, f.Dirs, s.running)
			if s.createCost > 0 {
				fmt.Fprintf(&b, "- N=%d: creating a file in the work directory took %d µs right before apply (mean of %d; tens of µs on an idle file system, up to about 500 µs after many recent deletions nearby: apply creates a log per resource)\n",
					s.N, s.createCost.Microseconds(), probeFiles)
			}
			if s.destroy != nil || s.leftover > 0 {
				fmt.Fprintf(&b, "- N=%d: processes of this run left after destroy: %d\n", s.N, s.leftover)
			}
		}
		fmt.Fprintf(&b, "- N=%d: human plan %s, `plan -json` %s\n", s.N, kb(s.humanBytes), kb(s.jsonBytes))
		if s.apply != nil {
			f := s.files
			fmt.Fprintf(&b, "- N=%d: `find .trustform | wc -l` after apply: %d\n", s.N, f.Files+f.Symlinks+f.Dirs)
		}
		if s.tfSkipped != "" {
			fmt.Fprintf(&b, "- N=%d: Terraform not measured: %s\n", s.N, s.tfSkipped)
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
	ratio := func(name string, x, y *sample, limit float64, below bool) {
		if x == nil || y == nil || y.wall <= 0 {
			target(name, "-", false, false)
			return
		}
		q := x.wall.Seconds() / y.wall.Seconds()
		ok := q <= limit
		if !below {
			ok = q >= limit
		}
		target(name, fmt.Sprintf("%s / %s = %.2f x", secs(x.wall), secs(y.wall), q), ok, true)
	}
	if s1 != nil {
		ratio("apply(1,000) <= 2.5 x the process floor", s1.apply, s1.floor, 2.5, true)
		if s1.destroy != nil {
			target("destroy(1,000) <= 1 s", secs(s1.destroy.wall), s1.destroy.wall <= time.Second, true)
		} else {
			target("destroy(1,000) <= 1 s", "-", false, false)
		}
		if s1.apply != nil {
			n := s1.files.Files + s1.files.Symlinks + s1.files.Dirs
			target("`.trustform` entries after apply(1,000) <= 3,000", fmt.Sprint(n), n <= 3000, true)
		}
		target("human plan(1,000) <= 250 KB", kb(s1.humanBytes), s1.humanBytes <= 250_000, s1.humanBytes > 0)
		target("`plan -json`(1,000) <= 1 MB", kb(s1.jsonBytes), s1.jsonBytes <= 1_000_000, s1.jsonBytes > 0)
		ratio("terraform plan / fresh plan(1,000) >= 12", s1.tfPlan, median(s1.plan), 12, false)
		if s1.tfApply != nil && s1.apply != nil && s1.apply.wall > 0 {
			fmt.Fprintf(&b, "| terraform apply / apply(1,000) | %s / %s = %.2f x | (no target) |\n",
				secs(s1.tfApply.wall), secs(s1.apply.wall), s1.tfApply.wall.Seconds()/s1.apply.wall.Seconds())
		}
		all := slices.Clone(s1.plan)
		all = append(all, s1.noop...)
		for _, s := range []*sample{s1.apply, s1.destroy, s1.planJSON} {
			if s != nil {
				all = append(all, *s)
			}
		}
		p := peak(all)
		target("peak RSS of any command at 1,000 <= 50 MB", mb(p), p > 0 && p <= 50e6, p > 0)
	}
	if s1 != nil && s5 != nil {
		grow := func(name string, a, b float64, show func(float64) string) {
			if a <= 0 || b <= 0 {
				target(name+"(5,000) / (1,000) <= 5.5", "-", false, false)
				return
			}
			target(name+"(5,000) / (1,000) <= 5.5", fmt.Sprintf("%s / %s = %.2f", show(b), show(a), b/a), b/a <= 5.5, true)
		}
		sec := func(v float64) string { return fmt.Sprintf("%.2f s", v) }
		size := func(v float64) string { return kb(int64(v)) }
		if len(s1.plan) > 0 && len(s5.plan) > 0 {
			grow("fresh plan time", median(s1.plan).wall.Seconds(), median(s5.plan).wall.Seconds(), sec)
			grow("fresh plan peak RSS", float64(peak(s1.plan)), float64(peak(s5.plan)), func(v float64) string { return mb(int64(v)) })
		}
		if s1.planJSON != nil && s5.planJSON != nil {
			grow("plan -json time", s1.planJSON.wall.Seconds(), s5.planJSON.wall.Seconds(), sec)
		}
		grow("human plan size", float64(s1.humanBytes), float64(s5.humanBytes), size)
		grow("plan -json size", float64(s1.jsonBytes), float64(s5.jsonBytes), size)
		if s1.apply != nil && s5.apply != nil {
			grow("apply time", s1.apply.wall.Seconds(), s5.apply.wall.Seconds(), sec)
		}
		if len(s1.noop) > 0 && len(s5.noop) > 0 {
			grow("no-op plan time", median(s1.noop).wall.Seconds(), median(s5.noop).wall.Seconds(), sec)
		}
		if s1.destroy != nil && s5.destroy != nil {
			grow("destroy time", s1.destroy.wall.Seconds(), s5.destroy.wall.Seconds(), sec)
		}
		if s1.apply != nil && s5.apply != nil {
			count := func(f fileCount) float64 { return float64(f.Files + f.Symlinks + f.Dirs) }
			grow("`.trustform` entries", count(s1.files), count(s5.files), func(v float64) string { return fmt.Sprint(int64(v)) })
			all := func(s *sizeResult) float64 {
				v := slices.Clone(s.noop)
				for _, x := range []*sample{s.apply, s.destroy} {
					if x != nil {
						v = append(v, *x)
					}
				}
				return float64(peak(v))
			}
			grow("peak RSS of apply, no-op plan and destroy", all(s1), all(s5), func(v float64) string { return mb(int64(v)) })
		}
	}
	return b.String()
}

func kb(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f KB", float64(b)/1e3)
}

func gb(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GB", float64(b)/1e9)
}
