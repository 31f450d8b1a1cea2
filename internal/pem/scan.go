package pem

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
)

// utf8BOM is stripped from the start of input: Windows editors add it and
// OpenSSL then fails to see the first BEGIN line.
const utf8BOM = "\xEF\xBB\xBF"

// rawBlock is one BEGIN..END block as found in the input, before its body is
// interpreted.
type rawBlock struct {
	typ  string
	line int // 1-based line of the BEGIN line
	// body holds the trimmed lines between BEGIN and END.
	body [][]byte
	// broken says why the block's framing is wrong (no END line, END of
	// another type); empty when the framing is fine.
	broken string
}

// splitLines splits data at LF, CRLF and lone CR, so that line i of the
// result is line i+1 for the user whatever editor wrote the file.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	start := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			lines = append(lines, data[start:i])
			start = i + 1
		case '\r':
			lines = append(lines, data[start:i])
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(data) {
		lines = append(lines, data[start:])
	}
	return lines
}

const (
	beginPrefix = "-----BEGIN "
	endPrefix   = "-----END "
	dashes      = "-----"
)

// boundaryType returns the block type of a BEGIN or END line. Leading and
// trailing blanks are allowed so that indented PEM (YAML, heredocs) works.
func boundaryType(line []byte, prefix string) (string, bool) {
	t := bytes.TrimSpace(line)
	if len(t) < len(prefix)+len(dashes) || !bytes.HasPrefix(t, []byte(prefix)) || !bytes.HasSuffix(t, []byte(dashes)) {
		return "", false
	}
	typ := bytes.TrimSpace(t[len(prefix) : len(t)-len(dashes)])
	if len(typ) == 0 {
		return "", false
	}
	return string(typ), true
}

// scanBlocks finds every PEM block in data. A BEGIN line met before the
// current block's END closes the current block as broken and starts anew, so
// one truncated block does not swallow the certificates after it.
func scanBlocks(data []byte) []rawBlock {
	lines := splitLines(data)
	var blocks []rawBlock
	i := 0
	for i < len(lines) {
		typ, ok := boundaryType(lines[i], beginPrefix)
		if !ok {
			i++
			continue
		}
		b := rawBlock{typ: typ, line: i + 1}
		j := i + 1
		closed := false
		for ; j < len(lines); j++ {
			if endTyp, ok := boundaryType(lines[j], endPrefix); ok {
				if endTyp != typ {
					b.broken = fmt.Sprintf("its END line (line %d) is for %q", j+1, endTyp)
				}
				closed = true
				j++
				break
			}
			if _, ok := boundaryType(lines[j], beginPrefix); ok {
				break
			}
			b.body = append(b.body, bytes.TrimSpace(lines[j]))
		}
		if !closed {
			b.broken = "it has no END line"
		}
		blocks = append(blocks, b)
		i = j
	}
	return blocks
}

// errBase64 is deliberately free of any detail: the position or content of
// a bad character could leak part of a key.
var errBase64 = errors.New("its base64 content is invalid")

// decode returns the bytes of a block's body. RFC 1421 header lines
// ("Proc-Type: ...") are skipped; base64 never contains a colon.
func (b *rawBlock) decode() ([]byte, error) {
	var buf bytes.Buffer
	for _, l := range b.body {
		if bytes.IndexByte(l, ':') >= 0 {
			continue
		}
		for _, c := range l {
			if c != ' ' && c != '\t' {
				buf.WriteByte(c)
			}
		}
	}
	if buf.Len() == 0 {
		return nil, errors.New("it is empty")
	}
	src := buf.Bytes()
	out := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(out, src)
	if err != nil {
		// Some tools drop the '=' padding; OpenSSL tolerates that too.
		src = bytes.TrimRight(src, "=")
		out = make([]byte, base64.RawStdEncoding.DecodedLen(len(src)))
		n, err = base64.RawStdEncoding.Decode(out, src)
		if err != nil {
			return nil, errBase64
		}
	}
	return out[:n], nil
}
