package state

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// New returns an empty state of the current format with the given lineage,
// recording which trustform version writes it. Serial is 0 until the first
// save.
func New(lineage, trustformVersion string) *State {
	return &State{
		Version:          Version,
		TrustformVersion: trustformVersion,
		Lineage:          lineage,
		Resources:        []*Resource{},
	}
}

// NewLineage returns a random UUID (version 4) read from rand, which must not
// fail (crypto/rand.Reader never does); tests pass a fixed reader.
func NewLineage(rand io.Reader) string {
	var b [16]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		panic(fmt.Sprintf("state: reading randomness for a lineage: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Lookup returns the resource with the address, or nil. Like Upsert and
// Remove it relies on Resources being sorted by address; callers change
// Resources only through these methods.
func (s *State) Lookup(address string) *Resource {
	if i, ok := s.find(address); ok {
		return s.Resources[i]
	}
	return nil
}

// Upsert records r, replacing the resource with the same address if there is
// one, and keeps Resources sorted by address.
func (s *State) Upsert(r *Resource) {
	s.unsaved = true
	i, ok := s.find(r.Address)
	if ok {
		s.Resources[i] = r
		return
	}
	s.Resources = append(s.Resources, nil)
	copy(s.Resources[i+1:], s.Resources[i:])
	s.Resources[i] = r
}

// Remove deletes the resource with the address and reports whether there
// was one.
func (s *State) Remove(address string) bool {
	i, ok := s.find(address)
	if !ok {
		return false
	}
	s.Resources = append(s.Resources[:i], s.Resources[i+1:]...)
	s.unsaved = true
	return true
}

// RecoveredChanges returns how many changes Load replayed from a journal
// left by an interrupted apply or destroy (0 normally), so the command can
// tell the user their previous run was cut short.
func (s *State) RecoveredChanges() int { return s.recovered }

// find looks the address up by binary search, relying on the sorted
// invariant (Load and Save restore it; Upsert keeps it).
func (s *State) find(address string) (int, bool) {
	rs := s.Resources
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Address >= address })
	return i, i < len(rs) && rs[i].Address == address
}

// sortResources restores the sorted invariant.
func (s *State) sortResources() {
	sort.SliceStable(s.Resources, func(i, j int) bool {
		return strings.Compare(s.Resources[i].Address, s.Resources[j].Address) < 0
	})
}
