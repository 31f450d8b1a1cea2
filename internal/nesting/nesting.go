// Package nesting bounds how deeply brackets nest in HCL source before any
// parser sees it: the HCL parser recurses once per level, and 100,000
// nested parentheses overflowed its stack (issue 12).
package nesting

// Max is the deepest nesting of (, [ and { (a template's ${ included)
// trustform parses. Real configurations nest a handful of levels.
const Max = 256

// TooDeep returns the byte offset, line and column (1-based, in
// characters) of the first bracket that nests deeper than Max, and ok true;
// ok false when src nests no deeper. Brackets inside strings and comments
// count too, which can only make the check stricter than the parser, and
// never at depths a person writes.
func TooDeep(src []byte) (offset, line, col int, ok bool) {
	depth := 0
	line, col = 1, 1
	for i, c := range src {
		switch c {
		case '(', '[', '{':
			depth++
			if depth > Max {
				return i, line, col, true
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
		if c == '\n' {
			line, col = line+1, 1
		} else if c&0xC0 != 0x80 {
			col++
		}
	}
	return 0, 0, 0, false
}
