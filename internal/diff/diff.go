// Package diff is trustform's one line diff: a longest-common-subsequence
// edit script, used for `fmt -diff` (internal/ui) and for list attributes in
// the human plan (plan).
package diff

// Kind says what an Op does to its line.
type Kind byte

// The kinds print as the first column of a unified diff.
const (
	Equal  Kind = ' '
	Delete Kind = '-'
	Insert Kind = '+'
)

// Op is one line of an edit script.
type Op struct {
	Kind Kind
	Text string
	// A and B are the 0-based line numbers in each input before this line
	// (for equal lines, the line's own index in both).
	A, B int
}

// maxCells bounds the quadratic table; beyond it the changed middle is
// given as one replacement, which is still a correct edit script.
const maxCells = 4_000_000

// Lines returns an edit script turning a into b. Only the part between the
// common prefix and suffix is compared, so long unchanged inputs cost
// little. At each point of difference removals come before insertions, as
// `diff -u` prints them.
func Lines(a, b []string) []Op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]Op, 0, len(a)+len(b)-pre-suf)
	for i := 0; i < pre; i++ {
		ops = append(ops, Op{Equal, a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > maxCells {
		for i, l := range ma {
			ops = append(ops, Op{Delete, l, pre + i, pre})
		}
		for j, l := range mb {
			ops = append(ops, Op{Insert, l, pre + len(ma), pre + j})
		}
	} else {
		// lcs[i*w+j] is the LCS length of ma[i:] and mb[j:].
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
				ops = append(ops, Op{Equal, ma[i], pre + i, pre + j})
				i++
				j++
			case i < len(ma) && (j == len(mb) || lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
				ops = append(ops, Op{Delete, ma[i], pre + i, pre + j})
				i++
			default:
				ops = append(ops, Op{Insert, mb[j], pre + i, pre + j})
				j++
			}
		}
	}
	for k := 0; k < suf; k++ {
		i, j := len(a)-suf+k, len(b)-suf+k
		ops = append(ops, Op{Equal, a[i], i, j})
	}
	return ops
}
