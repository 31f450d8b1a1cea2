package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/runtimes"
)

func statePath(t testing.TB) string {
	return filepath.Join(t.TempDir(), ".trustform", "state.json")
}

func sample(addr string) *Resource {
	return &Resource{
		Address: addr,
		Type:    strings.Split(addr, ".")[0],
		Name:    strings.Split(addr, ".")[1],
		Spec: &Spec{
			Kind: runtimes.Kind("node"),
			Argv: []string{"node", "index.js"},
			Env:  map[string]string{"NODE_EXTRA_CA_CERTS": "/x/cert.pem", "TOKEN": "s3cret"},
		},
		Handle:       runtimes.Handle{PID: 4242, StartTime: 99},
		Since:        time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		CreatedPaths: []string{"/x"},
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(statePath(t))
	if !errors.Is(err, ErrNoState) {
		t.Fatalf("Load of a missing file = %v, want ErrNoState", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := statePath(t)
	s := New("lin-1", "0.1.0")
	s.Upsert(sample("node_app.web"))
	s.Upsert(sample("container.cache"))
	s.Outputs = map[string]*Output{"x": {Value: []byte(`"v"`), Type: []byte(`"string"`)}}
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 1 {
		t.Errorf("Serial after first save = %d, want 1", s.Serial)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 1 || got.Lineage != "lin-1" || got.TrustformVersion != "0.1.0" || got.Version != Version {
		t.Errorf("loaded header = %d %s %s %d", got.Serial, got.Lineage, got.TrustformVersion, got.Version)
	}
	if addresses(got) != "container.cache,node_app.web" {
		t.Errorf("loaded resources = %s", addresses(got))
	}
	r := got.Lookup("node_app.web")
	if r == nil || r.Handle.PID != 4242 || r.Spec.Env["TOKEN"] != "s3cret" || !r.Since.Equal(sample("a.b").Since) {
		t.Errorf("resource did not round-trip: %+v", r)
	}
	if string(got.Outputs["x"].Value) != `"v"` {
		t.Errorf("outputs did not round-trip: %+v", got.Outputs)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("state mode = %v, want 0600 (env may hold secrets)", fi.Mode().Perm())
		}
	}
}

func TestSaveKeepsBackupAndBumpsSerial(t *testing.T) {
	path := statePath(t)
	s := New("lin", "dev")
	s.Upsert(sample("node_app.a"))
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	if _, err := os.Stat(BackupPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("first save made a backup (%v); there was nothing to back up", err)
	}
	s.Upsert(sample("node_app.b"))
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2 {
		t.Errorf("Serial = %d, want 2", s.Serial)
	}
	backup, err := os.ReadFile(BackupPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if string(backup) != string(first) {
		t.Errorf("backup holds\n%s\nwant the previous state\n%s", backup, first)
	}
	// Saving again without a change writes nothing.
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2 {
		t.Errorf("unchanged save moved Serial to %d", s.Serial)
	}
	backup2, _ := os.ReadFile(BackupPath(path))
	if string(backup2) != string(first) {
		t.Error("unchanged save replaced the backup")
	}
	if names := dirNames(t, filepath.Dir(path)); strings.Join(names, ",") != "state.json,state.json.backup" {
		t.Errorf(".trustform holds %v", names)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestSaveSortsResources(t *testing.T) {
	path := statePath(t)
	s := New("lin", "dev")
	s.Resources = append(s.Resources, sample("z.z"), sample("a.a"))
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Index(string(data), `"a.a"`) > strings.Index(string(data), `"z.z"`) {
		t.Error("resources are not sorted in the file")
	}
}

func TestSaveRefusesDuplicates(t *testing.T) {
	path := statePath(t)
	s := New("lin", "dev")
	s.Resources = append(s.Resources, sample("a.a"), sample("a.a"))
	if err := s.Save(path); err == nil {
		t.Fatal("saved a state with a duplicate address")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused save wrote the file")
	}
	if s.Serial != 0 {
		t.Errorf("refused save changed Serial to %d", s.Serial)
	}
}

func TestSaveRefusesOtherLineageAndNewerSerial(t *testing.T) {
	path := statePath(t)
	a := New("lineage-a", "dev")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b := New("lineage-b", "dev")
	b.Upsert(sample("x.y"))
	if err := b.Save(path); err == nil || !strings.Contains(err.Error(), "lineage") {
		t.Errorf("saving over another lineage: %v, want refusal", err)
	}
	// Two readers of serial 1: the second to save must not clobber the first.
	r1, _ := Load(path)
	r2, _ := Load(path)
	r1.Upsert(sample("x.one"))
	if err := r1.Save(path); err != nil {
		t.Fatal(err)
	}
	r1.Upsert(sample("x.two"))
	if err := r1.Save(path); err != nil {
		t.Fatal(err)
	}
	r2.Upsert(sample("x.three"))
	if err := r2.Save(path); err == nil || !strings.Contains(err.Error(), "changed by another run") {
		t.Errorf("stale save: %v, want refusal", err)
	}
	got, _ := Load(path)
	if got.Lookup("x.two") == nil {
		t.Error("a stale save overwrote newer state")
	}
}

func TestLoadCorrupt(t *testing.T) {
	tests := map[string]string{
		"syntax":     "{\n  \"version\": 1,\n  \"lineage\": \"l\",\n  \"resources\": [\n    {\"address\": }\n  ]\n}\n",
		"empty":      "",
		"wrong type": `{"version": 1, "lineage": "l", "serial": "seven"}`,
		"no version": `{"lineage": "l"}`,
		"duplicate":  `{"version": 1, "lineage": "l", "resources": [{"address": "a.b"}, {"address": "a.b"}]}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := statePath(t)
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want *CorruptError", err)
			}
			msg := err.Error()
			for _, want := range []string{path, "not modified", "there is no earlier state to restore: state.json.backup does not exist"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not mention %q", msg, want)
				}
			}
			// With a backup, the message sends the user to it.
			if err := os.WriteFile(BackupPath(path), []byte("{}"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = Load(path)
			if msg := err.Error(); !strings.Contains(msg, "restore the previous state from "+BackupPath(path)) {
				t.Errorf("with a backup, message %q does not name it", msg)
			}
			after, _ := os.ReadFile(path)
			if string(after) != content {
				t.Error("Load modified a corrupt file")
			}
		})
	}
}

func TestLoadCorruptNamesLine(t *testing.T) {
	path := statePath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	content := "{\n  \"version\": 1,\n  \"lineage\": \"l\",\n  \"serial\": 1,,\n}\n"
	os.WriteFile(path, []byte(content), 0o600)
	_, err := Load(path)
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Load = %v", err)
	}
	if ce.Line != 4 {
		t.Errorf("Line = %d, want 4 (%v)", ce.Line, err)
	}
	if !strings.Contains(err.Error(), path+":4:") {
		t.Errorf("message %q does not point at line 4", err)
	}
}

func TestNewerFormatRefused(t *testing.T) {
	path := statePath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	newer := map[string]any{
		"version": Version + 1, "trustform_version": "9.0.0", "lineage": "lin", "serial": 7,
		"resources": "a shape this build does not know",
	}
	content, _ := json.Marshal(newer)
	os.WriteFile(path, content, 0o600)

	_, err := Load(path)
	var ne *NewerFormatError
	if !errors.As(err, &ne) || ne.Format != Version+1 {
		t.Fatalf("Load = %v, want *NewerFormatError", err)
	}
	if !strings.Contains(err.Error(), "state was written by a newer trustform") ||
		!strings.Contains(err.Error(), "format 2") {
		t.Errorf("message %q", err)
	}

	s := New("lin", "dev")
	s.Serial = 100
	if err := s.Save(path); !errors.As(err, &ne) {
		t.Errorf("Save over a newer file = %v, want refusal", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(content) {
		t.Error("a newer state file was overwritten")
	}
}

func TestSaveReplacesCorruptKeepingItAsBackup(t *testing.T) {
	path := statePath(t)
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("garbage"), 0o600)
	s := New("lin", "dev")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	backup, _ := os.ReadFile(BackupPath(path))
	if string(backup) != "garbage" {
		t.Errorf("backup = %q, want the damaged file kept", backup)
	}
}

// An unchanged save writes nothing at every serial, also where the next
// serial has one digit more (the comparison swaps the serial line), and
// a changed one is written.
func TestSaveUnchangedAcrossSerialDigits(t *testing.T) {
	path := statePath(t)
	s := New("lin-1", "0.1.0")
	s.Upsert(sample("node_app.web"))
	for s.Serial < 9 {
		s.Upsert(sample(fmt.Sprintf("node_app.w%d", s.Serial)))
		if err := s.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(path)
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); s.Serial != 9 || string(after) != string(before) {
		t.Fatalf("unchanged save at serial 9 moved it to %d or rewrote the file", s.Serial)
	}
	s.Upsert(sample("node_app.last"))
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 10 || got.Serial != 10 || got.Lookup("node_app.last") == nil {
		t.Fatalf("changed save: serial %d, file serial %d", s.Serial, got.Serial)
	}
}

// The state file is written resource by resource; it must be exactly what
// json.MarshalIndent gives for the whole document, with and without
// resources, outputs (one named like the resources member) and materials.
func TestMarshalStateIsMarshalIndent(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    *State
	}{
		{"empty", New("lin", "dev")},
		{"shared materials", benchState(3, 4)},
		{"outputs", func() *State {
			s := benchState(2, 1)
			s.Outputs = map[string]*Output{
				"resources": {Value: []byte(`[]`), Type: []byte(`"list"`)},
				"x":         {Value: []byte(`"\n  \"resources\": []"`), Type: []byte(`"string"`), Sensitive: true},
			}
			return s
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, _, err := tc.s.encode()
			if err != nil {
				t.Fatal(err)
			}
			d := diskState{
				Version: tc.s.Version, TrustformVersion: tc.s.TrustformVersion, Serial: tc.s.Serial,
				Lineage: tc.s.Lineage, Dir: tc.s.Dir, Host: tc.s.Host,
				Resources: make([]diskResource, len(tc.s.Resources)), Outputs: tc.s.Outputs,
				Materials: map[string]*material{},
			}
			ix := newMaterialIndex()
			for i, r := range tc.s.Resources {
				if d.Resources[i], err = ix.toDisk(r, d.Materials); err != nil {
					t.Fatal(err)
				}
			}
			want, err := json.MarshalIndent(&d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, '\n')
			if !bytes.Equal(data, want) {
				t.Errorf("encoded state differs from json.MarshalIndent:\n%s", cmp.Diff(string(want), string(data)))
			}
		})
	}
}
