package plan

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// MarkdownLimit is the most characters RenderMarkdown writes: a GitHub
// comment holds 65,536, and a bot usually adds a little around the plan.
const MarkdownLimit = 60000

// RenderMarkdown writes the plan as a pull-request comment: the summary
// line, a table of counts (destroys first), the warnings in a GitHub
// alert, the address of every resource to destroy and, on a line of their
// own, every resource to replace, then one collapsible block per changing
// resource with a diff code block.
//
// Output never exceeds MarkdownLimit characters: blocks are dropped whole
// from the end (destroys come first, so they are the last to go) and the
// comment ends by naming every resource whose block it left out. Colour is
// never used.
//
// diags are the diagnostics of the run that made the plan; their warnings
// are shown (a configuration's certificate warnings come from loading it,
// not from planning). For a saved plan, pass p.Diagnostics().
func RenderMarkdown(w io.Writer, p *Plan, diags hcl.Diagnostics) error {
	return renderMarkdown(w, p, diags, MarkdownLimit)
}

// mdRank orders blocks: destroys first, then replacements, updates,
// creations.
func mdRank(a Action) int {
	switch a {
	case Delete:
		return 0
	case Replace:
		return 1
	case Update:
		return 2
	}
	return 3
}

// mdActions are the actions of the table and the "not shown" list, in
// block order, with the words used for them.
var mdActions = []struct {
	a    Action
	text string
}{{Delete, "destroy"}, {Replace, "replace"}, {Update, "update in-place"}, {Create, "create"}}

// Parts of the comment whose text does not depend on the plan.
const (
	mdMoreNote = "\n_%d of %d resources are not shown: the plan is too long for one comment. Run `trustform plan` to see all of it._\n\nNot shown:\n"
	// mdWarningsMax bounds the warnings so that a configuration with many
	// bad certificates still leaves room for the plan itself.
	mdWarningsMax = 8000
)

func renderMarkdown(w io.Writer, p *Plan, diags hcl.Diagnostics, limit int) error {
	var changing []*Change
	for _, ch := range p.Changes {
		if ch.Action != NoOp {
			changing = append(changing, ch)
		}
	}
	sort.SliceStable(changing, func(i, j int) bool {
		ri, rj := mdRank(changing[i].Action), mdRank(changing[j].Action)
		if ri != rj {
			return ri < rj
		}
		return changing[i].Address < changing[j].Address
	})

	var head bytes.Buffer
	head.WriteString("### trustform plan\n\n")
	s := p.Summary()
	if len(changing) == 0 && !p.Devcert.Create {
		head.WriteString("**No changes.** Your processes match the configuration.\n\n")
	} else {
		fmt.Fprintf(&head, "**Plan:** %d to add, %d to change, %d to destroy.\n\n", s.Add, s.Change, s.Destroy)
	}
	byAction := map[Action][]string{}
	for _, ch := range changing {
		byAction[ch.Action] = append(byAction[ch.Action], ch.Address)
	}
	if len(changing) > 0 {
		head.WriteString("| Action | Resources |\n|---|---:|\n")
		for _, row := range mdActions {
			if n := len(byAction[row.a]); n > 0 {
				fmt.Fprintf(&head, "| %s | %d |\n", row.text, n)
			}
		}
		head.WriteString("\n")
	}
	writeMarkdownWarnings(&head, warningsOf(p, diags))
	if p.Devcert.Create {
		fmt.Fprintf(&head, "> **Note:** the development CA will be created in %s.\n\n", mdCode(p.Devcert.Dir))
	}

	// Every destroy and every replacement is named, even when its block
	// does not fit: a reviewer must not have to expand anything to see
	// what stops. Replacements are not destroys (they start again), so
	// they get their own line. Only a plan of many thousands of resources
	// runs out of room here; destroys are the last to lose their names.
	reserve := len(mdMoreNote) + 16 + 4*len("- to update in-place: and 99999 more\n")
	var drift []string
	for _, d := range p.Drift {
		drift = append(drift, mdCode(d.Address)+" ("+string(d.Status)+")")
	}
	lists := fitLists(limit-head.Len()-reserve, []itemList{
		{label: "**To destroy:**", items: codes(byAction[Delete]), end: "\n\n"},
		{label: "**To replace** (stopped, then started again):", items: codes(byAction[Replace]), end: "\n\n"},
		{label: "> **Note:** changed outside of trustform:", items: drift, end: ".\n\n"},
	})
	head.WriteString(lists[2])
	head.WriteString(lists[0])
	head.WriteString(lists[1])

	// The blocks in order: destroys first (the last to be cut), then each
	// changed trust set once, before the resources that name it, then
	// replacements, updates and creations.
	type mdItem struct {
		name  string // address, or trust_set.NAME
		set   *TrustSet
		ch    *Change
		group string // the "Not shown" label
	}
	var items []mdItem
	for _, ch := range changing {
		if ch.Action == Delete {
			items = append(items, mdItem{name: ch.Address, ch: ch, group: "to destroy"})
		}
	}
	for _, set := range changedSets(p) {
		items = append(items, mdItem{name: "trust_set." + set.Name, set: set, group: "trust sets"})
	}
	for _, ch := range changing {
		if ch.Action != Delete {
			items = append(items, mdItem{name: ch.Address, ch: ch, group: "to " + actionText(ch.Action)})
		}
	}

	// notShown[i] bounds the length of the closing list when the blocks
	// from i on are left out: every name plus its separator, and each
	// group's label.
	notShown := make([]int, len(items)+1)
	for i := len(items) - 1; i >= 0; i-- {
		notShown[i] = notShown[i+1] + len(mdCode(items[i].name)) + 2
	}
	footer := func(i int) int {
		if i == len(items) {
			return 0
		}
		return notShown[i] + reserve + 5*32
	}

	// Blocks are rendered only until one does not fit: a plan of thousands
	// of resources costs a few blocks here, not all of them.
	var body bytes.Buffer
	shown := 0
	rc := newRenderCache(p.Dir)
	rc.sets = true
	rc.shares = setShares(p, isCreate)
	for i, it := range items {
		var block string
		if it.set != nil {
			block = mdSetBlock(p, it.set, rc.shares)
		} else {
			block = rc.markdownBlock(it.ch)
		}
		if head.Len()+body.Len()+len(block)+footer(i+1) > limit {
			break
		}
		body.WriteString(block)
		shown++
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	if _, err := w.Write(body.Bytes()); err != nil {
		return err
	}
	if shown == len(items) {
		return nil
	}
	left := map[string][]string{}
	resourcesLeft := 0
	for _, it := range items[shown:] {
		left[it.group] = append(left[it.group], it.name)
		if it.ch != nil {
			resourcesLeft++
		}
	}
	var tail bytes.Buffer
	fmt.Fprintf(&tail, mdMoreNote, resourcesLeft, len(changing))
	var groups []itemList
	for _, g := range []string{"to destroy", "trust sets", "to replace", "to update in-place", "to create"} {
		groups = append(groups, itemList{label: "- " + g + ":", items: codes(left[g]), end: "\n"})
	}
	for _, l := range fitLists(limit-head.Len()-body.Len()-tail.Len(), groups) {
		tail.WriteString(l)
	}
	_, err := w.Write(tail.Bytes())
	return err
}

// actionText is how the table and the "Not shown" list name an action.
func actionText(a Action) string {
	for _, row := range mdActions {
		if row.a == a {
			return row.text
		}
	}
	return string(a)
}

// itemList is a label, comma-separated items and an end, all written
// on one line; nothing at all when there are no items.
type itemList struct {
	label string
	items []string
	end   string
}

// minLen is the shortest form of l: its label, "and N more" and end.
func (l itemList) minLen() int {
	if len(l.items) == 0 {
		return 0
	}
	return len(l.label) + len(fmt.Sprintf(" and %d more", len(l.items))) + len(l.end)
}

// write renders l in at most budget characters (or its minLen, when
// that is more): items that do not fit are counted, not named.
func (l itemList) write(budget int) string {
	if len(l.items) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(l.label)
	for i, item := range l.items {
		sep := " "
		if i > 0 {
			sep = ", "
		}
		room := len(l.end)
		if rest := len(l.items) - i - 1; rest > 0 {
			room += len(fmt.Sprintf(", and %d more", rest))
		}
		if b.Len()+len(sep)+len(item)+room > budget {
			fmt.Fprintf(&b, "%sand %d more", sep, len(l.items)-i)
			break
		}
		b.WriteString(sep)
		b.WriteString(item)
	}
	b.WriteString(l.end)
	return b.String()
}

// fitLists renders lists within budget characters in all: each gets its
// shortest form first, and the room left goes to the lists in order, so
// the first list is the last to lose names.
func fitLists(budget int, lists []itemList) []string {
	extra := budget
	for _, l := range lists {
		extra -= l.minLen()
	}
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = l.write(l.minLen() + max(extra, 0))
		extra -= len(out[i]) - l.minLen()
	}
	return out
}

// codes is each address as a code span.
func codes(addrs []string) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = mdCode(a)
	}
	return out
}

// warningsOf is every warning of the run once: those of diags, or for a
// saved plan without diags, those the plan recorded.
func warningsOf(p *Plan, diags hcl.Diagnostics) []Warning {
	var out []Warning
	seen := map[Warning]bool{}
	add := func(w Warning) {
		w.Range = nil
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			add(toWarning(d))
		}
	}
	if diags == nil {
		for _, w := range p.Warnings {
			add(w)
		}
	}
	return out
}

// writeMarkdownWarnings writes one GitHub alert holding every warning:
// the summary in bold, where it is, and the detail.
func writeMarkdownWarnings(b *bytes.Buffer, warns []Warning) {
	if len(warns) == 0 {
		return
	}
	start := b.Len()
	b.WriteString("> [!WARNING]\n")
	for i, w := range warns {
		if b.Len()-start > mdWarningsMax {
			fmt.Fprintf(b, ">\n> _%d more %s not shown: run `trustform plan` to see them._\n", len(warns)-i, plural(len(warns)-i, "warning"))
			break
		}
		if i > 0 {
			b.WriteString(">\n")
		}
		b.WriteString("> **" + mdEscape(w.Summary) + "**")
		if w.Subject != "" {
			b.WriteString(" (" + mdCode(w.Subject) + ")")
		}
		b.WriteString("\n")
		if w.Detail != "" {
			for _, line := range strings.Split(strings.TrimRight(w.Detail, "\n"), "\n") {
				if line == "" {
					b.WriteString(">\n")
					continue
				}
				b.WriteString("> " + mdEscape(line) + "\n")
			}
		}
	}
	b.WriteString("\n")
}

// mdEscape makes text safe as Markdown: no emphasis, links, HTML or
// table cells from what a user wrote in a certificate subject or a path.
func mdEscape(s string) string {
	return mdEscaper.Replace(s)
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`,
)

// mdCode is s as a code span; an address with a for_each key may hold a
// backtick, which a longer fence keeps literal.
func mdCode(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return "`` " + s + " ``"
}

// markdownBlock is one resource: a summary line and, inside, the human
// diff with each symbol moved to the first column so GitHub colours it.
// Every line of the diff starts with a diff prefix: a closing bracket
// takes the symbol of the line that opened it, so a removed list is red
// to its "] -> null".
func (rc *renderCache) markdownBlock(ch *Change) string {
	var diff bytes.Buffer
	rc.renderChange(&diff, ch, styler{})
	summary := fmt.Sprintf("<code>%s %s</code> %s",
		strings.TrimSpace(actionSymbol(ch.Action)), html.EscapeString(ch.Address), header(ch))
	if why := reasonLine(ch); why != "" {
		summary += " " + html.EscapeString(why)
	}
	return mdDiffBlock(summary, diff.String(), func(trimmed string) bool {
		return strings.HasPrefix(trimmed, "# "+ch.Address) || strings.HasPrefix(trimmed, "# (because ")
	})
}

// mdDiffBlock wraps a human diff in a collapsible block, leaving out the
// lines skip says the summary already says.
func mdDiffBlock(summary, diff string, skip func(trimmed string) bool) string {
	var b strings.Builder
	b.WriteString("<details><summary>" + summary)
	b.WriteString("</summary>\n\n```diff\n")
	var open []byte // the symbol of each bracket still open
	for _, line := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if skip(trimmed) {
			continue
		}
		out := diffLine(line)
		sym := out[0]
		if (strings.HasPrefix(trimmed, "]") || strings.HasPrefix(trimmed, "}")) && len(open) > 0 {
			sym = open[len(open)-1]
			open = open[:len(open)-1]
			out = string(sym) + out[1:]
		}
		if code := strings.TrimSuffix(trimmed, forcesNote); strings.HasSuffix(code, "[") || strings.HasSuffix(code, "{") {
			open = append(open, sym)
		}
		b.WriteString(out)
		b.WriteByte('\n')
	}
	b.WriteString("```\n\n</details>\n\n")
	return b.String()
}

// diffLine moves a line's change symbol to column 0: + and - as they are,
// ~ and -/+ as "!", which diff highlighting shows as changed. A line with
// no symbol starts with a space, the prefix of an unchanged line.
func diffLine(line string) string {
	if strings.HasPrefix(line, "-/+ ") {
		return "!  " + line[3:]
	}
	trimmed := strings.TrimLeft(line, " ")
	idx := len(line) - len(trimmed)
	if idx == 0 {
		return " " + line
	}
	if len(trimmed) < 2 || trimmed[1] != ' ' {
		return line
	}
	sym := trimmed[0]
	switch sym {
	case '+', '-':
	case '~':
		sym = '!'
	default:
		return line
	}
	return string(sym) + line[1:idx] + " " + trimmed[1:]
}
