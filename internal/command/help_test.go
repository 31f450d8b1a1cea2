package command

import (
	"strings"
	"testing"
)

// A command that lists the shared -var and -var-file lines (varFlagsHelp)
// starts its own flags' descriptions in the same column, 21, so its flags
// print as one table and not as two ragged ones.
func TestHelpFlagsAligned(t *testing.T) {
	const col = 21
	e := &runEnv{workspace: &workspace{dir: t.TempDir()}}
	for name, f := range commandFactories(e) {
		c, err := f()
		if err != nil {
			t.Fatal(err)
		}
		help := c.Help()
		_, flags, ok := strings.Cut(help, "\nFlags:\n")
		if !ok || !strings.Contains(flags, varFlagsHelp) {
			continue
		}
		for _, line := range strings.Split(flags, "\n") {
			if line == "" {
				break
			}
			if !strings.HasPrefix(line, "  -") {
				continue
			}
			// What comes before the column is the flag alone ("-var
			// 'NAME=VALUE'" is the one flag with a space in it).
			flag := strings.TrimSpace(line[:min(col, len(line))])
			alone := !strings.Contains(flag, " ") || strings.HasPrefix(flag, "-var '")
			if len(line) <= col || line[col-1] != ' ' || line[col] == ' ' || !alone {
				t.Errorf("%s: flag line %q: description does not start at column %d", name, line, col+1)
			}
		}
	}
}
