package ui

import (
	"fmt"
	"strings"

	"github.com/trustform/trustform/internal/diff"
)

// diffContext is how many unchanged lines surround each hunk.
const diffContext = 3

// UnifiedDiff returns a unified diff (as `diff -u` prints it) turning a into
// b, labelled with the two names; empty when a and b are equal. Colour marks
// removed lines red and added lines green.
func UnifiedDiff(aName, bName string, a, b []byte, color bool) string {
	if string(a) == string(b) {
		return ""
	}
	edits := diff.Lines(splitLines(string(a)), splitLines(string(b)))
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

// hunks returns [start, end) index pairs into edits, each a change with up
// to diffContext equal lines around it, merging changes that are close.
func hunks(edits []diff.Op) [][2]int {
	var out [][2]int
	for k := 0; k < len(edits); {
		if edits[k].Kind == diff.Equal {
			k++
			continue
		}
		start := max(0, k-diffContext)
		end := k
		for end < len(edits) {
			if edits[end].Kind != diff.Equal {
				end++
				continue
			}
			// Count the run of equal lines; a short run joins two changes.
			run := end
			for run < len(edits) && edits[run].Kind == diff.Equal {
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

func writeHunk(out *strings.Builder, es []diff.Op, color bool) {
	aStart, bStart := es[0].A, es[0].B
	aCount, bCount := 0, 0
	for _, e := range es {
		if e.Kind != diff.Insert {
			aCount++
		}
		if e.Kind != diff.Delete {
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
		line := string(e.Kind) + e.Text
		noEOL := !strings.HasSuffix(line, "\n")
		if noEOL {
			line += "\n"
		}
		if color && e.Kind == diff.Delete {
			line = Red + strings.TrimSuffix(line, "\n") + Reset + "\n"
		} else if color && e.Kind == diff.Insert {
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
