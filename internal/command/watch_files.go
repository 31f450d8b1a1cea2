package command

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/trustform/trustform/internal/watch"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
)

// watchEntries lists what up -watch listens to: every configuration and
// variable file (also ones created later), the -var-file files, the files
// the configuration read (certificates through file() and collections'
// patterns), the development CA's files, and every resource's watch
// entries. cfg may be nil or partial (a configuration with errors): what
// it names is then missing, and the caller keeps the entries it had.
func watchEntries(dir, devcertDir string, vars []lang.VarFlag, cfg *lang.Config) []string {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, p)
	}
	out := []string{
		filepath.Join(dir, "*"+lang.ConfigSuffix),
		filepath.Join(dir, "*"+lang.VarsSuffix),
	}
	for _, v := range vars {
		if v.File != "" {
			out = append(out, abs(v.File))
		}
	}
	if devcertDir != "" {
		out = append(out, filepath.Join(devcertDir, "*.pem"))
	}
	if cfg != nil {
		for name := range cfg.Files {
			out = append(out, abs(name))
		}
		out = append(out, cfg.Inputs...)
		for _, r := range cfg.Resources {
			out = append(out, r.Watch...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// watchForced returns the running resources that a change to changed
// replaces because one of their watch entries covers it: those in the
// configuration and in state (a resource about to be created needs no
// forcing).
func watchForced(cfg *lang.Config, inState func(addr string) bool, changed []string) []string {
	watches := map[string][]string{}
	for _, r := range cfg.Resources {
		if len(r.Watch) > 0 && inState(r.Address) {
			watches[r.Address] = r.Watch
		}
	}
	return watch.Affected(watches, changed)
}

// watchChangeLine is the line up -watch prints for one burst of changes:
// which files changed, relative to the configuration directory, and what
// the plan made of it.
func watchChangeLine(dir string, changed []string, p *plan.Plan) string {
	return fmt.Sprintf("~ watch: %s changed: %s", changedNames(dir, changed), planVerdict(p))
}

// changedNames shows at most three changed files, relative to dir when
// inside it.
func changedNames(dir string, changed []string) string {
	names := make([]string, 0, len(changed))
	for _, p := range changed {
		if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = filepath.ToSlash(rel)
		}
		names = append(names, p)
	}
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}

// planVerdict says, per action, which addresses the plan touches, in the
// order apply does them.
func planVerdict(p *plan.Plan) string {
	var parts []string
	for _, g := range []struct {
		verb   string
		action plan.Action
	}{{"replacing", plan.Replace}, {"creating", plan.Create}, {"updating", plan.Update}, {"destroying", plan.Delete}} {
		var addrs []string
		for _, c := range p.Changes {
			if c.Action == g.action {
				addrs = append(addrs, c.Address)
			}
		}
		if len(addrs) > 0 {
			parts = append(parts, g.verb+" "+strings.Join(addrs, ", "))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, "; ")
}
