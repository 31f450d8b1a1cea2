package plan

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
)

// MarkdownLimit is the most characters RenderMarkdown writes: a GitHub
// comment holds 65,536, and a bot usually adds a little around the plan.
const MarkdownLimit = 60000

// RenderMarkdown writes the plan as a pull-request comment: the summary
// line, a table of counts (destroys first), the address of every resource
// to destroy, then one collapsible block per changing resource with a diff
// code block. Output never exceeds MarkdownLimit characters: blocks are
// dropped whole from the end (destroys come first, so they are the last
// to go) and a note says how many are not shown. Colour is never used.
func RenderMarkdown(w io.Writer, p *Plan) error {
	return renderMarkdown(w, p, MarkdownLimit)
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

func renderMarkdown(w io.Writer, p *Plan, limit int) error {
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
		head.WriteString("**No changes.** Your processes match the configuration.\n")
	} else {
		fmt.Fprintf(&head, "**Plan:** %d to add, %d to change, %d to destroy.\n\n", s.Add, s.Change, s.Destroy)
	}
	counts := map[Action]int{}
	for _, ch := range changing {
		counts[ch.Action]++
	}
	if len(changing) > 0 {
		head.WriteString("| Action | Resources |\n|---|---:|\n")
		for _, row := range []struct {
			a    Action
			text string
		}{{Delete, "destroy"}, {Replace, "replace"}, {Update, "update in-place"}, {Create, "create"}} {
			if counts[row.a] > 0 {
				fmt.Fprintf(&head, "| %s | %d |\n", row.text, counts[row.a])
			}
		}
		head.WriteString("\n")
	}
	if len(p.Drift) > 0 {
		head.WriteString("> **Note:** changed outside of trustform:")
		for i, d := range p.Drift {
			if i > 0 {
				head.WriteString(",")
			}
			fmt.Fprintf(&head, " `%s` (%s)", d.Address, d.Status)
		}
		head.WriteString(".\n\n")
	}
	if p.Devcert.Create {
		fmt.Fprintf(&head, "> **Note:** the development CA will be created in `%s`.\n\n", p.Devcert.Dir)
	}

	// Every destroy is named, even when its block does not fit.
	var destroys []string
	for _, ch := range changing {
		if ch.Action == Delete || ch.Action == Replace {
			destroys = append(destroys, ch.Address)
		}
	}
	const moreNote = "\n_%d more resources not shown: the plan is too long for a comment. Run `trustform plan` to see all of it._\n"
	reserve := len(moreNote) + 20
	if len(destroys) > 0 {
		var list bytes.Buffer
		list.WriteString("**To destroy:**")
		for i, a := range destroys {
			item := " `" + a + "`"
			if i > 0 {
				item = "," + item
			}
			left := len(destroys) - i
			if head.Len()+list.Len()+len(item)+reserve+64 > limit {
				fmt.Fprintf(&list, " and %d more", left)
				break
			}
			list.WriteString(item)
		}
		list.WriteString("\n\n")
		head.Write(list.Bytes())
	}

	// Blocks are rendered only until one does not fit: a plan of thousands
	// of resources costs a few blocks here, not all of them.
	var body bytes.Buffer
	shown := 0
	rc := newRenderCache(p.Dir)
	for _, ch := range changing {
		block := rc.markdownBlock(ch)
		if head.Len()+body.Len()+len(block)+reserve > limit {
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
	if shown < len(changing) {
		if _, err := fmt.Fprintf(w, moreNote, len(changing)-shown); err != nil {
			return err
		}
	}
	return nil
}

// markdownBlock is one resource: a summary line and, inside, the human
// diff with each symbol moved to the first column so GitHub colours it.
func (rc *renderCache) markdownBlock(ch *Change) string {
	var diff bytes.Buffer
	rc.renderChange(&diff, ch, styler{})
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><code>%s %s</code> %s</summary>\n\n```diff\n",
		strings.TrimSpace(actionSymbol(ch.Action)), ch.Address, header(ch))
	for _, line := range strings.Split(strings.TrimSuffix(diff.String(), "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "# "+ch.Address) {
			continue // the summary line says it
		}
		b.WriteString(diffLine(line))
		b.WriteByte('\n')
	}
	b.WriteString("```\n\n</details>\n\n")
	return b.String()
}

// diffLine moves a line's change symbol to column 0: + and - as they are,
// ~ and -/+ as "!", which diff highlighting shows as changed.
func diffLine(line string) string {
	if strings.HasPrefix(line, "-/+ ") {
		return "!  " + line[3:]
	}
	trimmed := strings.TrimLeft(line, " ")
	idx := len(line) - len(trimmed)
	if idx == 0 || len(trimmed) < 2 || trimmed[1] != ' ' {
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
