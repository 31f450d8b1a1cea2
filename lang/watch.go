package lang

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/layout"
)

// watchPatterns checks a resource's watch list and makes every entry
// absolute. An entry is a file, a directory (everything below it) or a
// glob pattern in filepath.Match syntax, relative to the configuration
// directory. Entries inside .trustform are refused: trustform writes logs
// there all the time, so watching them would replace the resource in a
// loop (a watched directory above it is walked without it). An entry that matches nothing is only a warning, because the file
// may be created later and is then seen.
func (l *loader) watchPatterns(rng hcl.Range, list []string) ([]string, bool) {
	ok := true
	out := make([]string, 0, len(list))
	stateDir := filepath.Join(l.dir, layout.DirName)
	for _, p := range list {
		if strings.TrimSpace(p) == "" {
			l.errorf(&rng, nil, "Invalid watch path",
				"watch lists files, directories or glob patterns relative to the configuration directory, such as \"web/*.js\"; an entry is empty.")
			ok = false
			continue
		}
		full := l.fs.abs(p)
		if _, err := filepath.Match(full, ""); err != nil {
			l.errorf(&rng, nil, "Invalid watch pattern",
				"%q in watch is not a valid glob pattern: %s. Patterns use * ? and [...] as in filepath.Match; a literal bracket is written \\\\[.", p, err)
			ok = false
			continue
		}
		if full == stateDir || strings.HasPrefix(full, stateDir+string(filepath.Separator)) {
			l.errorf(&rng, nil, "Invalid watch path",
				"%q in watch is inside %s, where trustform writes logs and state while resources run: watching it would replace the resource in a loop. Watch the sources instead, such as \"web/*.js\".", p, layout.DirName)
			ok = false
			continue
		}
		if hasMeta(full) {
			if m, _ := filepath.Glob(full); len(m) == 0 {
				l.warnf(&rng, "Watch pattern matches nothing",
					"%q in watch matches no file in %s yet; up -watch replaces the resource when a matching file appears.", p, l.dir)
			}
		} else if _, err := os.Stat(full); err != nil {
			l.warnf(&rng, "Watched file not found",
				"%s in watch does not exist (relative paths are relative to the configuration directory %s); up -watch replaces the resource when it appears.", p, l.dir)
		}
		out = append(out, full)
	}
	return out, ok
}

// hasMeta reports whether p holds glob metacharacters.
func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }
