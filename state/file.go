package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/safepath"
)

// FileMode is the mode of state.json, its backup and its journal: owner
// only, because resources' env and argv may hold secrets.
const FileMode os.FileMode = 0o600

// BackupPath returns where Save keeps the previous state of the state file
// at path (state.json.backup next to state.json).
func BackupPath(path string) string { return path + ".backup" }

// JournalPath returns the journal of the state file at path.
func JournalPath(path string) string { return path + ".journal" }

// CorruptError reports a state or journal file that cannot be read. The
// file is left as it is.
type CorruptError struct {
	Path string
	// Line and Column locate a syntax error when known (1-based, else 0).
	Line, Column int
	Err          error
}

func (e *CorruptError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Column)
	}
	msg := fmt.Sprintf("state file %s is damaged: %v. It was not modified: fix it by hand, or restore the previous state from %s",
		where, e.Err, BackupPath(e.Path))
	if _, err := os.Lstat(BackupPath(e.Path)); errors.Is(err, fs.ErrNotExist) {
		// Advising to restore a file that is not there sends the user
		// looking for it.
		msg = fmt.Sprintf("state file %s is damaged: %v. It was not modified: fix it by hand (there is no earlier state to restore: %s does not exist)",
			where, e.Err, filepath.Base(BackupPath(e.Path)))
	}
	if filepath.Ext(e.Path) == ".journal" {
		msg = fmt.Sprintf("state journal %s is damaged: %v. It was not modified: fix it by hand, or delete it to drop the changes an interrupted run recorded there",
			where, e.Err)
	}
	return msg
}

// Unwrap returns the underlying decoding error.
func (e *CorruptError) Unwrap() error { return e.Err }

// NewerFormatError reports a state file written by a newer trustform. Such a
// file is never overwritten.
type NewerFormatError struct {
	Path   string
	Format int
	// TrustformVersion is the version that wrote it, when recorded.
	TrustformVersion string
}

func (e *NewerFormatError) Error() string {
	by := ""
	if e.TrustformVersion != "" {
		by = " " + e.TrustformVersion
	}
	return fmt.Sprintf("%s: state was written by a newer trustform%s (format %d); this trustform reads format %d or older: upgrade trustform (the file was not modified)",
		e.Path, by, e.Format, Version)
}

// Load reads the state file at path and replays on top of it any journal an
// interrupted apply or destroy left behind (see RecoveredChanges). A missing
// file returns ErrNoState; a damaged one a *CorruptError; one written by a
// newer trustform a *NewerFormatError. Load never modifies any file.
func Load(path string) (*State, error) {
	var s *State
	data, err := readOwn(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading state: %w", err)
	default:
		if s, err = decode(path, data); err != nil {
			return nil, err
		}
	}
	s, err = replay(path, s)
	if err != nil {
		return nil, err
	}
	if s != nil && s.recovered > 0 {
		if err := s.checkRead(); err != nil {
			return nil, &CorruptError{Path: JournalPath(path), Err: err}
		}
	}
	if s == nil {
		return nil, ErrNoState
	}
	return s, nil
}

// header is the part of a state file (and of a journal's first line) read
// before trusting the rest.
type header struct {
	Version          int    `json:"version"`
	TrustformVersion string `json:"trustform_version"`
	Lineage          string `json:"lineage"`
	Serial           uint64 `json:"serial"`
}

// decodeHeader reads the header of a state file, refusing a newer format
// and a file that is not a state. Save writes the header's fields first,
// so a streaming decoder reads them and stops: the rest of the file is
// neither scanned nor allocated. A file whose header cannot be streamed
// (reordered by hand, or damaged) is decoded in full, which also locates
// the error.
func decodeHeader(path string, data []byte) (*header, error) {
	h, err := streamHeader(data)
	if err != nil {
		h = &header{}
		if err := json.Unmarshal(data, h); err != nil {
			return nil, corrupt(path, data, err)
		}
	}
	if h.Version > Version {
		return nil, &NewerFormatError{Path: path, Format: h.Version, TrustformVersion: h.TrustformVersion}
	}
	if h.Version < 1 {
		return nil, &CorruptError{Path: path, Err: errors.New("no format version: this is not a trustform state file")}
	}
	if h.Lineage == "" {
		return nil, &CorruptError{Path: path, Err: errors.New("no lineage")}
	}
	return h, nil
}

// streamHeader reads the top-level header fields of data up to the first
// other field once all four are seen, or to the end of the object.
func streamHeader(data []byte) (*header, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var h header
	seen := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var dst any
		switch t {
		case "version":
			dst = &h.Version
		case "trustform_version":
			dst = &h.TrustformVersion
		case "lineage":
			dst = &h.Lineage
		case "serial":
			dst = &h.Serial
		default:
			if seen >= 4 {
				return &h, nil
			}
			var skip json.RawMessage
			dst = &skip
		}
		if err := dec.Decode(dst); err != nil {
			return nil, err
		}
		if _, ok := dst.(*json.RawMessage); !ok {
			seen++
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return &h, nil
}

func decode(path string, data []byte) (*State, error) {
	// The version is checked before the rest is decoded: a newer format may
	// give known fields another meaning.
	if _, err := decodeHeader(path, data); err != nil {
		return nil, err
	}
	var d diskState
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, corrupt(path, data, err)
	}
	s := &State{
		Version:          d.Version,
		TrustformVersion: d.TrustformVersion,
		Serial:           d.Serial,
		Lineage:          d.Lineage,
		Dir:              d.Dir,
		Host:             d.Host,
		Resources:        make([]*Resource, len(d.Resources)),
		Outputs:          d.Outputs,
		materials:        d.Materials,
		materialsOf:      path,
	}
	t := newMaterialTable(d.Materials)
	in := interner{}
	for i := range d.Resources {
		r, err := t.fromDisk(&d.Resources[i])
		if err != nil {
			return nil, &CorruptError{Path: path, Err: err}
		}
		if r != nil { // a null entry, refused by checkRead below
			in.spec(r.Spec)
		}
		s.Resources[i] = r
	}
	s.sortResources()
	if err := s.checkRead(); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	return s, nil
}

// interner makes equal strings of decoded specs share one copy. A state's
// resources of one trust set repeat the same dozen long paths in their
// env (json gives each occurrence its own string): a megabyte kept live
// through every plan at 1,000 resources.
type interner map[string]string

func (in interner) str(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

func (in interner) spec(sp *Spec) {
	if sp == nil {
		return
	}
	sp.WorkingDir, sp.TrustDir, sp.TrustSet = in.str(sp.WorkingDir), in.str(sp.TrustDir), in.str(sp.TrustSet)
	for i, a := range sp.Argv {
		sp.Argv[i] = in.str(a)
	}
	for k, v := range sp.Env {
		sp.Env[k] = in.str(v)
	}
}

// check verifies what sorting cannot restore: one entry per address.
func (s *State) check() error {
	for i, r := range s.Resources {
		if r == nil || r.Address == "" {
			return fmt.Errorf("resource %d has no address", i)
		}
		if i > 0 && s.Resources[i-1].Address == r.Address {
			return fmt.Errorf("resource %s is recorded twice", r.Address)
		}
	}
	return nil
}

// checkRead verifies, of a state read from a file, what every reader
// relies on, so that a damaged file is an error here, not a panic later.
func (s *State) checkRead() error {
	if err := s.check(); err != nil {
		return err
	}
	for _, r := range s.Resources {
		if err := r.Spec.Check(); err != nil {
			return fmt.Errorf("resource %s: %w", r.Address, err)
		}
	}
	for name, o := range s.Outputs {
		if o == nil {
			return fmt.Errorf("output %q is null", name)
		}
	}
	return nil
}

func corrupt(path string, data []byte, err error) *CorruptError {
	e := &CorruptError{Path: path, Err: err}
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset >= 0 && offset <= int64(len(data)) {
		before := data[:offset]
		e.Line = bytes.Count(before, []byte("\n")) + 1
		e.Column = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	}
	return e
}

// Save writes the state to path atomically with mode FileMode, after keeping
// the file it replaces as BackupPath(path). Serial grows by one; a save that
// would change nothing writes nothing and keeps the serial.
//
// Save refuses to overwrite a file written by a newer trustform, one of
// another lineage, or one whose serial is ahead of this state (someone else
// saved since it was loaded). On error the state and the files are as they
// were.
func (s *State) Save(path string) error { return s.save(path, nil) }

// encoded is a state's file content, encoded ahead of saving for the
// serial it is to be saved with.
type encoded struct {
	serial uint64
	data   []byte
	defs   map[string]*material
}

// encodeNext encodes s as Save would write it next.
func (s *State) encodeNext() (*encoded, error) {
	s.sortResources()
	if s.Resources == nil {
		s.Resources = []*Resource{}
	}
	s.Version = Version
	s.Serial++
	defer func() { s.Serial-- }()
	data, defs, err := s.encode()
	if err != nil {
		return nil, err
	}
	return &encoded{serial: s.Serial, data: data, defs: defs}, nil
}

// save is Save, with the content encoded ahead when pre is for the serial
// it is saved with (the caller knows s has not changed since).
func (s *State) save(path string, pre *encoded) error {
	s.sortResources()
	if err := s.check(); err != nil {
		return fmt.Errorf("saving state: %w (this is a bug in trustform)", err)
	}
	if s.Resources == nil {
		s.Resources = []*Resource{}
	}
	s.Version = Version

	// A link in place of state.json, its backup or its journal is refused
	// rather than replaced: the user put it there for a reason we cannot
	// know, and the backup would otherwise become the link (issue 12).
	for _, p := range []string{path, BackupPath(path), JournalPath(path)} {
		if err := safepath.File(filepath.Dir(path), p); err != nil {
			return fmt.Errorf("saving state: %w", err)
		}
	}
	old, err := readOwn(path)
	compare := false
	switch {
	case errors.Is(err, os.ErrNotExist):
		old = nil
	case err != nil:
		return fmt.Errorf("saving state: %w", err)
	default:
		if h, herr := decodeHeader(path, old); herr == nil {
			if h.Lineage != s.Lineage && (s.replaces == "" || h.Lineage != s.replaces) {
				return fmt.Errorf("saving state: %s belongs to another state (lineage %s, not %s): not overwriting it", path, h.Lineage, s.Lineage)
			}
			if h.Serial > s.Serial {
				return fmt.Errorf("saving state: %s was changed by another run since it was read (serial %d, expected %d or less): run the command again", path, h.Serial, s.Serial)
			}
		} else if ne := (*NewerFormatError)(nil); errors.As(herr, &ne) {
			return fmt.Errorf("saving state: %w", herr)
		}
		// A damaged file is replaced (it stays in the backup): the
		// caller chose to write a state anyway.
		compare = true
	}

	// Encoded once, with the next serial: the state of 1,000 resources is
	// megabytes of JSON, and encoding it a second time only to compare
	// doubled the garbage of apply's final save.
	s.Serial++
	var (
		data []byte
		defs map[string]*material
	)
	if pre != nil && pre.serial == s.Serial {
		data, defs, err = pre.data, pre.defs, nil
	} else {
		data, defs, err = s.encode()
	}
	if err == nil && compare && sameButSerial(old, data, s.Serial-1, s.Serial) {
		s.Serial--
		s.done(path, defs)
		return nil
	}
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
	if err == nil && old != nil {
		err = backup(path, old)
	}
	if err == nil {
		err = atomicfile.WriteFile(path, data, FileMode)
	}
	if err != nil {
		s.Serial--
		return fmt.Errorf("saving state: %w", err)
	}
	s.done(path, defs)
	return nil
}

// done records that the file at path now holds s, defining the materials
// defs; a journal Load replayed is now part of the file, so it goes.
func (s *State) done(path string, defs map[string]*material) {
	s.unsaved = false
	s.materials, s.materialsOf = defs, path
	if s.recovered > 0 {
		os.Remove(JournalPath(path))
		s.recovered = 0
	}
}

// sameButSerial reports whether old is what encode gives for the state
// encoded in data, with serial was instead of now. The serial is the first
// top-level member after two strings, so its line is the first of its
// form in the file.
func sameButSerial(old, data []byte, was, now uint64) bool {
	nowLine := []byte(fmt.Sprintf("\n  \"serial\": %d,", now))
	wasLine := []byte(fmt.Sprintf("\n  \"serial\": %d,", was))
	i := bytes.Index(data, nowLine)
	if i < 0 {
		return false
	}
	rest := data[i+len(nowLine):]
	return len(old) == i+len(wasLine)+len(rest) &&
		bytes.Equal(old[:i], data[:i]) &&
		bytes.Equal(old[i:i+len(wasLine)], wasLine) &&
		bytes.Equal(old[i+len(wasLine):], rest)
}

// encode returns the file content of s and the materials it defines.
func (s *State) encode() ([]byte, map[string]*material, error) {
	d := diskState{
		Version:          s.Version,
		TrustformVersion: s.TrustformVersion,
		Serial:           s.Serial,
		Lineage:          s.Lineage,
		Dir:              s.Dir,
		Host:             s.Host,
		Resources:        make([]diskResource, len(s.Resources)),
		Outputs:          s.Outputs,
		Materials:        map[string]*material{},
	}
	ix := newMaterialIndex()
	for i, r := range s.Resources {
		dr, err := ix.toDisk(r, d.Materials)
		if err != nil {
			return nil, nil, err
		}
		d.Resources[i] = dr
	}
	data, err := marshalState(&d)
	if err != nil {
		return nil, nil, err
	}
	return append(data, '\n'), d.Materials, nil
}

// marshalState encodes the file content, as json.MarshalIndent(d, "", "  ")
// would, with room for the newline encode adds. See the package
// documentation for why it is indented.
//
// The resources are encoded one at a time into one buffer sized after the
// first: MarshalIndent builds the whole document compact, then indents it
// into a second buffer, both grown by doubling. For the 2.4 MB state of
// 1,000 resources that was about 12 MB of garbage at the end of apply,
// and apply's peak RSS.
func marshalState(d *diskState) ([]byte, error) {
	rs := d.Resources
	d.Resources = []diskResource{}
	head, err := json.MarshalIndent(d, "", "  ")
	d.Resources = rs
	if err != nil || len(rs) == 0 {
		return append(head, '\n')[:len(head)], err
	}
	// The resources' key is a member of the top-level object, the only
	// ones indented by two spaces; it comes before outputs and materials.
	marker := []byte("\n  \"resources\": []")
	i := bytes.Index(head, marker)
	if i < 0 {
		return nil, errors.New("encoding state: no resources member in the document (this is a bug in trustform)")
	}
	at := i + len(marker) - len("[]")
	var one bytes.Buffer
	enc := json.NewEncoder(&one)
	out := append([]byte(nil), head[:at]...)
	out = append(out, '[')
	for k := range rs {
		one.Reset()
		if err := enc.Encode(&rs[k]); err != nil {
			return nil, err
		}
		if k == 0 {
			// Resources' encodings differ little in size; indenting adds
			// about half again.
			est := len(head) + len(rs)*(one.Len()*2+16) + 1
			out = append(make([]byte, 0, est), out...)
		} else {
			out = append(out, ',')
		}
		out = append(out, "\n    "...)
		dst := bytes.NewBuffer(out)
		// Encode ends with a newline, which Indent would keep.
		if err := json.Indent(dst, one.Bytes()[:one.Len()-1], "    ", "  "); err != nil {
			return nil, err
		}
		out = dst.Bytes()
	}
	out = append(out, "\n  ]"...)
	return append(out, head[at+len("[]"):]...), nil
}

// readOwn reads a file of ours in .trustform: never through a symbolic
// link, and only a regular file (a named pipe would hang the read).
func readOwn(path string) ([]byte, error) {
	f, err := safepath.OpenFile(filepath.Dir(path), path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Sized from the file, as os.ReadFile does: io.ReadAll grows its
	// buffer by doubling, twice the garbage for a state of megabytes.
	size := 512
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < 1<<30 {
		size += int(fi.Size())
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err = buf.ReadFrom(f)
	return buf.Bytes(), err
}

// backup makes BackupPath(path) hold old, the content of path. A hard link
// costs nothing whatever the state's size; filesystems without links get a
// copy.
func backup(path string, old []byte) error {
	dst := BackupPath(path)
	dir, base := filepath.Split(dst)
	tmp := filepath.Join(dir, "."+base+".tmp-link")
	os.Remove(tmp)
	if err := os.Link(path, tmp); err == nil {
		if err := os.Rename(tmp, dst); err == nil {
			return nil
		}
		os.Remove(tmp)
	}
	if err := atomicfile.WriteFile(dst, old, FileMode); err != nil {
		return fmt.Errorf("keeping the previous state as %s: %w", dst, err)
	}
	return nil
}
