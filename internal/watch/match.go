package watch

import (
	"path/filepath"
	"slices"
	"strings"
)

// StateDirName is the directory trustform writes state and logs into while
// resources run. Nothing below it is ever reported, whatever the entries
// say, so that a resource's own output cannot replace it in a loop.
const StateDirName = ".trustform"

// Match reports whether path, absolute and clean, is covered by entry: the
// same file, a file below the directory entry, or a match of the glob
// pattern entry (filepath.Match syntax). Below a directory entry, .git,
// node_modules and __pycache__ are left out. A malformed pattern matches
// nothing.
func Match(entry, path string) bool {
	if inStateDir(path) {
		return false
	}
	if entry == path {
		return true
	}
	if rest, ok := strings.CutPrefix(path, entry+string(filepath.Separator)); ok {
		// What a directory entry covers excludes the trees the watcher
		// does not descend into, so it never depends on event timing.
		return !slices.ContainsFunc(strings.Split(filepath.ToSlash(rest), "/"), func(part string) bool {
			return slices.Contains(skipDirs, part)
		})
	}
	if !hasMeta(entry) {
		return false
	}
	ok, err := filepath.Match(entry, path)
	return ok && err == nil
}

// Affected returns, sorted, the keys of watches (resource addresses) with
// an entry matching one of the changed paths: up -watch replaces them even
// when nothing in their plan changed.
func Affected(watches map[string][]string, changed []string) []string {
	var out []string
	for addr, entries := range watches {
		if slices.ContainsFunc(entries, func(e string) bool {
			return slices.ContainsFunc(changed, func(p string) bool { return Match(e, p) })
		}) {
			out = append(out, addr)
		}
	}
	slices.Sort(out)
	return out
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

func inStateDir(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if part == StateDirName {
			return true
		}
	}
	return false
}
