package apply

import (
	"fmt"
	"sync"

	"github.com/trustform/trustform/state"
)

// StateStore is where apply records what it did. Every method that changes
// something must have persisted it when it returns, because apply relies on
// "recorded" meaning "survives a crash". Implementations must be safe for
// concurrent use: apply records resources from parallel steps.
//
// *state.Journal implements it (one line per change, folded into
// state.json on Close); so does Store, over a State and a save function.
type StateStore interface {
	// Lookup returns the record for address, or nil. Apply never modifies
	// what it returns.
	Lookup(address string) *state.Resource
	// Upsert records r, replacing any record with the same address, and
	// saves. Apply never modifies r afterwards.
	Upsert(r *state.Resource) error
	// Remove deletes the record of address (not an error when absent) and
	// saves.
	Remove(address string) error
	// SetOutputs replaces all outputs with outputs and saves.
	SetOutputs(outputs map[string]*state.Output) error
}

var _ StateStore = (*state.Journal)(nil)

// Store is a StateStore over an in-memory *state.State: each change edits
// the State and then calls save with it, under one mutex, so saves never
// overlap and always see a consistent State.
type Store struct {
	mu   sync.Mutex
	st   *state.State
	save func(*state.State) error
}

// NewStore returns a Store that edits st and persists it with save after
// every change, typically func(s *state.State) error { return
// s.Save(path) }. A nil save keeps changes in memory only (tests).
func NewStore(st *state.State, save func(*state.State) error) *Store {
	return &Store{st: st, save: save}
}

// Lookup implements StateStore.
func (s *Store) Lookup(address string) *state.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Lookup(address)
}

// Upsert implements StateStore.
func (s *Store) Upsert(r *state.Resource) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Upsert(r)
	return s.persist("recording " + r.Address)
}

// Remove implements StateStore.
func (s *Store) Remove(address string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.Remove(address) {
		return nil
	}
	return s.persist("forgetting " + address)
}

// SetOutputs implements StateStore.
func (s *Store) SetOutputs(outputs map[string]*state.Output) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Outputs = outputs
	return s.persist("recording outputs")
}

// State returns the State the store edits. Do not modify it while an apply
// is running.
func (s *Store) State() *state.State { return s.st }

func (s *Store) persist(what string) error {
	if s.save == nil {
		return nil
	}
	if err := s.save(s.st); err != nil {
		return fmt.Errorf("saving state after %s: %w", what, err)
	}
	return nil
}
