package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// planner holds what one Build accumulates.
type planner struct {
	in    *Input
	cfg   *lang.Config
	plan  *Plan
	mat   *materials
	lists map[string]*certList
	// sets are the trust sets by setKey, and in the order first built.
	sets     map[string]*builtSet
	setOrder []*builtSet
	keys     keyMemo
	reloc    *relocator
	// userBundles caches user-named bundle files by path.
	userBundles map[string]userBundle
	warns       hcl.Diagnostics
	// inheritedVars holds, per address, the inherited trust variables
	// and what was done with them.
	inheritedVars map[string][]InheritedVar
	// jvmArgs holds, per java_app address, jvm_args without the user's
	// trust store options.
	jvmArgs map[string][]string
	// unanchored records intermediate CAs already warned about.
	unanchored map[string]bool

	sysDone   bool
	sysRoots  []*pem.Certificate
	sysErr    error
	javaDone  bool
	javaCerts []*pem.Certificate
	javaErr   error

	// trustVars is runtimes.TrustVars(), built once rather than per
	// resource; trustVarNames holds their names.
	trustVars     []runtimes.TrustVar
	trustVarNames map[string]bool
	// envShares holds each trust environment decided so far.
	envShares map[envShareKey]*envShare
}

// Build decides what apply will do. It is pure: everything it knows of the
// machine comes through in (Host, Devcert, Refreshed), and it calls the
// functions there at most once each.
//
// The returned diagnostics hold warnings (also recorded in Plan.Warnings)
// and errors; when they contain errors the plan is nil.
func Build(in *Input) (*Plan, hcl.Diagnostics) {
	cfg := in.Config
	if cfg == nil {
		cfg = &lang.Config{}
	}
	p := &planner{in: in, cfg: cfg, reloc: newRelocator(cfg.Dir), trustVars: runtimes.TrustVars()}
	p.plan = &Plan{
		FormatVersion:    FormatVersion,
		TrustformVersion: in.Version,
		CreatedAt:        in.Now,
		Dir:              cfg.Dir,
		ConfigDigest:     configDigest(cfg),
		Destroy:          in.Destroy,
		Targets:          append([]string(nil), in.Targets...),
		Replace:          append([]string(nil), in.Replace...),
		ContainerRuntime: cfg.Settings.ContainerRuntime,
		EnvRead:          cfg.EnvRead,
		Blobs:            map[string][]byte{},
		Devcert:          DevcertPlan{Dir: in.Devcert.Dir},
	}
	p.mat = newMaterials(p.plan.Blobs)
	st := in.State
	if st == nil {
		st = &state.State{}
	}
	p.plan.Lineage = st.Lineage
	p.plan.Serial = st.Serial
	p.plan.StateJournal = st.JournalDigest()

	var diags hcl.Diagnostics
	include, targeted, via, d := p.targets(st)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}

	byAddr := make(map[string]*state.Resource, len(st.Resources))
	for _, sr := range st.Resources {
		byAddr[sr.Address] = sr
	}
	inConfig := make(map[string]bool, len(cfg.Resources))
	blocks := resourceBlocks(cfg)
	if !in.Destroy {
		// Every spec first: a resource's arguments may name another's
		// trust files, whose set is known only once that one is planned.
		type planned struct {
			r       *lang.Resource
			spec    *state.Spec
			pending *PendingTrust
		}
		var specs []planned
		for _, r := range cfg.Resources {
			inConfig[r.Address] = true
			if include != nil && !include[r.Address] {
				continue
			}
			spec, pending, d := p.resourceSpec(r)
			diags = append(diags, d...)
			if spec != nil {
				specs = append(specs, planned{r, spec, pending})
			}
		}
		nameSets(p.setOrder)
		for _, ps := range specs {
			p.reloc.relocateSpec(ps.spec)
			for i, iv := range p.inheritedVars[ps.r.Address] {
				p.inheritedVars[ps.r.Address][i].Result = p.reloc.rewrite(iv.Result)
			}
			if ps.spec.TrustDir != "" {
				for _, bs := range p.setOrder {
					if bs.set.Dir == ps.spec.TrustDir {
						ps.spec.TrustSet = bs.set.Name
						break
					}
				}
			}
			p.plan.Changes = append(p.plan.Changes, p.resourceChange(ps.r, ps.spec, ps.pending, byAddr[ps.r.Address]))
		}
	}
	for _, sr := range st.Resources {
		if include != nil && !include[sr.Address] {
			continue
		}
		if status, ok := p.status(sr); ok && status != runtimes.StatusRunning {
			p.plan.Drift = append(p.plan.Drift, &Drift{Address: sr.Address, Status: status, Handle: sr.Handle})
		}
		if inConfig[sr.Address] {
			continue
		}
		ch := &Change{
			Address: sr.Address, Type: sr.Type, Name: sr.Name,
			Action: Delete, Before: sr.Spec, Handle: sr.Handle,
		}
		if !in.Destroy {
			ch.ActionReason = deleteReason(sr.Address, blocks)
		}
		p.plan.Changes = append(p.plan.Changes, ch)
	}
	if diags.HasErrors() {
		return nil, append(diags, p.warns...)
	}
	sort.Slice(p.plan.Changes, func(i, j int) bool { return p.plan.Changes[i].Address < p.plan.Changes[j].Address })
	if d := p.replaceByRequest(st); d.HasErrors() {
		return nil, append(diags, d...)
	}
	p.markDependants(targeted, via)

	p.setActions()
	outs, d := p.outputs(st)
	diags = append(diags, d...)
	p.plan.Outputs = outs
	p.devcertPlan()
	p.plan.markDevcertOutputs()

	if include != nil {
		covers := "the -target resources and what they depend on"
		if in.Destroy {
			covers = "the -target resources and what depends on them"
		}
		p.warn(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Resource targeting is in effect",
			Detail: "This plan covers only " + covers + ", so it may not " +
				"show every change the configuration asks for.\n\n-target is for exceptional situations " +
				"such as recovering from a mistake; run a plan without it afterwards.",
		})
	}
	diags = append(diags, p.warns...)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, w := range p.warns {
		p.plan.Warnings = append(p.plan.Warnings, toWarning(w))
	}
	return p.plan, diags
}

func (p *planner) warn(d *hcl.Diagnostic) { p.warns = append(p.warns, d) }

func toWarning(d *hcl.Diagnostic) Warning {
	w := Warning{Summary: d.Summary, Detail: d.Detail}
	if d.Subject != nil {
		r := *d.Subject
		w.Range = &r
		w.Subject = fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
	}
	return w
}

// Diagnostics returns the plan's warnings as diagnostics, for rendering a
// saved plan.
func (p *Plan) Diagnostics() hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, w := range p.Warnings {
		out = append(out, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: w.Summary, Detail: w.Detail, Subject: w.Range})
	}
	return out
}

func (p *planner) systemRoots() ([]*pem.Certificate, error) {
	if !p.sysDone {
		p.sysDone = true
		if p.in.Host.SystemRoots == nil {
			p.sysErr = fmt.Errorf("no system root reader was given")
		} else {
			p.sysRoots, p.sysErr = p.in.Host.SystemRoots()
		}
	}
	return p.sysRoots, p.sysErr
}

func (p *planner) javaRoots() ([]*pem.Certificate, error) {
	if p.in.Host.JavaRoots == nil {
		return p.systemRoots()
	}
	if !p.javaDone {
		p.javaDone = true
		p.javaCerts, p.javaErr = p.in.Host.JavaRoots()
	}
	return p.javaCerts, p.javaErr
}

// status is what is known of a recorded resource: what refresh found, or,
// for a record without a handle, missing whether or not refresh ran (apply
// records a resource before starting it, so such a record is a start that
// never finished).
func (p *planner) status(sr *state.Resource) (runtimes.Status, bool) {
	if sr.Handle == (runtimes.Handle{}) {
		return runtimes.StatusMissing, true
	}
	s, ok := p.in.Refreshed[sr.Address]
	return s, ok && s != ""
}

// notRunning reports whether a recorded resource is known to be gone.
func (p *planner) notRunning(sr *state.Resource) bool {
	s, ok := p.status(sr)
	return ok && s != runtimes.StatusRunning
}

// resourceChange plans one configured resource against its state entry.
func (p *planner) resourceChange(r *lang.Resource, spec *state.Spec, pending *PendingTrust, sr *state.Resource) *Change {
	ch := &Change{Address: r.Address, Type: r.Type, Name: r.Name, After: spec, Inherited: p.inheritedVars[r.Address]}
	if pending != nil {
		ch.DevcertPending = true
		ch.Pending = pending
	}
	switch {
	case sr == nil || sr.Spec == nil:
		ch.Action = Create
	case p.notRunning(sr):
		// The process exited or the container vanished: start it again.
		// Handle still names the dead one so apply can clean it up (an
		// exited container keeps its name until removed).
		ch.Action = Create
		ch.Handle = sr.Handle
		ch.Reasons = []string{"drift"}
	case sr.Tainted:
		ch.Before = sr.Spec
		ch.Handle = sr.Handle
		ch.Action = Replace
		_, ch.Reasons = compareSpecs(sr.Spec, spec)
		ch.Reasons = append([]string{"tainted"}, ch.Reasons...)
		ch.ActionReason = ReasonTainted
	default:
		ch.Before = sr.Spec
		ch.Handle = sr.Handle
		ch.Action, ch.Reasons = compareSpecs(sr.Spec, spec)
		if ch.DevcertPending && ch.Action != Replace {
			// The CA apply creates is new, so whatever was trusted before
			// differs from it.
			ch.Action, ch.Reasons = Replace, appendUnique(ch.Reasons, "trust_set")
		}
		if ch.Action == Replace {
			ch.ActionReason = ReasonCannotUpdate
		}
	}
	return ch
}

// targets returns the addresses a -target plan covers, or nil for all.
// Creating and updating follows dependencies; destroying follows
// dependants, so nothing is left depending on what is gone. via maps each
// address reached through another to the one it was reached from (for a
// destroy: a resource it depends on), and targeted holds the addresses the
// user named.
func (p *planner) targets(st *state.State) (include, targeted map[string]bool, via map[string]string, diags hcl.Diagnostics) {
	if len(p.in.Targets) == 0 {
		return nil, nil, nil, nil
	}
	deps := map[string][]string{}
	for _, sr := range st.Resources {
		if sr.Spec != nil {
			deps[sr.Address] = sr.Spec.DependsOn
		} else if _, ok := deps[sr.Address]; !ok {
			deps[sr.Address] = nil
		}
	}
	if !p.in.Destroy {
		for _, r := range p.cfg.Resources {
			deps[r.Address] = r.DependsOn
		}
	}
	edges := deps
	if p.in.Destroy {
		edges = map[string][]string{}
		for from, tos := range deps {
			for _, to := range tos {
				edges[to] = append(edges[to], from)
			}
		}
		for _, tos := range edges {
			sort.Strings(tos)
		}
	}
	known := make([]string, 0, len(deps))
	for a := range deps {
		known = append(known, a)
	}
	sort.Strings(known)
	targeted, diags = resolveAddrs("target", p.in.Targets, known, p.in.Destroy)
	if diags.HasErrors() {
		return nil, nil, nil, diags
	}
	// Breadth first, so each dependant is explained by its nearest
	// destroyed dependency.
	include = map[string]bool{}
	via = map[string]string{}
	queue := make([]string, 0, len(targeted))
	for _, a := range known {
		if targeted[a] {
			include[a] = true
			queue = append(queue, a)
		}
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, b := range edges[a] {
			if include[b] {
				continue
			}
			include[b] = true
			via[b] = a
			queue = append(queue, b)
		}
	}
	return include, targeted, via, nil
}

// devcertPlan records which developer certificates the plan uses and
// whether apply must create the development CA.
func (p *planner) devcertPlan() {
	// A developer certificate counts as used wherever it entered a
	// resource's list, even through a collection.
	dev := map[string]bool{}
	if ca := p.in.Devcert.CA; ca != nil {
		dev[ca.SHA256] = false
	}
	for _, f := range p.in.Devcert.Found {
		if f.Cert != nil {
			dev[f.Cert.SHA256] = false
		}
	}
	for _, ch := range p.plan.Changes {
		if ch.After == nil || ch.Action == Delete {
			continue
		}
		if ch.DevcertPending {
			p.plan.Devcert.Create = true
		}
		if len(dev) == 0 {
			continue
		}
		for _, c := range ch.After.Certificates {
			if _, ok := dev[c.SHA256]; ok {
				dev[c.SHA256] = true
			}
		}
	}
	if ca := p.in.Devcert.CA; ca != nil && dev[ca.SHA256] {
		p.plan.Devcert.Used = append(p.plan.Devcert.Used, devcertSource("trustform", filepath.Join(p.in.Devcert.Dir, "ca.pem"), ca))
		dev[ca.SHA256] = false
	}
	for _, f := range p.in.Devcert.Found {
		if f.Cert != nil && dev[f.Cert.SHA256] {
			p.plan.Devcert.Used = append(p.plan.Devcert.Used, devcertSource(f.Kind, f.Path, f.Cert))
			dev[f.Cert.SHA256] = false
		}
	}
}

func devcertSource(kind, path string, c *pem.Certificate) DevcertSource {
	s := DevcertSource{Kind: kind, Path: path, SHA256: c.SHA256}
	if c.X509 != nil {
		s.Subject = c.X509.Subject.String()
	}
	return s
}

// configDigest identifies the configuration a plan was made from: every
// file's bytes, the variable values and the env() values read.
func configDigest(cfg *lang.Config) string {
	h := sha256.New()
	for _, name := range keys.Sorted(cfg.Files) {
		f := cfg.Files[name]
		fmt.Fprintf(h, "file %q %d\n", name, len(f.Bytes))
		h.Write(f.Bytes)
	}
	for _, name := range keys.Sorted(cfg.Variables) {
		v := cfg.Variables[name]
		val, _ := v.Value.UnmarkDeep()
		var js []byte
		if val.IsWhollyKnown() && val.Type() != cty.NilType {
			js, _ = ctyjson.Marshal(val, val.Type())
		}
		fmt.Fprintf(h, "var %q %s\n", name, js)
	}
	for _, name := range keys.Sorted(cfg.EnvRead) {
		fmt.Fprintf(h, "env %q %q\n", name, cfg.EnvRead[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
