package apply

import (
	"fmt"
	"sort"
	"sync"

	"github.com/trustform/trustform/state"
)

// StateStore is where apply records what it did. Every method that changes
// something must have persisted it when it returns, because apply relies on
// "recorded" meaning "survives a crash". Apply serialises nothing itself:
// implementations must be safe for concurrent use.
type StateStore interface {
	// Lineage returns the state lineage. Apply tags every process and
	// container with it so that orphans of a crashed apply can be found.
	Lineage() string
	// Lookup returns a copy of the record for address, or nil.
	Lookup(address string) *state.Resource
	// Upsert records r, replacing any record with the same address, and
	// saves.
	Upsert(r *state.Resource) error
	// Remove deletes the record of address (not an error when absent) and
	// saves.
	Remove(address string) error
	// SetOutputs replaces the outputs named in the map (a nil value deletes
	// the output) and saves.
	SetOutputs(outputs map[string]*state.Output) error
}

// Store is the StateStore over an in-memory *state.State: each change edits
// the State and then calls save with it, under one mutex, so saves never
// overlap and always see a consistent State.
type Store struct {
	mu   sync.Mutex
	st   *state.State
	save func(*state.State) error
}

// NewStore returns a Store that edits st and persists it with save after
// every change. save is typically a closure over state.Save for the
// configuration directory; it may bump st.Serial. A nil save keeps changes
// in memory only (tests).
func NewStore(st *state.State, save func(*state.State) error) *Store {
	return &Store{st: st, save: save}
}

// Lineage implements StateStore.
func (s *Store) Lineage() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Lineage
}

// Lookup implements StateStore.
func (s *Store) Lookup(address string) *state.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.Lookup(address)
	if r == nil {
		return nil
	}
	c := *r
	c.CreatedPaths = append([]string(nil), r.CreatedPaths...)
	return &c
}

// Upsert implements StateStore.
func (s *Store) Upsert(r *state.Resource) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *r
	i := sort.Search(len(s.st.Resources), func(i int) bool { return s.st.Resources[i].Address >= r.Address })
	if i < len(s.st.Resources) && s.st.Resources[i].Address == r.Address {
		s.st.Resources[i] = &c
	} else {
		s.st.Resources = append(s.st.Resources, nil)
		copy(s.st.Resources[i+1:], s.st.Resources[i:])
		s.st.Resources[i] = &c
	}
	return s.persist("recording " + r.Address)
}

// Remove implements StateStore.
func (s *Store) Remove(address string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.st.Resources[:0]
	found := false
	for _, r := range s.st.Resources {
		if r.Address == address {
			found = true
			continue
		}
		out = append(out, r)
	}
	if !found {
		return nil
	}
	for i := len(out); i < len(s.st.Resources); i++ {
		s.st.Resources[i] = nil
	}
	s.st.Resources = out
	return s.persist("forgetting " + address)
}

// SetOutputs implements StateStore.
func (s *Store) SetOutputs(outputs map[string]*state.Output) error {
	if len(outputs) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, o := range outputs {
		if o == nil {
			delete(s.st.Outputs, name)
			continue
		}
		if s.st.Outputs == nil {
			s.st.Outputs = map[string]*state.Output{}
		}
		s.st.Outputs[name] = o
	}
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
