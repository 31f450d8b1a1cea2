package process

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// BenchmarkStopZombieLeader is one stop as destroy does it in a new
// trustform run: the leader is not our child, so after SIGTERM it stays a
// zombie and the end of the group must be seen from its members.
func BenchmarkStopZombieLeader(b *testing.B) {
	r := New()
	dir := b.TempDir()
	inner := `echo $$ > leader.pid; exec sleep 300`
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		run := filepath.Join(dir, strconv.Itoa(i))
		if err := os.MkdirAll(run, 0o755); err != nil {
			b.Fatal(err)
		}
		parent, err := r.Start(context.Background(), &runtimes.LaunchSpec{
			Address: fmt.Sprintf("executable.b%d", i), Lineage: "bench",
			Argv:       []string{"sh", "-c", `setsid sh -c '` + inner + `' & exec sleep 300`},
			WorkingDir: run, BaseEnv: []string{"PATH=" + os.Getenv("PATH")},
		})
		if err != nil {
			b.Fatal(err)
		}
		h := waitLeader(b, filepath.Join(run, "leader.pid"))
		b.StartTimer()
		if err := r.Stop(context.Background(), h, time.Minute); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.Stop(context.Background(), parent, time.Minute); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func waitLeader(b *testing.B, path string) runtimes.Handle {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(path)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				b.Fatal(err)
			}
			info, err := readProc(pid)
			if err != nil {
				b.Fatal(err)
			}
			return runtimes.Handle{PID: pid, StartTime: info.start}
		}
		time.Sleep(time.Millisecond)
	}
	b.Fatal("no leader pid")
	return runtimes.Handle{}
}

// BenchmarkScanGroups is one look at every process on the machine for the
// groups being waited for.
func BenchmarkScanGroups(b *testing.B) {
	want := map[int]bool{os.Getpid(): true, 1: true}
	n, _ := pids()
	b.ReportMetric(float64(len(n)), "processes")
	for b.Loop() {
		if _, err := scanGroups(want); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStopSupervised is one stop of a supervised process while its
// supervisor has other children: the supervisor records and reaps the
// stopped one before Stop returns. Compare the sub-benchmarks' ns/op:
// waiting for any child made the kernel look at every sibling (154 µs a
// wait with 5,000). Measured here: 0.30-0.37 ms a stop beside 100, 0.58-
// 0.62 ms beside 2,000; 0.60-0.77 ms beside 2,000 with the reaper waiting
// for any child. The rest of the growth is outside the reaper.
func BenchmarkStopSupervised(b *testing.B) {
	for _, siblings := range []int{100, 2000} {
		b.Run(fmt.Sprintf("siblings=%d", siblings), func(b *testing.B) {
			r := New()
			r.RecordExits = true
			b.Cleanup(func() { r.Close() })
			dir := b.TempDir()
			start := func(name string) runtimes.Handle {
				h, err := r.Start(context.Background(), &runtimes.LaunchSpec{
					Address: "executable." + name, Lineage: "bench-stop-supervised",
					Argv: []string{"sleep", "600"}, WorkingDir: dir,
					BaseEnv: []string{"PATH=" + os.Getenv("PATH")},
					LogPath: filepath.Join(dir, name+".log"),
				})
				if err != nil {
					b.Fatal(err)
				}
				return h
			}
			var others []runtimes.Handle
			b.Cleanup(func() {
				for _, h := range others {
					r.Stop(context.Background(), h, time.Second)
				}
			})
			for i := range siblings {
				others = append(others, start(fmt.Sprintf("s%d", i)))
			}
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				h := start(fmt.Sprintf("b%d", i))
				b.StartTimer()
				if err := r.Stop(context.Background(), h, time.Minute); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
