package plan

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/trustform/trustform/state"
)

// FileFormat marks a saved plan file. A file with another marker is
// refused rather than guessed at.
const FileFormat = "trustform-plan/1"

// savedPlan is the content of a plan file (gzip-compressed JSON).
type savedPlan struct {
	Format string `json:"format"`
	Plan   *Plan  `json:"plan"`
}

// WriteFile saves p to path (plan -out), atomically. The file holds every
// value the plan resolved, sensitive ones included, so it is created 0600.
func WriteFile(path string, p *Plan) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(savedPlan{Format: FileFormat, Plan: p}); err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing the plan: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".trustform-plan-*")
	if err != nil {
		return fmt.Errorf("writing plan file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing plan file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing plan file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing plan file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing plan file %s: %w", path, err)
	}
	return nil
}

// ReadFile loads a plan saved by WriteFile.
func ReadFile(path string) (*Plan, error) {
	f, err := os.Open(path)
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
		if sp.Format != "" && sp.Format != FileFormat {
			return nil, unknownFormat(name, sp.Format)
		}
		return nil, fmt.Errorf("%s: damaged plan file (%v); run trustform plan -out again", name, err)
	}
	if sp.Format != FileFormat {
		if sp.Format == "" {
			return nil, notPlan
		}
		return nil, unknownFormat(name, sp.Format)
	}
	if sp.Plan == nil {
		return nil, fmt.Errorf("%s: damaged plan file (no plan); run trustform plan -out again", name)
	}
	if err := sp.Plan.check(); err != nil {
		return nil, fmt.Errorf("%s: damaged plan file: %v; run trustform plan -out again", name, err)
	}
	if sp.Plan.Blobs == nil {
		sp.Plan.Blobs = map[string][]byte{}
	}
	return sp.Plan, nil
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
