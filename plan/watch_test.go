package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// TestWatchChangeIsInPlaceUpdate checks that the watch list is planned and
// shown like other arguments, and that changing it updates state without
// restarting the process, which never sees it.
func TestWatchChangeIsInPlaceUpdate(t *testing.T) {
	fh := newFakeHost(t)
	withWatch := func(w ...string) func(*lang.Resource) { return func(r *lang.Resource) { r.Watch = w } }
	cfg := testConfig(t, res("node_app", "web", withWatch("/src/web/*.js")))
	first := mustBuild(t, input(cfg, fh.host(nil)))
	var out bytes.Buffer
	if err := RenderHuman(&out, first, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"/src/web/*.js"`) || !strings.Contains(out.String(), "watch") {
		t.Errorf("plan does not show the watch list:\n%s", out.String())
	}
	st := stateFrom(t, first, 1)

	cfg2 := testConfig(t, res("node_app", "web", withWatch("/src/web/*.js", "/src/shared.js")))
	in := withState(input(cfg2, fh.host(nil)), st)
	in.Refreshed = map[string]runtimes.Status{"node_app.web": runtimes.StatusRunning}
	p := mustBuild(t, in)
	if ch := change(t, p, "node_app.web"); ch.Action != Update {
		t.Errorf("watch change: %s %v, want update", ch.Action, ch.Reasons)
	}
}
