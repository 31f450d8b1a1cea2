package plan

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/internal/safepath"
	"github.com/trustform/trustform/state"
)

// FileFormat marks a saved plan file. A file with another marker is
// refused rather than guessed at.
//
// Version 2 stores each trust set's material once (TrustMaterial); version
// 3 stores each certificate once: a bundle made of certificates the file
// holds is a list of their keys (composite_blobs), and the certificates of
// a file outside trustform that the plan merged (the system bundle an
// inherited SSL_CERT_FILE names) are its path and digest
// (bundle_files), read again with the plan. The same reader takes
// versions 1 and 2.
const FileFormat = "trustform-plan/3"

// fileFormatV1 and fileFormatV2 are previous markers, still read.
const (
	fileFormatV1 = "trustform-plan/1"
	fileFormatV2 = "trustform-plan/2"
)

func knownFormat(f string) bool { return f == FileFormat || f == fileFormatV2 || f == fileFormatV1 }

// savedPlan is the content of a plan file (gzip-compressed JSON).
type savedPlan struct {
	Format string    `json:"format"`
	Plan   *diskPlan `json:"plan"`
}

// diskPlan is a Plan as a plan file stores it: each trust set's files and
// certificates once, in TrustMaterial by directory, and every spec of the
// set referring to it, so a thousand resources of one set cost a thousand
// short references rather than a thousand copies.
type diskPlan struct {
	*Plan
	Changes       []*diskChange            `json:"changes"`
	TrustMaterial map[string]*diskMaterial `json:"trust_material,omitempty"`
	// Blobs shadows Plan.Blobs: without the composite blobs and those of
	// BundleFiles, which reading the plan rebuilds.
	Blobs map[string][]byte `json:"blobs"`
	// Composites maps a blob to the blobs it is the concatenation of.
	Composites map[string][]string `json:"composite_blobs,omitempty"`
	// BundleFiles are the files the left-out certificates are read from.
	BundleFiles []BundleFile `json:"bundle_files,omitempty"`
}

type diskChange struct {
	*Change
	Before *diskSpec `json:"before,omitempty"`
	After  *diskSpec `json:"after,omitempty"`
	// Pending shadows Change.Pending: a set's recipe is stored with its
	// material.
	Pending *PendingTrust `json:"pending_trust,omitempty"`
}

// diskSpec shadows the spec's files and certificates: empty when Material
// says they are TrustMaterial[TrustDir]'s.
type diskSpec struct {
	*state.Spec
	Files        []state.File        `json:"files,omitempty"`
	Certificates []state.Certificate `json:"certificates,omitempty"`
	Material     bool                `json:"trust_material,omitempty"`
}

// diskMaterial is one trust directory's content; file paths are relative
// to the directory, slash-separated.
type diskMaterial struct {
	Files        []state.File        `json:"files,omitempty"`
	Certificates []state.Certificate `json:"certificates,omitempty"`
	Pending      *PendingTrust       `json:"pending_trust,omitempty"`

	// abs is the specs' own file list, to tell a shared one from another.
	abs []state.File
}

// toDisk returns p in its plan-file form. p is not modified.
func toDisk(p *Plan) *diskPlan {
	dp := &diskPlan{Plan: p, Changes: make([]*diskChange, len(p.Changes)), TrustMaterial: map[string]*diskMaterial{}}
	spec := func(s *state.Spec) *diskSpec {
		if s == nil {
			return nil
		}
		ds := &diskSpec{Spec: s, Files: s.Files, Certificates: s.Certificates}
		if s.TrustDir == "" || (len(s.Files) == 0 && len(s.Certificates) == 0) {
			return ds
		}
		m := dp.TrustMaterial[s.TrustDir]
		if m == nil {
			m = &diskMaterial{Certificates: s.Certificates, abs: s.Files}
			prefix := s.TrustDir + string(filepath.Separator)
			m.Files = make([]state.File, len(s.Files))
			for i, f := range s.Files {
				rel, ok := strings.CutPrefix(f.Path, prefix)
				if !ok {
					return ds
				}
				f.Path = filepath.ToSlash(rel)
				m.Files[i] = f
			}
			dp.TrustMaterial[s.TrustDir] = m
		} else if !sameList(m.abs, s.Files) || !sameList(m.Certificates, s.Certificates) {
			return ds
		}
		ds.Files, ds.Certificates, ds.Material = nil, nil, true
		return ds
	}
	dp.Blobs, dp.Composites, dp.BundleFiles = compactBlobs(p.Blobs, p.Bundles)
	for i, ch := range p.Changes {
		dc := &diskChange{Change: ch, Before: spec(ch.Before), After: spec(ch.After), Pending: ch.Pending}
		if ch.Pending != nil && dc.After != nil && dc.After.Material {
			m := dp.TrustMaterial[ch.After.TrustDir]
			if m.Pending == nil || m.Pending == ch.Pending {
				m.Pending, dc.Pending = ch.Pending, nil
			}
		}
		dp.Changes[i] = dc
	}
	return dp
}

// compactBlobs stores each certificate once: a blob that is a bundle of
// certificates which are themselves blobs, or come from a bundle file,
// becomes the list of their keys; the blobs of bundle files are left out
// and the files named instead. Only the files some kept key needs are
// named. blobs is not modified.
func compactBlobs(blobs map[string][]byte, files []BundleFile) (map[string][]byte, map[string][]string, []BundleFile) {
	external := map[string]int{} // key -> index in files
	for i, f := range files {
		for _, k := range f.Keys {
			if _, ok := external[k]; !ok {
				external[k] = i
			}
		}
	}
	out := make(map[string][]byte, len(blobs))
	composites := map[string][]string{}
	used := map[int]bool{}
	for key, data := range blobs {
		if i, ok := external[key]; ok {
			used[i] = true
			continue
		}
		if parts := pemParts(data); len(parts) > 1 {
			whole := true
			for _, k := range parts {
				_, inPool := blobs[k]
				_, inFile := external[k]
				whole = whole && (inPool || inFile)
			}
			if whole {
				composites[key] = parts
				for _, k := range parts {
					if i, ok := external[k]; ok {
						used[i] = true
					}
				}
				continue
			}
		}
		out[key] = data
	}
	var named []BundleFile
	for i, f := range files {
		if used[i] {
			named = append(named, BundleFile{Path: f.Path, SHA256: f.SHA256})
		}
	}
	if len(composites) == 0 {
		composites = nil
	}
	return out, composites, named
}

const pemEnd = "-----END CERTIFICATE-----\n"

// pemParts splits a bundle of certificates, as pem.Bundle writes it, into
// the keys of its blocks; nil when data is not such a bundle.
func pemParts(data []byte) []string {
	if !bytes.HasPrefix(data, []byte("-----BEGIN CERTIFICATE-----\n")) || !bytes.HasSuffix(data, []byte(pemEnd)) {
		return nil
	}
	var keys []string
	for len(data) > 0 {
		i := bytes.Index(data, []byte(pemEnd))
		if i < 0 {
			return nil
		}
		part := data[:i+len(pemEnd)]
		sum := sha256.Sum256(part)
		keys = append(keys, hex.EncodeToString(sum[:]))
		data = data[len(part):]
	}
	return keys
}

// expandBlobs rebuilds the blobs compactBlobs left out: it reads each
// bundle file again and checks its digest, then joins each composite. A
// file that changed or vanished is not an error here (show can still
// render the plan) but in CheckApplicable, which apply calls.
func expandBlobs(dp *diskPlan, name string) (map[string][]byte, error, error) {
	blobs := dp.Blobs
	if blobs == nil {
		blobs = map[string][]byte{}
	}
	var stale error
	for _, f := range dp.BundleFiles {
		// A regular file of bounded size only: the path comes from the plan
		// file, which may be damaged (a pipe would hang the read).
		data, err := safepath.ReadInput(f.Path, safepath.MaxInputFile)
		if err != nil {
			stale = fmt.Errorf("%w: it merges the certificates of %s, which cannot be read now (%v); run trustform plan again", ErrStalePlan, f.Path, err)
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
			stale = fmt.Errorf("%w: it merges the certificates of %s, which changed since the plan was made (sha256 %s, now %s); run trustform plan again", ErrStalePlan, f.Path, short(f.SHA256), short(hex.EncodeToString(sum[:])))
			continue
		}
		// No validity check: every certificate the plan may have kept
		// (expired ones were left out then) is a candidate part.
		certs, _ := pem.Parse(data, f.Path, pem.Options{})
		for _, c := range certs {
			b := c.PEM()
			sum := sha256.Sum256(b)
			blobs[hex.EncodeToString(sum[:])] = b
		}
	}
	for key, parts := range dp.Composites {
		var buf bytes.Buffer
		missing := false
		for _, k := range parts {
			b, ok := blobs[k]
			if !ok {
				missing = true
				break
			}
			buf.Write(b)
		}
		if missing {
			if stale == nil {
				return nil, nil, fmt.Errorf("%s: damaged plan file (blob %s lacks a part); run trustform plan -out again", name, short(key))
			}
			continue
		}
		if sum := sha256.Sum256(buf.Bytes()); hex.EncodeToString(sum[:]) != key {
			return nil, nil, fmt.Errorf("%s: damaged plan file (blob %s does not match its parts); run trustform plan -out again", name, short(key))
		}
		blobs[key] = buf.Bytes()
	}
	return blobs, stale, nil
}

// sameList reports whether a and b are the same list: the same backing
// array (the planner and state share one per set), else equal elements.
func sameList[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fromDisk rebuilds the Plan, every spec of one set sharing its lists.
func fromDisk(dp *diskPlan, name string) (*Plan, error) {
	p := dp.Plan
	blobs, stale, err := expandBlobs(dp, name)
	if err != nil {
		return nil, err
	}
	p.Blobs, p.StaleBundles = blobs, stale
	abs := map[string][]state.File{}
	material := func(dir string) (*diskMaterial, []state.File, error) {
		m := dp.TrustMaterial[dir]
		if m == nil {
			return nil, nil, fmt.Errorf("%s: damaged plan file (no trust material for %s); run trustform plan -out again", name, dir)
		}
		files, ok := abs[dir]
		if !ok {
			files = make([]state.File, len(m.Files))
			for i, f := range m.Files {
				rel := filepath.FromSlash(f.Path)
				if !filepath.IsLocal(rel) {
					return nil, nil, fmt.Errorf("%s: damaged plan file (trust file %q is not inside %s); run trustform plan -out again", name, f.Path, dir)
				}
				f.Path = filepath.Join(dir, rel)
				files[i] = f
			}
			abs[dir] = files
		}
		return m, files, nil
	}
	spec := func(ds *diskSpec) (*state.Spec, error) {
		if ds == nil {
			return nil, nil
		}
		s := ds.Spec
		if s == nil {
			s = &state.Spec{}
		}
		s.Files, s.Certificates = ds.Files, ds.Certificates
		if ds.Material {
			m, files, err := material(s.TrustDir)
			if err != nil {
				return nil, err
			}
			s.Files, s.Certificates = files, m.Certificates
		}
		return s, nil
	}
	p.Changes = make([]*Change, len(dp.Changes))
	for i, dc := range dp.Changes {
		if dc == nil || dc.Change == nil {
			return nil, fmt.Errorf("%s: damaged plan file: change %d is null; run trustform plan -out again", name, i)
		}
		ch := dc.Change
		var err error
		if ch.Before, err = spec(dc.Before); err != nil {
			return nil, err
		}
		if ch.After, err = spec(dc.After); err != nil {
			return nil, err
		}
		ch.Pending = dc.Pending
		if ch.Pending == nil && ch.DevcertPending && dc.After != nil && dc.After.Material {
			ch.Pending = dp.TrustMaterial[ch.After.TrustDir].Pending
		}
		p.Changes[i] = ch
	}
	for i, s := range p.TrustSets {
		if s == nil {
			return nil, fmt.Errorf("%s: damaged plan file: trust set %d is null; run trustform plan -out again", name, i)
		}
		if _, ok := dp.TrustMaterial[s.Dir]; ok {
			m, files, _ := material(s.Dir)
			s.Files, s.Certificates = files, m.Certificates
		}
		if _, ok := dp.TrustMaterial[s.PreviousDir]; ok && s.PreviousDir != "" {
			s.Previous = dp.TrustMaterial[s.PreviousDir].Certificates
		}
	}
	return p, nil
}

// WriteFile saves p to path (plan -out), atomically. The file holds every
// value the plan resolved, sensitive ones included, so it is created 0600.
func WriteFile(path string, p *Plan) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(savedPlan{Format: FileFormat, Plan: toDisk(p)}); err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing the plan: %w", err)
	}
	// 0600 from the start: the file holds sensitive values.
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

// ReadFile loads a plan saved by WriteFile.
func ReadFile(path string) (*Plan, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("plan file %s does not exist; save one with trustform plan -out=FILE", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading plan file: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Read decodes a saved plan from r; name is used in messages.
func Read(r io.Reader, name string) (*Plan, error) {
	notPlan := fmt.Errorf("%s is not a trustform plan file; create one with trustform plan -out=FILE", name)
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, notPlan
	}
	var sp savedPlan
	dec := json.NewDecoder(zr)
	if err := dec.Decode(&sp); err != nil {
		if sp.Format != "" && !knownFormat(sp.Format) {
			return nil, unknownFormat(name, sp.Format)
		}
		return nil, fmt.Errorf("%s: damaged plan file (%v); run trustform plan -out again", name, err)
	}
	if !knownFormat(sp.Format) {
		if sp.Format == "" {
			return nil, notPlan
		}
		return nil, unknownFormat(name, sp.Format)
	}
	if sp.Plan == nil || sp.Plan.Plan == nil {
		return nil, fmt.Errorf("%s: damaged plan file (no plan); run trustform plan -out again", name)
	}
	p, err := fromDisk(sp.Plan, name)
	if err != nil {
		return nil, err
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%s: damaged plan file: %v; run trustform plan -out again", name, err)
	}
	if p.Blobs == nil {
		p.Blobs = map[string][]byte{}
	}
	return p, nil
}

func unknownFormat(name, format string) error {
	return fmt.Errorf("%s has plan format %q, which this trustform cannot apply (it reads %q); make the plan with this trustform version", name, format, FileFormat)
}

// ErrStalePlan is wrapped by CheckApplicable when the state has moved on
// since the plan was made.
//
//lint:ignore ST1005 "Saved plan is stale" is the message users and scripts match (SPEC 8).
var ErrStalePlan = errors.New("Saved plan is stale")

// CheckApplicable refuses a saved plan made against another state: a
// different lineage, or the same lineage at another serial (someone applied
// since). st may be nil when there is no state.
func CheckApplicable(p *Plan, st *state.State) error {
	if p.StaleBundles != nil {
		return p.StaleBundles
	}
	var lineage string
	var serial uint64
	if st != nil {
		lineage, serial = st.Lineage, st.Serial
	}
	if p.Lineage != "" && lineage != "" && p.Lineage != lineage {
		//lint:ignore ST1005 starts like the stale-plan message users know.
		return fmt.Errorf("Saved plan is for a different state (lineage %s, current %s): it was made in another configuration directory or before the state was recreated; run trustform plan again", p.Lineage, lineage)
	}
	if p.Lineage != lineage || p.Serial != serial {
		return fmt.Errorf("%w: the state changed since it was made (plan serial %d, state serial %d); run trustform plan again", ErrStalePlan, p.Serial, serial)
	}
	if p.StateJournal != st.JournalDigest() {
		return fmt.Errorf("%w: it was made while another run was changing the state, which has finished since; run trustform plan again", ErrStalePlan)
	}
	return nil
}

// check verifies, of a plan read from a file, what apply and the renderers
// rely on, so that a damaged file is an error, never a panic (issue 12).
func (p *Plan) check() error {
	for i, c := range p.Changes {
		if c == nil {
			return fmt.Errorf("change %d is null", i)
		}
		if c.Address == "" {
			return fmt.Errorf("change %d has no address", i)
		}
		switch c.Action {
		case NoOp, Create, Update, Replace, Delete:
		default:
			return fmt.Errorf("%s: unknown action %q", c.Address, c.Action)
		}
		needAfter := c.Action == Create || c.Action == Update || c.Action == Replace
		if needAfter && c.After == nil {
			return fmt.Errorf("%s: a %s without the spec to start", c.Address, c.Action)
		}
		for _, s := range []*state.Spec{c.Before, c.After} {
			if s == nil {
				continue
			}
			if err := s.Check(); err != nil {
				return fmt.Errorf("%s: %w", c.Address, err)
			}
		}
		if c.DevcertPending && c.Pending == nil {
			return fmt.Errorf("%s: waits for the development CA without the recipe to finish its trust files", c.Address)
		}
	}
	for i, d := range p.Drift {
		if d == nil {
			return fmt.Errorf("drift entry %d is null", i)
		}
	}
	for i, o := range p.Outputs {
		if o == nil {
			return fmt.Errorf("output %d is null", i)
		}
	}
	return nil
}
