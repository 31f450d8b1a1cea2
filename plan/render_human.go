package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/state"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/diff"
	"github.com/trustform/trustform/internal/keys"
)

// ANSI colours, used only when asked for.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// styler colours symbols and headings when enabled.
type styler struct{ color bool }

func (s styler) wrap(code, text string) string {
	if !s.color || text == "" {
		return text
	}
	return code + text + ansiReset
}

func (s styler) bold(text string) string { return s.wrap(ansiBold, text) }

// sym colours a diff symbol: green +, yellow ~, red -.
func (s styler) sym(sym string) string {
	if !s.color {
		return sym
	}
	// The single symbols are most of the calls: one per list element.
	switch sym {
	case "+":
		return ansiGreen + "+" + ansiReset
	case "-":
		return ansiRed + "-" + ansiReset
	case "~":
		return ansiYellow + "~" + ansiReset
	}
	var b strings.Builder
	for _, r := range sym {
		switch r {
		case '+':
			b.WriteString(ansiGreen + "+" + ansiReset)
		case '-':
			b.WriteString(ansiRed + "-" + ansiReset)
		case '~':
			b.WriteString(ansiYellow + "~" + ansiReset)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RenderHuman writes the plan as Terraform does: drift, the legend, one
// block per changing resource, notes on developer certificates, the
// summary line and output changes. Colour codes are written only when
// color is set. Diagnostics are not part of this view: the caller prints
// them with their source lines.
func RenderHuman(w io.Writer, p *Plan, color bool) error {
	bw := bufio.NewWriter(w)
	st := styler{color: color}
	renderDrift(bw, p, st)

	var changing []*Change
	used := map[Action]bool{}
	for _, ch := range p.Changes {
		if ch.Action != NoOp {
			changing = append(changing, ch)
			used[ch.Action] = true
		}
	}
	outputsChange := false
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			outputsChange = true
		}
	}

	if len(changing) == 0 && !p.Devcert.Create {
		if outputsChange {
			fmt.Fprintln(bw, "Changes to Outputs:")
			renderOutputs(bw, p, st)
			fmt.Fprintln(bw)
			fmt.Fprintln(bw, "You can apply this plan to save these new output values to the trustform state, without starting or stopping anything.")
			return bw.Flush()
		}
		fmt.Fprintln(bw, st.bold("No changes.")+st.bold(" Your processes match the configuration."))
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "trustform has compared your running processes and containers with your configuration and found no differences, so no changes are needed.")
		return bw.Flush()
	}

	if len(changing) > 0 {
		rc := newRenderCache(p.Dir)
		rc.sets = true
		rc.shares = setShares(p, isCreate)
		fmt.Fprintln(bw, "Resource actions are indicated with the following symbols:")
		for _, l := range []struct {
			a    Action
			sym  string
			text string
		}{
			{Create, "  +", "create"},
			{Update, "  ~", "update in-place"},
			{Delete, "  -", "destroy"},
			{Replace, "-/+", "destroy and then create replacement"},
		} {
			if used[l.a] {
				fmt.Fprintf(bw, "%s %s\n", st.sym(l.sym), l.text)
			}
		}
		fmt.Fprintln(bw)
		renderTrustSets(bw, p, rc.shares, st)
		fmt.Fprintln(bw, "trustform will perform the following actions:")
		rc.renderChanges(bw, changing, st)
		fmt.Fprintln(bw)
	}
	renderDevcert(bw, p, st)
	s := p.Summary()
	fmt.Fprintf(bw, "%s %d to add, %d to change, %d to destroy.\n", st.bold("Plan:"), s.Add, s.Change, s.Destroy)
	if outputsChange {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Changes to Outputs:")
		renderOutputs(bw, p, st)
	}
	return bw.Flush()
}

func renderDrift(w io.Writer, p *Plan, st styler) {
	if len(p.Drift) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, st.bold("Note: Objects have changed outside of trustform"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, `trustform detected the following changes made outside of trustform since the last "trustform apply":`)
	for _, d := range p.Drift {
		fmt.Fprintln(w)
		what := "has exited"
		if d.Status == "missing" {
			what = "is missing"
		}
		id := ""
		switch {
		case d.Handle.PID != 0:
			id = fmt.Sprintf(" (pid %d)", d.Handle.PID)
		case d.Handle.ContainerID != "":
			id = fmt.Sprintf(" (container %s)", short(d.Handle.ContainerID))
		}
		fmt.Fprintf(w, "  %s %s%s\n", st.bold("# "+d.Address), what, id)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "trustform will start these again, or clean them up if they are no longer configured.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.Repeat("─", 77))
	fmt.Fprintln(w)
}

func renderDevcert(w io.Writer, p *Plan, st styler) {
	d := p.Devcert
	if d.Create {
		fmt.Fprintf(w, "%s The development CA will be created in %s\n", st.bold("Note:"), d.Dir)
		fmt.Fprintln(w, "and trusted by the resources whose certificates show \"(created by apply)\".")
		fmt.Fprintln(w)
	}
	if len(d.Used) > 0 {
		fmt.Fprintln(w, "Developer certificates used:")
		for _, u := range d.Used {
			fmt.Fprintf(w, "  - %s: %s (%s, sha256 %s)\n", u.Kind, u.Path, u.Subject, short(u.SHA256))
		}
		fmt.Fprintln(w)
	}
}

// renderChanges writes the resource blocks. A run of creates whose blocks
// are the same but for their address (a count, or resources generated
// alike) shows the first block in full and then one line per address:
// every address and every attribute stays visible, and a thousand alike
// resources cost a thousand short lines, not a thousand blocks.
func (rc *renderCache) renderChanges(w textWriter, changing []*Change, st styler) {
	var block bytes.Buffer
	// models maps the shape of each create shown in full to its address.
	models := map[string]*Change{}
	// model is the create the run folds into; prev the model before it,
	// which the next create often matches again (a resource with a
	// depends_on of its own between two runs of plain ones).
	var model, prev *Change
	var run []string
	flush := func() {
		if len(run) == 0 {
			return
		}
		what := "address"
		if model.After != nil && model.After.LogPath != "" {
			what = "address and the log_path named after it"
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  %s\n", st.bold(fmt.Sprintf("# %d more %s will be created like %s above, the same but for the %s:", len(run), plural(len(run), "resource"), model.Address, what)))
		plus := st.sym("  +") + " "
		for _, a := range run {
			w.WriteString(plus)
			w.WriteString(a)
			w.WriteString("\n")
		}
		run = run[:0]
	}
	for _, ch := range changing {
		if ch.Action != Create {
			flush()
			fmt.Fprintln(w)
			rc.renderChange(w, ch, st)
			continue
		}
		if len(run) > 0 && sameCreate(model, ch) {
			// The common case, decided without rendering the block.
			run = append(run, ch.Address)
			continue
		}
		if prev != nil && sameCreate(prev, ch) {
			// What rendering the block would find in models.
			flush()
			model, prev = prev, model
			run = append(run, ch.Address)
			continue
		}
		block.Reset()
		rc.renderChange(&block, ch, st)
		sh := blockShape(block.String(), ch)
		if m, ok := models[sh]; ok {
			if m != model {
				flush()
				model, prev = m, model
			}
			run = append(run, ch.Address)
			continue
		}
		flush()
		models[sh] = ch
		model, prev = ch, model
		fmt.Fprintln(w)
		w.Write(block.Bytes())
	}
	flush()
}

// sameCreate reports whether b's block would be a's but for the address,
// compared on the values the block shows: b then folds into a's run
// without being rendered. False only costs the rendering.
func sameCreate(a, b *Change) bool {
	if a == nil || a.After == nil || b.After == nil || a.Type != b.Type ||
		a.DevcertPending != b.DevcertPending || a.ActionReason != b.ActionReason ||
		!slices.Equal(a.Reasons, b.Reasons) || !slices.Equal(a.Inherited, b.Inherited) {
		return false
	}
	sa, sb := *a.After, *b.After
	// What tells resources apart most often is compared typed first:
	// reflect.DeepEqual looks up each env key through reflection, most
	// of this function's time for a thousand resources of a dozen trust
	// variables each.
	if !slices.Equal(sa.Argv, sb.Argv) || !maps.Equal(sa.Env, sb.Env) {
		return false
	}
	if strings.ReplaceAll(sa.LogPath, addrs.FileName(a.Address), "") != strings.ReplaceAll(sb.LogPath, addrs.FileName(b.Address), "") {
		return false
	}
	sa.LogPath, sb.LogPath = "", ""
	sa.Env, sb.Env = nil, nil
	sa.Argv, sb.Argv = nil, nil
	return reflect.DeepEqual(sa, sb)
}

// blockShape is a create's block with its address, the file name derived
// from it (the log) and its name taken out: two creates of the same shape
// differ in nothing else.
func blockShape(block string, ch *Change) string {
	s := strings.ReplaceAll(block, ch.Address, "\x00")
	if f := addrs.FileName(ch.Address); f != ch.Address {
		s = strings.ReplaceAll(s, f, "\x00")
	}
	return strings.Replace(s, strconv.Quote(ch.Name), "\x01", 1)
}

// header is the "# ADDR will be ..." line of each action.
func header(ch *Change) string {
	switch ch.Action {
	case Create:
		return "will be created"
	case Update:
		return "will be updated in-place"
	case Replace:
		if len(ch.Reasons) > 0 && ch.Reasons[0] == "tainted" {
			return "is tainted, so must be replaced"
		}
		if ch.ActionReason == ReasonReplaceByRequest {
			return "will be replaced, as requested"
		}
		return "must be replaced"
	case Delete:
		return "will be destroyed"
	}
	return "has no changes"
}

func actionSymbol(a Action) string {
	switch a {
	case Create:
		return "  +"
	case Update:
		return "  ~"
	case Replace:
		return "-/+"
	case Delete:
		return "  -"
	}
	return "   "
}

// textWriter is what the block renderers write to: a bufio.Writer or a
// bytes.Buffer, both of which take strings without a copy.
type textWriter interface {
	io.Writer
	io.StringWriter
}

// renderChange writes one resource block.
func (rc *renderCache) renderChange(w textWriter, ch *Change, st styler) {
	fmt.Fprintf(w, "  %s %s\n", st.bold("# "+ch.Address), st.bold(header(ch)))
	if why := reasonLine(ch); why != "" {
		fmt.Fprintf(w, "  # %s\n", why)
	}
	fmt.Fprintf(w, "%s resource %q %q {\n", st.sym(actionSymbol(ch.Action)), ch.Type, ch.Name)

	var before, after map[string]value
	var share *setShare
	switch ch.Action {
	case Create:
		after = rc.specAttrs(ch.After, 0, "", true, ch.DevcertPending)
		if share = shareOf(rc.shares, ch); share != nil {
			if env, ok := after["env"]; ok {
				for k := range share.env {
					delete(env.m, k)
				}
				if len(env.m) == 0 {
					delete(after, "env")
				}
			}
		}
	case Delete:
		before = rc.specAttrs(ch.Before, ch.Handle.PID, ch.Handle.ContainerID, false, false)
	case Replace:
		before = rc.specAttrs(ch.Before, ch.Handle.PID, ch.Handle.ContainerID, false, false)
		after = rc.specAttrs(ch.After, 0, "", true, ch.DevcertPending)
	default:
		before = rc.specAttrs(ch.Before, ch.Handle.PID, ch.Handle.ContainerID, false, false)
		after = rc.specAttrs(ch.After, ch.Handle.PID, ch.Handle.ContainerID, false, ch.DevcertPending)
	}
	// Only a replacement names what forces it; reading a nil map is fine.
	var forces map[string]bool
	var forcedKeys map[string]map[string]bool
	if ch.Action == Replace {
		forces = map[string]bool{}
		forcedKeys = map[string]map[string]bool{}
		for _, r := range ch.Reasons {
			if k, sub, ok := strings.Cut(r, "."); ok {
				if forcedKeys[k] == nil {
					forcedKeys[k] = map[string]bool{}
				}
				forcedKeys[k][sub] = true
			} else {
				forces[r] = true
			}
		}
	}

	names := sortedAttrNames(before, after)
	var shown []string
	hidden := 0
	for _, n := range names {
		if before[n].equal(after[n]) {
			hidden++
			continue
		}
		shown = append(shown, n)
	}
	width := 0
	for _, n := range shown {
		width = max(width, len(n))
	}
	for _, n := range shown {
		renderAttr(w, st, n, width, before[n], after[n], forces[n], forcedKeys[n])
	}
	if hidden > 0 && ch.Action != Create && ch.Action != Delete {
		fmt.Fprintf(w, "        # (%d unchanged %s hidden)\n", hidden, plural(hidden, "attribute"))
	}
	if share != nil && len(share.env) > 0 {
		fmt.Fprintf(w, "        # env: also the %d trust %s trust_set %q lists for each %s\n", len(share.env), plural(len(share.env), "variable"), ch.After.TrustSet, ch.Type)
	}
	inherited := ownInherited(ch, share)
	if share != nil && len(share.inherited) > 0 && len(inherited) == 0 {
		fmt.Fprintf(w, "        # inherited trust variables: as trust_set %q lists for each %s\n", ch.After.TrustSet, ch.Type)
	}
	if ch.Action != Delete && len(inherited) > 0 {
		if share != nil && len(share.inherited) > 0 {
			fmt.Fprintf(w, "        # inherited trust variables, besides those trust_set %q lists for each %s:\n", ch.After.TrustSet, ch.Type)
		} else {
			fmt.Fprintln(w, "        # inherited trust variables:")
		}
		for _, iv := range inherited {
			if ch.After != nil && rc.sets && ch.After.TrustSet != "" && ch.After.TrustDir != "" {
				iv.Result = moveDirIn(iv.Result, ch.After.TrustDir, "${trust_set."+ch.After.TrustSet+"}")
			}
			fmt.Fprintf(w, "        #   %s\n", inheritedLine(ch.After, iv))
		}
	}
	fmt.Fprintln(w, "    }")
}

// inheritedLine says where an inherited trust variable came from and what
// was done with it, masking values marked sensitive.
func inheritedLine(s *state.Spec, iv InheritedVar) string {
	value, result := strconv.Quote(iv.Value), strconv.Quote(iv.Result)
	if s != nil && slices.Contains(s.SensitiveEnv, iv.Name) {
		value = SensitiveMask
	}
	if s != nil && slices.Contains(s.SensitiveEnv, iv.Name) && iv.Action == ActionKept {
		result = SensitiveMask
	}
	from := "from env"
	switch iv.From {
	case FromEnvironment:
		from = "from trustform's environment"
	case FromJvmArgs:
		from = "from jvm_args"
	}
	if iv.In != "" {
		from = "in " + iv.In + " " + from
	}
	var what string
	switch iv.Action {
	case ActionMerged:
		into := ""
		if iv.Into != "" {
			into = " " + iv.Into + "="
		}
		what = "merged with ours into" + into + " " + result
		if iv.Format != "" {
			what += fmt.Sprintf(" (%s, %d %s)", iv.Format, iv.Certificates, plural(iv.Certificates, "certificate"))
		}
	case ActionReplaced:
		what = "replaced by " + result
	case ActionCleared:
		what = `cleared to ""`
	case ActionKeptAfterOurs:
		what = "kept after ours: " + result
	default:
		what = "kept"
		if iv.Result != iv.Value {
			what += ", ours added: " + result
		}
	}
	return fmt.Sprintf("%s = %s (%s): %s", iv.Name, value, from, what)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

const forcesNote = " # forces replacement"

// renderAttr writes one attribute at the block's indentation (6 spaces
// before the symbol).
func renderAttr(w textWriter, st styler, name string, width int, b, a value, forces bool, forcedKeys map[string]bool) {
	pad := name + strings.Repeat(" ", width-len(name))
	note := ""
	if forces {
		note = forcesNote
	}
	kind := a.kind
	if kind == vNone {
		kind = b.kind
	}
	switch {
	case b.kind == vNone: // added
		switch a.kind {
		case vScalar:
			fmt.Fprintf(w, "      %s %s = %s%s\n", st.sym("+"), pad, a.scalar, note)
		case vList:
			fmt.Fprintf(w, "      %s %s = [%s\n", st.sym("+"), pad, note)
			writeElems(w, "          "+st.sym("+")+" ", a.list)
			fmt.Fprintln(w, "        ]")
		case vMap:
			fmt.Fprintf(w, "      %s %s = {%s\n", st.sym("+"), pad, note)
			renderMapDiff(w, st, value{}, a, forcedKeys)
			fmt.Fprintln(w, "        }")
		}
	case a.kind == vNone: // removed
		switch b.kind {
		case vScalar:
			fmt.Fprintf(w, "      %s %s = %s -> null%s\n", st.sym("-"), pad, b.scalar, note)
		case vList:
			fmt.Fprintf(w, "      %s %s = [%s\n", st.sym("-"), pad, note)
			writeElems(w, "          "+st.sym("-")+" ", b.list)
			fmt.Fprintln(w, "        ] -> null")
		case vMap:
			fmt.Fprintf(w, "      %s %s = {%s\n", st.sym("-"), pad, note)
			renderMapDiff(w, st, b, value{}, forcedKeys)
			fmt.Fprintln(w, "        } -> null")
		}
	case kind == vScalar && a.kind == b.kind && a.scalar == b.scalar:
		// Same name, other content: a trust set that changed.
		fmt.Fprintf(w, "      %s %s = %s (changed)%s\n", st.sym("~"), pad, a.scalar, note)
	case a.kind != b.kind || kind == vScalar:
		fmt.Fprintf(w, "      %s %s = %s -> %s%s\n", st.sym("~"), pad, inline(b), inline(a), note)
	case kind == vList:
		fmt.Fprintf(w, "      %s %s = [%s\n", st.sym("~"), pad, note)
		renderListDiff(w, st, b.list, a.list)
		fmt.Fprintln(w, "        ]")
	case kind == vMap:
		fmt.Fprintf(w, "      %s %s = {%s\n", st.sym("~"), pad, note)
		renderMapDiff(w, st, b, a, forcedKeys)
		fmt.Fprintln(w, "        }")
	}
}

// writeElems writes one list element a line after prefix: the hot loop
// of a plan, 150 certificates for each of 1,000 resources, so no fmt.
func writeElems(w textWriter, prefix string, list []string) {
	for _, e := range list {
		w.WriteString(prefix)
		w.WriteString(e)
		w.WriteString(",\n")
	}
}

// inline shows a value on one line (a scalar turning into a list or back).
func inline(v value) string {
	switch v.kind {
	case vScalar:
		return v.scalar
	case vList:
		return "[" + strings.Join(v.list, ", ") + "]"
	case vMap:
		var parts []string
		for _, k := range keys.Sorted(v.m) {
			parts = append(parts, strconv.Quote(k)+" = "+display(v.m[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "null"
}

// renderMapDiff writes the elements of a map diff at element indentation.
func renderMapDiff(w textWriter, st styler, b, a value, forcedKeys map[string]bool) {
	keys := unionKeys(b.m, a.m)
	var shown []string
	hidden := 0
	width := 0
	for _, k := range keys {
		bv, bok := b.m[k]
		av, aok := a.m[k]
		if bok && aok && bv == av {
			hidden++
			continue
		}
		shown = append(shown, k)
		width = max(width, len(strconv.Quote(k)))
	}
	for _, k := range shown {
		qk := strconv.Quote(k)
		qk += strings.Repeat(" ", width-len(qk))
		note := ""
		if forcedKeys[k] {
			note = forcesNote
		}
		bv, bok := b.m[k]
		av, aok := a.m[k]
		bv, av = display(bv), display(av)
		switch {
		case !bok:
			fmt.Fprintf(w, "          %s %s = %s%s\n", st.sym("+"), qk, av, note)
		case !aok:
			if a.kind == vNone {
				fmt.Fprintf(w, "          %s %s = %s%s\n", st.sym("-"), qk, bv, note)
			} else {
				fmt.Fprintf(w, "          %s %s = %s -> null%s\n", st.sym("-"), qk, bv, note)
			}
		case bv == SensitiveMask && av == SensitiveMask:
			// A secret that changed: say so, as Terraform does, without
			// a "before -> after" of two masks.
			fmt.Fprintf(w, "          %s %s = %s%s\n", st.sym("~"), qk, av, note)
		default:
			fmt.Fprintf(w, "          %s %s = %s -> %s%s\n", st.sym("~"), qk, bv, av, note)
		}
	}
	if hidden > 0 {
		fmt.Fprintf(w, "            # (%d unchanged %s hidden)\n", hidden, plural(hidden, "element"))
	}
}

// renderListDiff writes a list diff: removed and added elements, one
// unchanged element of context around each change, the rest counted.
func renderListDiff(w textWriter, st styler, b, a []string) {
	lines := diff.Lines(b, a)
	show := make([]bool, len(lines))
	for i, l := range lines {
		if l.Kind != diff.Equal {
			show[i] = true
			if i > 0 {
				show[i-1] = true
			}
			if i+1 < len(lines) {
				show[i+1] = true
			}
		}
	}
	hidden := 0
	flush := func() {
		if hidden > 0 {
			fmt.Fprintf(w, "            # (%d unchanged %s hidden)\n", hidden, plural(hidden, "element"))
			hidden = 0
		}
	}
	for i, l := range lines {
		if !show[i] {
			hidden++
			continue
		}
		flush()
		if l.Kind == diff.Equal {
			w.WriteString("            ")
		} else {
			w.WriteString("          ")
			w.WriteString(st.sym(string(l.Kind)))
			w.WriteString(" ")
		}
		w.WriteString(l.Text)
		w.WriteString(",\n")
	}
	flush()
}

// renderOutputs lists changing outputs.
func renderOutputs(w io.Writer, p *Plan, st styler) {
	width := 0
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			width = max(width, len(o.Name))
		}
	}
	for _, o := range p.Outputs {
		if o.Action == NoOp {
			continue
		}
		name := o.Name + strings.Repeat(" ", width-len(o.Name))
		after := outputValue(o.After, o.Sensitive)
		if o.Unknown || o.AfterDevcert {
			after = knownAfterApply
		}
		before := outputValue(o.Before, o.Sensitive)
		switch o.Action {
		case Create:
			fmt.Fprintf(w, "  %s %s = %s\n", st.sym("+"), name, after)
		case Delete:
			fmt.Fprintf(w, "  %s %s = %s -> null\n", st.sym("-"), name, before)
		default:
			fmt.Fprintf(w, "  %s %s = %s -> %s\n", st.sym("~"), name, before, after)
		}
	}
}

// outputValue shows a JSON output value in HCL-like form.
func outputValue(js []byte, sensitive bool) string {
	if sensitive {
		return SensitiveMask
	}
	if len(js) == 0 {
		return "null"
	}
	var s string
	if err := json.Unmarshal(js, &s); err == nil {
		return strconv.Quote(s)
	}
	return string(js)
}
