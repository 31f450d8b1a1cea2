package plan

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustform/trustform/state"
)

// stateSeeds are damaged state files of the shapes issue 12 found, and a
// good one to mutate from.
var stateSeeds = []string{
	`{"version":2,"lineage":"l","serial":1,"resources":[]}`,
	`{"version":2,"lineage":"l","serial":1,"resources":[null]}`,
	`{"version":2,"lineage":"l","serial":1,"resources":[{"address":"executable.a","type":"executable","name":"a","spec":null,"handle":{"pid":1,"start_time":1}}]}`,
	`{"version":2,"lineage":"l","serial":1,"resources":[{"address":"executable.a","type":"executable","name":"a","spec":{"kind":"process","argv":null,"env":{"":"x","A=B":"y"},"files":[null,{"path":""}],"certificates":[null]},"handle":{}}],"outputs":{"o":null}}`,
	`{"version":2,"lineage":"l","serial":1,"resources":[{"address":"executable.a","spec":{"material":"m"}}],"materials":{"m":null}}`,
	`{"version":1,"lineage":"l","serial":1,"resources":[{"address":"container.c","type":"container","name":"c","spec":{"kind":"container","container":null}}]}`,
}

// FuzzStateFile checks that no state file makes Load, the planner or the
// state renderers panic: a damaged file is a located error (issue 12).
func FuzzStateFile(f *testing.F) {
	for _, s := range stateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := filepath.Join(t.TempDir(), ".trustform")
		os.Mkdir(dir, 0o755)
		path := filepath.Join(dir, "state.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := state.Load(path)
		if err != nil {
			return
		}
		_ = RenderState(io.Discard, st, filepath.Dir(dir), false)
		_ = RenderStateJSON(io.Discard, st, filepath.Dir(dir))
		cfg := testConfig(t)
		h := newFakeHost(t).host(nil)
		for _, destroy := range []bool{false, true} {
			in := input(cfg, h)
			in.State, in.Destroy = st, destroy
			if p, diags := Build(in); !diags.HasErrors() && p != nil {
				_ = RenderHuman(io.Discard, p, false)
				_ = RenderJSON(io.Discard, p, nil)
			}
		}
	})
}

// planSeeds are saved-plan JSON documents (gzipped by the fuzz target).
var planSeeds = []string{
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[null]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[],"outputs":[null]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[],"drift":[null]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[],"warnings":[null]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[{"address":"executable.a","action":"create","after":null}]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[{"address":"executable.a","action":"replace","before":null,"after":{"kind":"process","files":[null]}}]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[{"address":"executable.a","action":"create","devcert_pending":true,"after":{"kind":"process","env":{"=":"x"}}}]}}`,
	`{"format":"trustform-plan/1","plan":{"dir":"/p","changes":[{"address":"container.c","action":"create","after":{"kind":"container","container":null}}]}}`,
}

// FuzzReadPlan checks that no saved plan makes Read, the renderers or the
// stale check panic.
func FuzzReadPlan(f *testing.F) {
	for _, s := range planSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		p, err := Read(&buf, "fuzz.plan")
		if err != nil {
			return
		}
		_ = CheckApplicable(p, nil)
		_ = CheckApplicable(p, &state.State{Lineage: "l", Serial: 1})
		_ = RenderHuman(io.Discard, p, false)
		_ = RenderJSON(io.Discard, p, nil)
		_ = RenderMarkdown(io.Discard, p, nil)
		_ = p.HasChanges()
	})
}
