package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

func TestParseSizes(t *testing.T) {
	got, err := parseSizes(" 1000, 5000,")
	if err != nil || !slices.Equal(got, []int{1000, 5000}) {
		t.Fatalf("parseSizes = %v, %v", got, err)
	}
	if got, err := parseSizes(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"10x", "0", "-5"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) accepted", bad)
		}
	}
}

func TestMedian(t *testing.T) {
	ss := []sample{{wall: 3 * time.Second}, {wall: time.Second}, {wall: 2 * time.Second}, {wall: 9 * time.Second}}
	if m := median(ss); m.wall != 2*time.Second {
		t.Errorf("median of 4 = %v, want the lower middle 2s", m.wall)
	}
	if m := median(ss[:3]); m.wall != 2*time.Second {
		t.Errorf("median of 3 = %v, want 2s", m.wall)
	}
	if median(nil) != nil {
		t.Error("median of nothing is not nil")
	}
}

func TestBenchEnvDropsTrustformSettings(t *testing.T) {
	env := benchEnv([]string{"PATH=/bin", "HOME=/root", "TRUSTFORM_LOG=trace", "TRUSTFORM_VAR_x=1"},
		map[string]string{"HOME": "/work/home"})
	slices.Sort(env)
	if want := []string{"HOME=/work/home", "PATH=/bin"}; !slices.Equal(env, want) {
		t.Errorf("benchEnv = %v, want %v", env, want)
	}
}

// The targets table: each verdict follows its figure, and a figure not
// measured says so instead of passing.
func TestMarkdownVerdicts(t *testing.T) {
	f := &flags{certs: 150, runs: 1}
	r := &report{f: f, date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)}
	s1 := &sizeResult{N: 1000,
		plan:       []sample{{wall: time.Second, rss: 40e6}},
		noop:       []sample{{wall: 200 * time.Millisecond, rss: 30e6}},
		apply:      &sample{wall: 2 * time.Second, rss: 60e6},
		destroy:    &sample{wall: 500 * time.Millisecond},
		floor:      &sample{wall: time.Second},
		tfPlan:     &sample{wall: 10 * time.Second},
		files:      fileCount{Files: 1000, Symlinks: 150, Dirs: 5},
		createCost: 480 * time.Microsecond,
		humanBytes: 300_000,
		jsonBytes:  700_000,
	}
	s5 := &sizeResult{N: 5000, plan: []sample{{wall: 6 * time.Second}}, humanBytes: 1_000_000, jsonBytes: 3_500_000,
		noop:    []sample{{wall: 900 * time.Millisecond, rss: 90e6}},
		apply:   &sample{wall: 8 * time.Second, rss: 150e6},
		destroy: &sample{wall: 3 * time.Second},
		files:   fileCount{Files: 5000, Symlinks: 150, Dirs: 5}}
	r.sizes = []*sizeResult{s1, s5}
	md := r.markdown()
	for _, want := range []string{
		"| apply(1,000) <= 2.5 x the process floor | 2.00 s / 1.00 s = 2.00 x | PASS |",
		"| destroy(1,000) <= 1 s | 0.50 s | PASS |",
		"| `.trustform` entries after apply(1,000) <= 3,000 | 1155 | PASS |",
		"| human plan(1,000) <= 250 KB | 300.0 KB | MISS |",
		"| `plan -json`(1,000) <= 1 MB | 700.0 KB | PASS |",
		"| terraform plan / fresh plan(1,000) >= 12 | 10.00 s / 1.00 s = 10.00 x | MISS |",
		"| peak RSS of any command at 1,000 <= 50 MB | 60.0 MB | MISS |",
		"| fresh plan time(5,000) / (1,000) <= 5.5 | 6.00 s / 1.00 s = 6.00 | MISS |",
		"| human plan size(5,000) / (1,000) <= 5.5 | 1000.0 KB / 300.0 KB = 3.33 | PASS |",
		"| `plan` (fresh, no state) | 5000 | 6.00 s |",
		"`find .trustform | wc -l` after apply: 1155",
		"- N=1000: creating a file in the work directory took 480 µs right before apply (mean of 200;",
		"| apply time(5,000) / (1,000) <= 5.5 | 8.00 s / 2.00 s = 4.00 | PASS |",
		"| no-op plan time(5,000) / (1,000) <= 5.5 | 0.90 s / 0.20 s = 4.50 | PASS |",
		"| destroy time(5,000) / (1,000) <= 5.5 | 3.00 s / 0.50 s = 6.00 | MISS |",
		"| `.trustform` entries(5,000) / (1,000) <= 5.5 | 5155 / 1155 = 4.46 | PASS |",
		"| peak RSS of apply, no-op plan and destroy(5,000) / (1,000) <= 5.5 | 150.0 MB / 60.0 MB = 2.50 | PASS |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}

	r.sizes = []*sizeResult{{N: 1000, plan: []sample{{wall: time.Second, rss: 40e6}}}}
	md = r.markdown()
	for _, want := range []string{
		"| apply(1,000) <= 2.5 x the process floor | - | not measured |",
		"| destroy(1,000) <= 1 s | - | not measured |",
		"| peak RSS of any command at 1,000 <= 50 MB | 40.0 MB | PASS |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestTerraformConfigShape(t *testing.T) {
	cfg := string(terraformConfig(21))
	if n := strings.Count(cfg, "resource \"terraform_data\""); n != 21 {
		t.Errorf("%d resources, want 21", n)
	}
	for _, want := range []string{"terraform_data.svc00000]", "terraform_data.svc00010]"} {
		if !strings.Contains(cfg, "depends_on = ["+want) {
			t.Errorf("config lacks the dependency on %s", want)
		}
	}
	if n := strings.Count(cfg, "depends_on"); n != 2 {
		t.Errorf("%d dependencies, want 2 (svc00010 and svc00020)", n)
	}
}

func TestCountFilesHardLinksOnce(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "state.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(root, "blob")
	if err := os.WriteFile(blob, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(blob, filepath.Join(root, "a", "x.pem")); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if err := os.Symlink("x.pem", filepath.Join(root, "a", "1234.0")); err != nil {
		t.Fatal(err)
	}
	c, err := countFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	want := fileCount{Files: 3, Symlinks: 1, Dirs: 2, Inodes: 2, Bytes: 7, State: 2}
	if c != want {
		t.Errorf("countFiles = %+v, want %+v", c, want)
	}
}

// taggedProcesses finds a process by its environment tag, and only it.
func TestTaggedProcesses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	sleep := testutil.NeedTool(t, "sleep", "apt-get install -y coreutils")
	tag := "TFBENCH_TEST=" + t.Name() + time.Now().Format("150405.000000000")
	cmd := exec.Command(sleep, "60")
	cmd.Env = append(os.Environ(), tag)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	// Start returns once the child has exec'd, so its environment is
	// there; the retries only spare a slow /proc.
	var got []int
	for range 50 {
		if got = taggedProcesses(tag); len(got) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !slices.Equal(got, []int{cmd.Process.Pid}) {
		t.Errorf("taggedProcesses = %v, want [%d]", got, cmd.Process.Pid)
	}
	if other := taggedProcesses(tag + "x"); len(other) != 0 {
		t.Errorf("a different tag matched %v", other)
	}
}

// The probe creates its files, keeps them, and reports a positive mean.
func TestProbeCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "probe")
	d, err := probeCreate(dir, 20)
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Errorf("mean %v, want > 0", d)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 20 {
		t.Errorf("%d files left (%v), want 20", len(ents), err)
	}
	if _, err := probeCreate(dir, 20); err == nil {
		t.Error("a second probe into the same directory did not fail on the existing files")
	}
}
