package apply

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/safepath"
	"github.com/trustform/trustform/state"
)

// StoreDirName is the directory, inside .trustform, of the content-addressed
// store that resource files are hard-linked to.
const StoreDirName = "store"

// material writes and removes trust material and logs below one
// configuration's .trustform directory.
type material struct {
	// root is the .trustform directory; nothing outside it is ever
	// written or removed.
	root     string
	storeDir string
	blobs    map[string][]byte
	// useStore is false where link counts cannot be read, since then
	// unreferenced store entries could not be told apart.
	useStore bool
	// linksAsFiles materialises File.Link entries as the target's content
	// (a hard link into the store) instead of a symbolic link.
	linksAsFiles bool

	entries sync.Map // store entry name -> *storeEntry
	// sets holds one *storeEntry per trust set directory, so resources
	// sharing a set write it once.
	sets sync.Map
}

type storeEntry struct {
	once sync.Once
	path string
	err  error
}

func newMaterial(configDir string, blobs map[string][]byte, useStore bool) *material {
	root := layout.StateDir(configDir)
	return &material{
		root:     root,
		storeDir: filepath.Join(root, StoreDirName),
		blobs:    blobs,
		useStore: useStore && linkCountSupported,
	}
}

// verifyBlobs checks, before anything changes, that every file the specs
// name has its content in the blob pool and that the content matches its
// SHA-256. Each distinct blob is hashed once.
func verifyBlobs(blobs map[string][]byte, specs []*state.Spec) error {
	checked := map[string]bool{}
	for _, s := range specs {
		for _, f := range s.Files {
			if f.Link != "" || checked[f.SHA256] {
				continue
			}
			b, ok := blobs[f.SHA256]
			if !ok {
				return fmt.Errorf("the plan has no content for %s (sha256 %s): the plan file is incomplete; run plan again", f.Path, f.SHA256)
			}
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != strings.ToLower(f.SHA256) {
				return fmt.Errorf("the content for %s does not match its sha256 %s: the plan file is corrupted; run plan again", f.Path, f.SHA256)
			}
			checked[f.SHA256] = true
		}
	}
	return nil
}

// inside reports whether p is strictly inside m.root, as a string: the
// first filter. What is on disk is checked by m.dir and m.file.
func (m *material) inside(p string) bool {
	return safepath.Inside(m.root, p) && filepath.Clean(p) != filepath.Clean(m.root)
}

// dir checks that the directory p below .trustform, if it exists, is a
// directory reached without following any link.
func (m *material) dir(p string) error { return safepath.Dir(m.root, p) }

// parent checks the directory holding p the same way; p itself may be a
// link trustform made (a subject-hash name), which is removed, not followed.
func (m *material) parent(p string) error { return safepath.Parent(m.root, p) }

// write makes sure spec's trust directory exists with its content. A trust
// set directory is named by its content, so one that exists is complete
// and right (it was renamed into place whole) and is never rewritten: a
// running process may be reading it. Resources sharing a set write it
// once; a directory of the per-resource layout is rebuilt as before.
func (m *material) write(spec *state.Spec) error {
	if spec.TrustDir == "" || len(spec.Files) == 0 {
		return nil
	}
	if !m.isSetDir(spec.TrustDir) {
		return m.build(spec)
	}
	v, _ := m.sets.LoadOrStore(spec.TrustDir, &storeEntry{})
	e := v.(*storeEntry)
	e.once.Do(func() {
		if e.err = m.dir(spec.TrustDir); e.err != nil {
			e.err = fmt.Errorf("refusing to write trust material: %w", e.err)
			return
		}
		if fi, err := os.Lstat(spec.TrustDir); err == nil && fi.IsDir() {
			return
		}
		e.err = m.build(spec)
	})
	return e.err
}

// isSetDir reports whether dir is a trust set directory.
func (m *material) isSetDir(dir string) bool {
	return filepath.Dir(filepath.Clean(dir)) == filepath.Join(m.root, layout.TrustDirName)
}

// build builds spec's trust directory from scratch and moves it into place.
func (m *material) build(spec *state.Spec) error {
	if !m.inside(spec.TrustDir) {
		return fmt.Errorf("refusing to write trust material to %s: it is outside %s; run plan again", spec.TrustDir, m.root)
	}
	if err := m.dir(spec.TrustDir); err != nil {
		return fmt.Errorf("refusing to write trust material: %w", err)
	}
	if err := safepath.MkdirAll(m.root, filepath.Dir(filepath.Clean(spec.TrustDir)), 0o755); err != nil {
		return fmt.Errorf("refusing to write trust material: %w", err)
	}
	rels := make([]string, len(spec.Files))
	for i, f := range spec.Files {
		rel, err := filepath.Rel(spec.TrustDir, filepath.Clean(f.Path))
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("refusing to write %s: it is outside the trust directory %s; run plan again", f.Path, spec.TrustDir)
		}
		rels[i] = rel
	}
	return atomicfile.ReplaceDir(spec.TrustDir, func(tmp string) error {
		made := map[string]bool{tmp: true}
		mkdir := func(dir string) error {
			if made[dir] {
				return nil
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			made[dir] = true
			return nil
		}
		var links []int
		for i, f := range spec.Files {
			dst := filepath.Join(tmp, rels[i])
			if err := mkdir(filepath.Dir(dst)); err != nil {
				return fmt.Errorf("writing %s: %w", f.Path, err)
			}
			if f.Link != "" {
				links = append(links, i)
				continue
			}
			if err := m.place(dst, f.SHA256, fileMode(f.Mode)); err != nil {
				return fmt.Errorf("writing %s: %w", f.Path, err)
			}
		}
		// Links last, so the copy fallback finds its target written.
		for _, i := range links {
			f := spec.Files[i]
			dst := filepath.Join(tmp, rels[i])
			if !m.linksAsFiles {
				if err := os.Symlink(f.Link, dst); err == nil {
					continue
				}
			}
			// Where symlinks are not allowed (Windows without developer
			// mode), or not wanted, the target's content serves readers
			// (OpenSSL's hashed directory lookup) just as well.
			target := filepath.Join(filepath.Dir(filepath.Clean(f.Path)), f.Link)
			sha, mode, ok := "", fs.FileMode(0), false
			for _, g := range spec.Files {
				if filepath.Clean(g.Path) == target && g.Link == "" {
					sha, mode, ok = g.SHA256, fileMode(g.Mode), true
					break
				}
			}
			if !ok {
				return fmt.Errorf("writing %s: cannot create a symbolic link and its target %s is not part of the trust material", f.Path, f.Link)
			}
			if err := m.place(dst, sha, mode); err != nil {
				return fmt.Errorf("writing %s: %w", f.Path, err)
			}
		}
		return nil
	})
}

func fileMode(m uint32) fs.FileMode {
	if m == 0 {
		return 0o644
	}
	return fs.FileMode(m) & fs.ModePerm
}

// place creates dst with the blob's content: a hard link to the store entry
// when possible, else a fresh copy.
func (m *material) place(dst, sha string, mode fs.FileMode) error {
	if m.useStore {
		entry, err := m.entry(sha, mode)
		if err == nil {
			if err = os.Link(entry, dst); err == nil {
				return nil
			}
		}
		// Too many links, a filesystem without hard links, a store we
		// cannot write: a copy is always correct, only bigger.
	}
	return writeNew(dst, m.blobs[sha], mode)
}

// writeNew creates dst (which must not exist) without fsync: the directory
// it is in is renamed into place only once complete.
func writeNew(dst string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// The umask may have removed bits the plan asks for.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// entry returns the path of the store entry for (sha, mode), writing it on
// first use in this apply. An existing entry is re-hashed once per apply, so
// an entry changed through one of its links is replaced, not spread.
func (m *material) entry(sha string, mode fs.FileMode) (string, error) {
	name := strings.ToLower(sha) + "-" + strconv.FormatUint(uint64(mode), 8)
	v, _ := m.entries.LoadOrStore(name, &storeEntry{path: filepath.Join(m.storeDir, name)})
	e := v.(*storeEntry)
	e.once.Do(func() {
		data := m.blobs[sha]
		if fi, err := os.Lstat(e.path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() == mode && fi.Size() == int64(len(data)) {
			if cur, err := os.ReadFile(e.path); err == nil && bytes.Equal(cur, data) {
				return
			}
		}
		if err := safepath.MkdirAll(m.root, m.storeDir, 0o755); err != nil {
			e.err = err
			return
		}
		// Renamed over any stale entry: resources linked to the old inode
		// keep it, new links get the right content.
		e.err = atomicfile.WriteFileNoSync(e.path, data, mode)
	})
	return e.path, e.err
}

// removeCreated removes what rec says apply created, and nothing else:
// paths outside .trustform are refused; inside a recorded directory only the
// files rec.Spec lists are removed, then directories left empty.
func (m *material) removeCreated(rec *state.Resource) error {
	var errs []error
	for _, p := range rec.CreatedPaths {
		p = filepath.Clean(p)
		if !m.inside(p) {
			errs = append(errs, fmt.Errorf("state lists %s as created by trustform, but it is outside %s; it was left alone, remove it by hand if it is yours to remove", p, m.root))
			continue
		}
		// A link on the way, or in place of what we created, was planted:
		// removing through it could delete files anywhere (issue 12).
		if err := m.parent(p); err != nil {
			errs = append(errs, fmt.Errorf("%w; %s was left alone", err, p))
			continue
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			errs = append(errs, fmt.Errorf("%w; it was left alone", &safepath.LinkError{Path: p, Target: target, Want: "a file or directory"}))
			continue
		}
		if !fi.IsDir() {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		if err := m.removeListed(p, rec.Spec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeListed removes, inside dir, the files spec lists, then every
// directory between them and dir (dir included) that is left empty.
func (m *material) removeListed(dir string, spec *state.Spec) error {
	var errs []error
	dirs := map[string]bool{dir: true}
	if spec != nil {
		for _, f := range spec.Files {
			p := filepath.Clean(f.Path)
			rel, err := filepath.Rel(dir, p)
			if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				continue
			}
			if err := m.parent(p); err != nil {
				errs = append(errs, fmt.Errorf("%w; %s was left alone", err, p))
				continue
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			for d := filepath.Dir(p); d != dir && len(d) > len(dir); d = filepath.Dir(d) {
				dirs[d] = true
			}
		}
	}
	ordered := make([]string, 0, len(dirs))
	for d := range dirs {
		ordered = append(ordered, d)
	}
	// Deepest first, so parents are empty by the time we reach them.
	sort.Slice(ordered, func(i, j int) bool { return len(ordered[i]) > len(ordered[j]) })
	for _, d := range ordered {
		// os.Remove refuses a non-empty directory, which is what keeps a
		// file we did not create (and its directory) in place; but it
		// removes a link, so only real directories are tried.
		if m.dir(d) == nil {
			os.Remove(d)
		}
	}
	return errors.Join(errs...)
}

// removeStale clears what an interrupted apply left: temporary directories
// next to trust set and resource directories and temporary store files.
func (m *material) removeStale() error {
	var errs []error
	for _, d := range []string{layout.ResourcesDir(filepath.Dir(m.root)), filepath.Join(m.root, layout.TrustDirName), m.storeDir} {
		if err := m.dir(d); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, atomicfile.RemoveStale(d))
	}
	return errors.Join(errs...)
}

// sweepSets removes every trust set directory that no resource in state
// references any more. A set still referenced, by a running resource or
// by one whose stop failed, stays. Of a set some spec in known describes,
// only the files it lists go (a file a user put there stays, with its
// directory); a set nobody describes (left by a crash) goes entirely.
func (m *material) sweepSets(st *state.State, known []*state.Spec) error {
	dir := filepath.Join(m.root, layout.TrustDirName)
	if err := m.dir(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, r := range st.Resources {
		if r.Spec != nil && r.Spec.TrustDir != "" {
			used[filepath.Clean(r.Spec.TrustDir)] = true
		}
	}
	specs := map[string]*state.Spec{}
	for _, s := range known {
		if s != nil && s.TrustDir != "" && len(s.Files) > 0 {
			specs[filepath.Clean(s.TrustDir)] = s
		}
	}
	var errs []error
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if used[p] || atomicfile.IsTemp(e.Name()) {
			continue
		}
		if s := specs[p]; s != nil {
			if err := m.removeListed(p, s); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	os.Remove(dir) // only succeeds when empty
	return errors.Join(errs...)
}

// sweep removes store entries no resource links to any more, then the
// store, resources and logs directories if they are empty.
// sweepExits removes the exit records of the log directory once no
// resource in st logs there: no process of ours is left to be recorded
// there (apply and destroy stop every other one first), and a file of
// someone else's in the directory must not keep ours alive.
func (m *material) sweepExits(st *state.State) {
	logs := layout.LogsDir(filepath.Dir(m.root))
	for _, r := range st.Resources {
		if r.Spec != nil && r.Spec.LogPath != "" && filepath.Dir(r.Spec.LogPath) == logs {
			return
		}
	}
	if m.dir(logs) == nil {
		os.Remove(filepath.Join(logs, layout.ExitsName))
	}
}

func (m *material) sweep() error {
	var errs []error
	if err := m.dir(m.storeDir); err != nil {
		return err
	}
	entries, err := os.ReadDir(m.storeDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	for _, e := range entries {
		p := filepath.Join(m.storeDir, e.Name())
		if atomicfile.IsTemp(e.Name()) {
			os.RemoveAll(p)
			continue
		}
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if n, ok := linkCount(fi); ok && n <= 1 {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	configDir := filepath.Dir(m.root)
	for _, d := range []string{m.storeDir, layout.ResourcesDir(configDir), layout.LogsDir(configDir)} {
		if m.dir(d) == nil {
			os.Remove(d) // only succeeds when empty
		}
	}
	return errors.Join(errs...)
}
