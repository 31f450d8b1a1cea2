package ui

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround each hunk.
const diffContext = 3

// maxLCSCells bounds the quadratic table; beyond it the changed middle of
// the files is shown as one replacement, which is still a correct diff.
const maxLCSCells = 4_000_000

type editKind byte

const (
	editEqual  editKind = ' '
	editDelete editKind = '-'
	editInsert editKind = '+'
)

type edit struct {
	kind editKind
	text string
	// aLine and bLine are the 0-based line numbers in each file before this
	// line (for equal lines, the line's own index in both).
	aLine, bLine int
}

// UnifiedDiff returns a unified diff (as `diff -u` prints it) turning a into
// b, labelled with the two names; empty when a and b are equal. Colour marks
// removed lines red and added lines green.
func UnifiedDiff(aName, bName string, a, b []byte, color bool) string {
	if string(a) == string(b) {
		return ""
	}
	edits := diffLines(splitLines(string(a)), splitLines(string(b)))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for _, h := range hunks(edits) {
		writeHunk(&out, edits[h[0]:h[1]], color)
	}
	return out.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines computes an edit script with a longest-common-subsequence table
// over the part of the files between their common prefix and suffix.
func diffLines(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var edits []edit
	for i := 0; i < pre; i++ {
		edits = append(edits, edit{editEqual, a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > maxLCSCells {
		for i, l := range ma {
			edits = append(edits, edit{editDelete, l, pre + i, pre})
		}
		for j, l := range mb {
			edits = append(edits, edit{editInsert, l, pre + len(ma), pre + j})
		}
	} else {
		// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
		w := len(mb) + 1
		lcs := make([]int, (len(ma)+1)*w)
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
				} else {
					lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				edits = append(edits, edit{editEqual, ma[i], pre + i, pre + j})
				i++
				j++
			case i < len(ma) && (j == len(mb) || lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
				// Deletions before insertions, as diff -u prints them.
				edits = append(edits, edit{editDelete, ma[i], pre + i, pre + j})
				i++
			default:
				edits = append(edits, edit{editInsert, mb[j], pre + i, pre + j})
				j++
			}
		}
	}
	for k := 0; k < suf; k++ {
		i, j := len(a)-suf+k, len(b)-suf+k
		edits = append(edits, edit{editEqual, a[i], i, j})
	}
	return edits
}

// hunks returns [start, end) index pairs into edits, each a change with up
// to diffContext equal lines around it, merging changes that are close.
func hunks(edits []edit) [][2]int {
	var out [][2]int
	for k := 0; k < len(edits); {
		if edits[k].kind == editEqual {
			k++
			continue
		}
		start := max(0, k-diffContext)
		end := k
		for end < len(edits) {
			if edits[end].kind != editEqual {
				end++
				continue
			}
			// Count the run of equal lines; a short run joins two changes.
			run := end
			for run < len(edits) && edits[run].kind == editEqual {
				run++
			}
			if run < len(edits) && run-end <= 2*diffContext {
				end = run
				continue
			}
			end = min(run, end+diffContext)
			break
		}
		out = append(out, [2]int{start, end})
		k = end
	}
	return out
}

func writeHunk(out *strings.Builder, es []edit, color bool) {
	aStart, bStart := es[0].aLine, es[0].bLine
	aCount, bCount := 0, 0
	for _, e := range es {
		if e.kind != editInsert {
			aCount++
		}
		if e.kind != editDelete {
			bCount++
		}
	}
	// diff -u numbers an empty side by the line before it.
	if aCount > 0 {
		aStart++
	}
	if bCount > 0 {
		bStart++
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, e := range es {
		line := string(e.kind) + e.text
		noEOL := !strings.HasSuffix(line, "\n")
		if noEOL {
			line += "\n"
		}
		if color && e.kind == editDelete {
			line = Red + strings.TrimSuffix(line, "\n") + Reset + "\n"
		} else if color && e.kind == editInsert {
			line = Green + strings.TrimSuffix(line, "\n") + Reset + "\n"
		}
		out.WriteString(line)
		if noEOL {
			out.WriteString("\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
