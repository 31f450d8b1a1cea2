package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long files must stay quiet after a change before
// it is reported: long enough to gather an editor's write-and-rename or a
// git checkout into one Change, short enough not to be noticed.
const DefaultDebounce = 200 * time.Millisecond

// maxDirs bounds how many directories one watch set may listen on, so that
// a directory entry above a dependency tree cannot exhaust the inotify
// watches of the whole user.
const maxDirs = 4096

// skipDirs are not descended into when a directory entry is walked: they
// change on their own (state, logs, package managers) and are large.
var skipDirs = []string{StateDirName, ".git", "node_modules", "__pycache__"}

// Change is one debounced burst of changes: the paths that matched an
// entry, absolute and sorted.
type Change struct {
	Paths []string
}

// Watcher reports changes to a set of entries. Its methods may be called
// from any goroutine.
type Watcher struct {
	fs       *fsnotify.Watcher
	debounce time.Duration
	changes  chan Change
	errs     chan error
	done     chan struct{}
	wg       sync.WaitGroup

	mu      sync.Mutex
	entries []string
	dirs    map[string]bool
}

// New starts a watcher with no entries. debounce is the quiet time before
// a burst is reported; zero means DefaultDebounce.
func New(debounce time.Duration) (*Watcher, error) {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching files: %w", err)
	}
	w := &Watcher{
		fs:       fw,
		debounce: debounce,
		changes:  make(chan Change),
		errs:     make(chan error, 8),
		done:     make(chan struct{}),
		dirs:     map[string]bool{},
	}
	w.wg.Add(1)
	go w.run()
	return w, nil
}

// Changes delivers one Change per burst. It is never closed; select on it
// together with whatever ends the caller's loop.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Errors delivers problems of the underlying notifier (such as an event
// queue overflow, after which changes may have been missed). Errors are
// dropped when nobody reads them.
func (w *Watcher) Errors() <-chan error { return w.errs }

// Watch replaces the watched entries: absolute files, directories or glob
// patterns. Entries that do not exist yet are watched through the nearest
// existing parent directory, so their creation is seen.
func (w *Watcher) Watch(entries []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.entries = slices.Clone(entries)
	return w.syncLocked()
}

// Close stops the watcher and waits for its goroutine.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	err := w.fs.Close()
	w.wg.Wait()
	return err
}

// syncLocked listens on exactly the directories the entries need now.
func (w *Watcher) syncLocked() error {
	want := map[string]bool{}
	for _, e := range w.entries {
		for _, d := range dirsFor(e) {
			if len(want) >= maxDirs {
				break
			}
			want[d] = true
		}
	}
	var errs []error
	for d := range w.dirs {
		if !want[d] {
			// The directory may be gone already, which removed the watch.
			_ = w.fs.Remove(d)
			delete(w.dirs, d)
		}
	}
	for d := range want {
		if w.dirs[d] {
			continue
		}
		if err := w.fs.Add(d); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("watching %s: %w", d, err))
			}
			continue
		}
		w.dirs[d] = true
	}
	return errors.Join(errs...)
}

// dirsFor returns the existing directories whose events cover entry: its
// parent (or nearest existing ancestor), the directories its pattern's
// directory part matches, and, for a directory entry, the tree below it.
func dirsFor(entry string) []string {
	if inStateDir(entry) {
		return nil
	}
	var out []string
	if !hasMeta(entry) {
		out = append(out, existingAncestor(filepath.Dir(entry)))
		if isDir(entry) {
			out = append(out, walkDirs(entry)...)
		}
		return out
	}
	dir := filepath.Dir(entry)
	// The static prefix sees a matching directory being created.
	static := dir
	for hasMeta(static) {
		static = filepath.Dir(static)
	}
	out = append(out, existingAncestor(static))
	if hasMeta(dir) {
		matches, _ := filepath.Glob(dir)
		for _, m := range matches {
			if isDir(m) && !inStateDir(m) {
				out = append(out, m)
			}
		}
	} else if isDir(dir) {
		out = append(out, dir)
	}
	return out
}

func existingAncestor(dir string) string {
	for !isDir(dir) {
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return dir
}

// walkDirs lists root and the directories below it, without skipDirs,
// at most maxDirs of them.
func walkDirs(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && slices.Contains(skipDirs, d.Name()) {
			return filepath.SkipDir
		}
		out = append(out, p)
		if len(out) >= maxDirs {
			return filepath.SkipAll
		}
		return nil
	})
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// matches reports whether a change to p concerns an entry.
func (w *Watcher) matches(p string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.ContainsFunc(w.entries, func(e string) bool { return Match(e, p) })
}

// resync follows directories being created or removed, so that a file
// created in a new directory that an entry covers is seen.
func (w *Watcher) resync() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.syncLocked(); err != nil {
		w.report(err)
	}
}

func (w *Watcher) report(err error) {
	select {
	case w.errs <- err:
	default:
	}
}

func (w *Watcher) run() {
	defer w.wg.Done()
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-w.done:
			return
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.report(err)
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			p := filepath.Clean(ev.Name)
			created := ev.Has(fsnotify.Create) && isDir(p)
			if created || ev.Has(fsnotify.Remove|fsnotify.Rename) && w.watching(p) {
				w.resync()
			}
			found := w.matches(p)
			if found {
				pending[p] = true
			}
			if created {
				// Files written into a new directory before its watch
				// was added produced no event of their own.
				for _, f := range w.filesBelow(p) {
					pending[f], found = true, true
				}
			}
			if found {
				timer.Reset(w.debounce)
			}
		case <-timer.C:
			if len(pending) == 0 {
				continue
			}
			c := Change{Paths: make([]string, 0, len(pending))}
			for p := range pending {
				c.Paths = append(c.Paths, p)
			}
			slices.Sort(c.Paths)
			pending = map[string]bool{}
			select {
			case w.changes <- c:
			case <-w.done:
				return
			}
		}
	}
}

func (w *Watcher) watching(dir string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dirs[dir]
}

// filesBelow lists the files under dir (a directory just created) that an
// entry covers.
func (w *Watcher) filesBelow(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != dir && slices.Contains(skipDirs, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if w.matches(p) {
			out = append(out, p)
		}
		if len(out) >= maxDirs {
			return filepath.SkipAll
		}
		return nil
	})
	return out
}
