package logstream

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// palette is the colour cycle for prefixes, as docker compose uses: easy
// to tell apart on dark and light backgrounds; red is left out because it
// reads as an error.
var palette = [...]string{
	"\x1b[36m", // cyan
	"\x1b[33m", // yellow
	"\x1b[32m", // green
	"\x1b[35m", // magenta
	"\x1b[34m", // blue
	"\x1b[96m", // bright cyan
	"\x1b[93m", // bright yellow
	"\x1b[92m", // bright green
	"\x1b[95m", // bright magenta
	"\x1b[94m", // bright blue
}

const reset = "\x1b[0m"

// Writer prints lines prefixed with an address. It is safe for concurrent
// use: each line is written whole, with one Write.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	color  bool
	width  int
	colors map[string]string
}

// NewWriter returns a Writer for addrs: the prefix is padded to the longest
// address, and with color each address gets the next colour of the
// palette in the order given (pass them sorted for a stable look).
func NewWriter(w io.Writer, addrs []string, color bool) *Writer {
	lw := &Writer{w: w, color: color, colors: map[string]string{}}
	for _, a := range addrs {
		lw.add(a)
	}
	return lw
}

// Add makes room for an address that appeared later (a resource added
// while up runs). Lines already printed keep their padding.
func (lw *Writer) Add(addr string) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.add(addr)
}

func (lw *Writer) add(addr string) {
	if _, ok := lw.colors[addr]; ok {
		return
	}
	lw.colors[addr] = palette[len(lw.colors)%len(palette)]
	lw.width = max(lw.width, len(addr))
}

// Prefix returns "ADDR | " padded to the widest address, coloured when
// the Writer colours.
func (lw *Writer) Prefix(addr string) string {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.prefix(addr)
}

func (lw *Writer) prefix(addr string) string {
	lw.add(addr)
	p := fmt.Sprintf("%-*s |", lw.width, addr)
	if lw.color {
		p = lw.colors[addr] + p + reset
	}
	return p + " "
}

// Line prints one line of addr's output. A trailing carriage return (CRLF
// output) is dropped. Colour sequences (SGR) the process wrote are kept
// when the Writer colours, followed by a reset so they never bleed into
// the next prefix, and removed when it does not (NO_COLOR, a pipe); every
// other control character is shown escaped (\x1b), so a process cannot
// move the cursor or rewrite the lines of another.
func (lw *Writer) Line(addr, text string) {
	text = strings.TrimSuffix(text, "\r")
	hadSGR := sgr.MatchString(text)
	if hadSGR {
		var keep []string
		parts := sgr.Split(text, -1)
		seqs := sgr.FindAllString(text, -1)
		for i, p := range parts {
			keep = append(keep, sanitize(p))
			if i < len(seqs) && lw.color {
				keep = append(keep, seqs[i])
			}
		}
		text = strings.Join(keep, "")
		if lw.color {
			text += reset
		}
	} else {
		text = sanitize(text)
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	io.WriteString(lw.w, lw.prefix(addr)+text+"\n")
}

// sgr matches one Select Graphic Rendition sequence (colours, bold).
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Lifecyclef prints a lifecycle line for addr ("started (pid 4211)").
func (lw *Writer) Lifecyclef(addr, format string, args ...any) {
	lw.Line(addr, fmt.Sprintf(format, args...))
}

// sanitize replaces control characters other than tab by their escaped
// form (\x1b), keeping the rest of the line as the process wrote it.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			fmt.Fprintf(&b, `\x%02x`, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
