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
