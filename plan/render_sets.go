package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/trustform/trustform/state"
)

// setCertLines shows a set's certificates one per line with the source
// each came from, the system roots of system scope collapsed into one line
// as in certLines.
func setCertLines(certs []state.Certificate) []string {
	list := make([]string, 0, len(certs))
	var system []string
	for _, c := range certs {
		if c.Source == sourceSystem {
			system = append(system, c.SHA256)
			continue
		}
		var text string
		if c.SHA256 == "" {
			text = c.Subject + " (created by apply"
		} else {
			text = c.Subject + " (sha256 " + short(c.SHA256) + ", expires " + c.NotAfter.UTC().Format("2006-01-02")
		}
		if c.Source != "" {
			text += ", from " + c.Source
		}
		list = append(list, strconv.Quote(text+")"))
	}
	if len(system) > 0 {
		h := sha256.Sum256([]byte(strings.Join(system, "\n")))
		list = append(list, strconv.Quote(strconv.Itoa(len(system))+" system root certificates (set digest "+short(hex.EncodeToString(h[:]))+", from system)"))
	}
	return list
}

// setHeader is the comment line above a set's block.
func setHeader(s *TrustSet) string {
	n := len(s.UsedBy)
	used := fmt.Sprintf("used by %d %s", n, plural(n, "resource"))
	switch s.Action {
	case SetCreate:
		return "will be created, " + used
	case SetUpdate:
		what := "changed"
		if s.PreviousName != "" && s.PreviousName != s.Name {
			what = "replaces " + strconv.Quote(s.PreviousName)
		}
		return what + ": written to a new directory, " + used
	case SetDelete:
		return fmt.Sprintf("will be removed: no resource uses it any more (%d did)", n)
	}
	return "is unchanged, " + used
}

// changedSets are the sets a plan view lists: every set that changes, and
// each unchanged one a changing resource receives.
func changedSets(p *Plan) []*TrustSet {
	var out []*TrustSet
	var receiving map[string]bool
	for _, s := range p.TrustSets {
		if s.Action != SetNoOp {
			out = append(out, s)
			continue
		}
		if receiving == nil {
			receiving = map[string]bool{}
			for _, ch := range p.Changes {
				if ch.Action != NoOp && ch.Action != Delete && ch.After != nil {
					receiving[ch.After.TrustDir] = true
				}
			}
		}
		if receiving[s.Dir] {
			out = append(out, s)
		}
	}
	return out
}

// renderTrustSets writes the Trust sets section of the human plan: each
// set once, before the resources that reference it by name.
func renderTrustSets(w textWriter, p *Plan, shares map[shareKey]*setShare, st styler) {
	sets := changedSets(p)
	if len(sets) == 0 {
		return
	}
	fmt.Fprintln(w, "Trust sets (each written once to its own directory; resources show trust_set = NAME and paths in it as ${trust_set.NAME}/...):")
	for _, s := range sets {
		fmt.Fprintln(w)
		renderTrustSet(w, p, s, shares, st)
	}
	fmt.Fprintln(w)
}

func renderTrustSet(w textWriter, p *Plan, s *TrustSet, shares map[shareKey]*setShare, st styler) {
	fmt.Fprintf(w, "  %s %s\n", st.bold("# trust_set."+s.Name), st.bold(setHeader(s)))
	dir := quoted(p.relPath(s.Dir))
	if s.Pending {
		// Named by content that includes a development CA apply has
		// yet to create: the directory is known only then.
		dir = scalar(knownAfterApply)
	}
	var b, a map[string]value
	sym := "  ~"
	switch s.Action {
	case SetCreate:
		sym = "  +"
		a = map[string]value{"certificates": {kind: vList, list: setCertLines(s.Certificates)}, "directory": dir}
	case SetDelete:
		fmt.Fprintf(w, "%s trust_set %q {\n", st.sym("  -"), s.Name)
		fmt.Fprintf(w, "        directory = %s\n    }\n", dir.scalar)
		return
	case SetUpdate:
		b = map[string]value{"certificates": {kind: vList, list: setCertLines(s.Previous)}, "directory": quoted(p.relPath(s.PreviousDir))}
		a = map[string]value{"certificates": {kind: vList, list: setCertLines(s.Certificates)}, "directory": dir}
	default:
		sym = "   "
		b = map[string]value{"directory": dir}
		a = b
	}
	fmt.Fprintf(w, "%s trust_set %q {\n", st.sym(sym), s.Name)
	names := sortedAttrNames(b, a)
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		if s.Action == SetNoOp {
			fmt.Fprintf(w, "        %s = %s\n", n+strings.Repeat(" ", width-len(n)), a[n].scalar)
			continue
		}
		if b[n].equal(a[n]) {
			continue
		}
		renderAttr(w, st, n, width, b[n], a[n], false, nil)
	}
	if s.Action == SetUpdate && len(s.UsedBy) > 0 {
		fmt.Fprintf(w, "        # the previous directory stays until no running resource uses it\n")
	}
	renderShares(w, s, sharesOf(shares, s.Dir), st)
	fmt.Fprintln(w, "    }")
}

// renderShares writes, inside a set's block, the trust variables and
// inherited decisions each type of resource created with the set gets,
// which their own blocks then leave out.
func renderShares(w textWriter, s *TrustSet, shares []*setShare, st styler) {
	ref := "${trust_set." + s.Name + "}"
	for _, sh := range shares {
		if len(sh.env) > 0 {
			m := make(map[string]string, len(sh.env))
			for k, v := range sh.env {
				m[k] = strconv.Quote(moveDirIn(v, s.Dir, ref))
			}
			name := "env of each " + sh.typ
			renderAttr(w, st, name, len(name), value{}, value{kind: vMap, m: m}, false, nil)
		}
		if len(sh.inherited) > 0 {
			fmt.Fprintf(w, "        # inherited trust variables of each %s:\n", sh.typ)
			for _, iv := range sh.inherited {
				iv.Result = moveDirIn(iv.Result, s.Dir, ref)
				fmt.Fprintf(w, "        #   %s\n", inheritedLine(nil, iv))
			}
		}
	}
}

// mdSetBlock is one trust set of the Markdown plan: a collapsible block
// with the set's diff, as the human plan shows it.
func mdSetBlock(p *Plan, s *TrustSet, shares map[shareKey]*setShare) string {
	var diff bytes.Buffer
	renderTrustSet(&diff, p, s, shares, styler{})
	sym := "~"
	switch s.Action {
	case SetCreate:
		sym = "+"
	case SetDelete:
		sym = "-"
	case SetNoOp:
		sym = " "
	}
	summary := fmt.Sprintf("<code>%s trust_set.%s</code> %s", sym, html.EscapeString(s.Name), html.EscapeString(setHeader(s)))
	return mdDiffBlock(summary, diff.String(), func(trimmed string) bool {
		return strings.HasPrefix(trimmed, "# trust_set.")
	})
}
