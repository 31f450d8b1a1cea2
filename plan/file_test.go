package plan

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trustform/trustform/state"
)

func TestPlanFileRoundTrip(t *testing.T) {
	sc := goldenScenarios()[2] // replace: before, after, handles, outputs
	p := mustBuild(t, sc.in(t))
	path := filepath.Join(t.TempDir(), "tf.plan")
	if err := WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %o, want 0600 (it holds sensitive values)", fi.Mode().Perm())
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	// The saved plan renders exactly like the fresh one.
	var a, b bytes.Buffer
	RenderHuman(&a, p, false)
	RenderHuman(&b, got, false)
	if a.String() != b.String() {
		t.Error("saved plan renders differently")
	}
}

func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	gz := func(v any) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		json.NewEncoder(zw).Encode(v)
		zw.Close()
		return buf.Bytes()
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"text":    {[]byte("resource \"x\" {}"), "is not a trustform plan file"},
		"no mark": {gz(map[string]any{"plan": map[string]any{}}), "is not a trustform plan file"},
		"future":  {gz(map[string]any{"format": "trustform-plan/99", "plan": map[string]any{}}), `plan format "trustform-plan/99"`},
		"damaged": {gz(map[string]any{"format": FileFormat, "plan": "nope"}), "damaged plan file"},
	} {
		_, err := ReadFile(write(name, tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestCheckApplicable(t *testing.T) {
	p := &Plan{Lineage: "aaa", Serial: 4}
	if err := CheckApplicable(p, &state.State{Lineage: "aaa", Serial: 4}); err != nil {
		t.Errorf("matching state refused: %v", err)
	}
	if err := CheckApplicable(&Plan{}, nil); err != nil {
		t.Errorf("plan without state, no state: %v", err)
	}
	for name, tc := range map[string]struct {
		p     *Plan
		st    *state.State
		want  string
		stale bool
	}{
		"serial moved":        {p, &state.State{Lineage: "aaa", Serial: 5}, "Saved plan is stale", true},
		"other lineage":       {p, &state.State{Lineage: "bbb", Serial: 4}, "Saved plan is for a different state (lineage aaa, current bbb)", false},
		"state appeared":      {&Plan{}, &state.State{Lineage: "bbb", Serial: 1}, "Saved plan is stale", true},
		"state disappeared":   {p, nil, "Saved plan is stale", true},
		"state was recreated": {p, &state.State{Serial: 0}, "Saved plan is stale", true},
	} {
		err := CheckApplicable(tc.p, tc.st)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
			continue
		}
		if errors.Is(err, ErrStalePlan) != tc.stale {
			t.Errorf("%s: errors.Is(ErrStalePlan) = %v", name, !tc.stale)
		}
	}
}
