package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/safepath"
	"github.com/trustform/trustform/runtimes"
)

// OpKind names a journal entry's change.
type OpKind string

// The changes a journal records.
const (
	// OpUpsert records Op.Resource (State.Upsert).
	OpUpsert OpKind = "upsert"
	// OpRemove removes Op.Address (State.Remove).
	OpRemove OpKind = "remove"
	// OpOutputs replaces every output with Op.Outputs.
	OpOutputs OpKind = "outputs"
)

// Op is one journal entry: one JSON line in the journal file.
type Op struct {
	Kind     OpKind             `json:"op"`
	Resource *Resource          `json:"resource,omitempty"`
	Address  string             `json:"address,omitempty"`
	Outputs  map[string]*Output `json:"outputs,omitempty"`
}

func (op *Op) check() error {
	switch op.Kind {
	case OpUpsert:
		if op.Resource == nil || op.Resource.Address == "" {
			return errors.New("upsert without a resource address")
		}
	case OpRemove:
		if op.Address == "" {
			return errors.New("remove without an address")
		}
	case OpOutputs:
	default:
		return fmt.Errorf("unknown journal operation %q", op.Kind)
	}
	return nil
}

func (s *State) apply(op *Op) {
	switch op.Kind {
	case OpUpsert:
		s.Upsert(op.Resource)
	case OpRemove:
		s.Remove(op.Address)
	case OpOutputs:
		s.Outputs = op.Outputs
	}
}

// journalLine is an Op as the journal stores it: an upserted resource's
// spec names its material by digest, and the line defines only the
// materials neither an earlier line nor the journal's base file defines,
// so a line is about a kilobyte whatever the resource trusts.
type journalLine struct {
	Kind      OpKind               `json:"op"`
	Materials map[string]*material `json:"materials,omitempty"`
	Resource  *diskResource        `json:"resource,omitempty"`
	Address   string               `json:"address,omitempty"`
	Outputs   map[string]*Output   `json:"outputs,omitempty"`
}

// journalBegin is the journal's first line: which state file content
// (lineage and serial) the entries apply to. A journal whose base no longer
// matches state.json was already folded in and is ignored.
type journalBegin struct {
	Op string `json:"op"`
	header
}

const beginOp = "begin"

// Journal records changes to a state one line at a time, so that saving
// after each of N resources writes O(N) bytes in all instead of rewriting
// state.json each time. Each change is written before the call returns:
// after trustform crashes or is killed, Load replays the journal on top
// of state.json.
//
// A change is not fsynced. Once written it survives the end of trustform
// (the kernel holds it), which is the crash the journal is for. An fsync
// adds only survival of a power loss or kernel crash, after which none of
// the processes the lines describe run any more either; it cost 2 ms per
// line here, and apply's 2,000 lines for 1,000 resources waited for one
// after the other (with group commit, batches of at most 10): 2 s of an
// apply whose processes start in 0.6 s (issue 19). Close folds the
// journal into state.json, which is saved durably.
//
// While a Journal is open, change its state only through the Journal; its
// methods are safe for concurrent use (apply records resources from
// parallel goroutines). Close folds the journal into state.json.
type Journal struct {
	mu      sync.Mutex
	path    string
	s       *State
	f       *os.File
	appends int
	err     error // sticky: after a failed write the file may end torn
	closed  bool

	// specs holds the encoded specs of resources recorded before they
	// started (specLine).
	specs map[*Spec]encodedSpec

	// pre is the state encoded by Prepare, when appends was preAt.
	pre   *encoded
	preAt int

	ix *materialIndex
	// known holds the digests of the materials the base file or a line
	// written already defines.
	known map[string]bool
}

// OpenJournal starts a journal for the state file at path, s being the state
// as Load returned it (or New). Changes s holds that are not in the file yet
// (made with Upsert or Remove, or replayed from an old journal) are saved to
// path first, so the journal's base is exactly the file.
func OpenJournal(path string, s *State) (*Journal, error) {
	if s.unsaved || s.recovered > 0 {
		if err := s.Save(path); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("starting the state journal: %w", err)
	}
	begin := journalBegin{Op: beginOp, header: header{
		Version: Version, TrustformVersion: s.TrustformVersion, Lineage: s.Lineage, Serial: s.Serial,
	}}
	line, err := json.Marshal(begin)
	if err != nil {
		return nil, fmt.Errorf("starting the state journal: %w", err)
	}
	jpath := JournalPath(path)
	// Written atomically, so a crash never leaves a journal without its
	// base, and a stale journal is replaced in one step.
	if err := atomicfile.WriteFile(jpath, append(line, '\n'), FileMode); err != nil {
		return nil, fmt.Errorf("starting the state journal: %w", err)
	}
	f, err := safepath.OpenFile(filepath.Dir(jpath), jpath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("starting the state journal: %w", err)
	}
	known := map[string]bool{}
	if s.materialsOf == path {
		for d := range s.materials {
			known[d] = true
		}
	}
	j := &Journal{path: path, s: s, f: f, ix: newMaterialIndex(), known: known}
	return j, nil
}

// Append records op durably, then applies it to the state.
func (j *Journal) Append(op Op) error {
	if err := op.check(); err != nil {
		return fmt.Errorf("recording state: %w", err)
	}

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("recording state: journal is closed")
	}
	if j.err != nil {
		return j.err
	}
	// Encoded under the lock: whether the line defines a material depends
	// on the lines before it.
	line, fresh, err := j.encode(&op)
	if err != nil {
		return fmt.Errorf("recording state: %w", err)
	}
	if _, err := j.f.Write(line); err != nil {
		j.err = fmt.Errorf("recording state in %s: %w", JournalPath(j.path), err)
		return j.err
	}
	// Only a line in the file defines its materials for the lines after
	// it.
	for _, d := range fresh {
		j.known[d] = true
	}
	j.s.apply(&op)
	j.appends++
	return nil
}

// encode returns op's journal line and the digests of the materials it
// defines.
func (j *Journal) encode(op *Op) (line []byte, fresh []string, err error) {
	// The resource is spliced in below, so the line is marshalled without.
	l := journalLine{Kind: op.Kind, Address: op.Address, Outputs: op.Outputs}
	var spec encodedSpec
	if op.Resource != nil {
		if spec, err = j.specLine(op.Resource); err != nil {
			return nil, nil, err
		}
		if spec.digest != "" && !j.known[spec.digest] {
			l.Materials = map[string]*material{spec.digest: spec.m}
			fresh = append(fresh, spec.digest)
		}
	}
	if line, err = json.Marshal(&l); err != nil {
		return nil, nil, err
	}
	if op.Resource != nil {
		// The resource, and its spec, are spliced in rather than given to
		// Marshal: it would scan the encoded spec (json.RawMessage) again,
		// byte by byte, to check and compact it; that was most of the cost
		// of a line.
		res, err := json.Marshal(&journalResource{Resource: op.Resource})
		if err != nil {
			return nil, nil, err
		}
		out := make([]byte, 0, len(line)+len(res)+len(spec.raw)+32)
		out = append(out, line[:len(line)-1]...)
		out = append(out, `,"resource":`...)
		line = append(out, res[:len(res)-1]...)
		line = append(line, `,"spec":`...)
		line = append(line, spec.raw...)
		line = append(line, "}}"...)
	}
	return append(line, '\n'), fresh, nil
}

// journalResource is diskResource without its spec, which comes encoded
// already (specLine).
type journalResource struct {
	*Resource
	Spec json.RawMessage `json:"spec,omitempty"`
}

// encodedSpec is a spec as a journal line holds it, and the material it
// references (digest "" for none).
type encodedSpec struct {
	raw    json.RawMessage
	digest string
	m      *material
}

// specLine encodes r's spec, or takes it from the line that recorded r
// before it started: apply records each resource twice with the same
// spec (before and after starting it), and encoding the spec, with its
// environment, was most of the cost of each line. It is kept only until
// that second line (the one with a handle).
func (j *Journal) specLine(r *Resource) (encodedSpec, error) {
	if r.Spec != nil {
		if e, ok := j.specs[r.Spec]; ok {
			if r.Handle != (runtimes.Handle{}) {
				delete(j.specs, r.Spec)
			}
			return e, nil
		}
	}
	defs := map[string]*material{}
	dr, err := j.ix.toDisk(r, defs)
	if err != nil {
		return encodedSpec{}, err
	}
	var e encodedSpec
	for d, m := range defs {
		e.digest, e.m = d, m
	}
	if e.raw, err = json.Marshal(dr.Spec); err != nil {
		return encodedSpec{}, err
	}
	if r.Spec != nil && r.Handle == (runtimes.Handle{}) {
		if j.specs == nil {
			j.specs = map[*Spec]encodedSpec{}
		}
		j.specs[r.Spec] = e
	}
	return e, nil
}

// Upsert records r (see State.Upsert). r must not be changed afterwards.
func (j *Journal) Upsert(r *Resource) error { return j.Append(Op{Kind: OpUpsert, Resource: r}) }

// Remove records that the resource at address is gone.
func (j *Journal) Remove(address string) error {
	return j.Append(Op{Kind: OpRemove, Address: address})
}

// SetOutputs records the outputs, replacing all previous ones.
func (j *Journal) SetOutputs(outputs map[string]*Output) error {
	return j.Append(Op{Kind: OpOutputs, Outputs: outputs})
}

// Lookup returns the resource recorded at address, or nil.
func (j *Journal) Lookup(address string) *Resource {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.s.Lookup(address)
}

// State returns the journal's state. Read it only while no Append runs, or
// after Close.
func (j *Journal) State() *State { return j.s }

// Prepare encodes the state as Close would save it, so that the caller
// can do that while it waits anyway (apply, for the start windows of the
// last processes): Close then only writes it, unless something was
// recorded since. Encoding 1,000 resources took 80 ms of apply's end.
func (j *Journal) Prepare() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed || j.appends == 0 {
		return
	}
	if pre, err := j.s.encodeNext(); err == nil {
		j.pre, j.preAt = pre, j.appends
	}
}

// Close saves the state to the state file and removes the journal. If the
// save fails the journal stays, so nothing recorded is lost: the next Load
// replays it. Closing twice does nothing.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	if err := j.f.Close(); err != nil && j.err == nil {
		j.err = err
	}
	if j.appends > 0 {
		pre := j.pre
		if j.preAt != j.appends {
			pre = nil
		}
		if err := j.s.save(j.path, pre); err != nil {
			return fmt.Errorf("%w; the changes are kept in %s and recovered by the next command", err, JournalPath(j.path))
		}
	}
	if err := os.Remove(JournalPath(j.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the state journal: %w", err)
	}
	return nil
}

// replay applies the journal of the state file at path to s (nil when the
// file does not exist). A journal whose base is not s is stale and ignored.
func replay(path string, s *State) (*State, error) {
	jpath := JournalPath(path)
	data, err := readOwn(jpath)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the state journal: %w", err)
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	var begin journalBegin
	if err := json.Unmarshal(first, &begin); err != nil || begin.Op != beginOp {
		if err == nil {
			err = errors.New("first line is not the journal's start")
		}
		e := corrupt(jpath, first, err)
		if e.Line == 0 {
			e.Line, e.Column = 1, 1
		}
		return nil, e
	}
	h, err := decodeHeader(jpath, first)
	if err != nil {
		return nil, err
	}
	fromJournal := s == nil
	if fromJournal {
		// Only a journal started on a state never saved applies to a
		// missing file; otherwise state.json was deleted since.
		if h.Serial != 0 {
			return nil, nil
		}
		s = New(h.Lineage, h.TrustformVersion)
	} else if h.Lineage != s.Lineage || h.Serial != s.Serial {
		return s, nil
	}
	// The base file's materials, then those the lines define.
	t := newMaterialTable(nil)
	if !fromJournal {
		maps.Copy(t.defs, s.materials)
	}
	n := 0
	for lineNo := 2; len(rest) > 0; lineNo++ {
		line, after, complete := bytes.Cut(rest, []byte("\n"))
		rest = after
		if !complete {
			// A crash during the write tore the last line: that change
			// was never acknowledged, so dropping it is right.
			break
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l journalLine
		if err := json.Unmarshal(line, &l); err != nil {
			e := corrupt(jpath, line, err)
			e.Line, e.Column = lineNo, max(e.Column, 1)
			return nil, e
		}
		op, err := lineOp(&l, t)
		if err == nil {
			err = op.check()
		}
		if err != nil {
			return nil, &CorruptError{Path: jpath, Line: lineNo, Column: 1, Err: err}
		}
		s.apply(op)
		n++
	}
	if n == 0 {
		if fromJournal {
			return nil, nil
		}
		return s, nil
	}
	s.recovered = n
	s.unsaved = true
	s.Serial++
	// The serial alone cannot tell this state from the one the run that
	// wrote the journal will save on success (also base+1): a plan made
	// from it records the journal's digest too (issue 12).
	sum := sha256.Sum256(data)
	s.journalDigest = hex.EncodeToString(sum[:])
	return s, nil
}

// lineOp returns the change l records, resolving its material through t after
// adding the materials l defines.
func lineOp(l *journalLine, t *materialTable) (*Op, error) {
	if err := t.define(l.Materials); err != nil {
		return nil, err
	}
	op := &Op{Kind: l.Kind, Address: l.Address, Outputs: l.Outputs}
	if l.Resource != nil {
		r, err := t.fromDisk(l.Resource)
		if err != nil {
			return nil, err
		}
		op.Resource = r
	}
	return op, nil
}
