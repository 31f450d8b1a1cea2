package state

import (
	"crypto/sha256"
	"fmt"
)

// CopiedFrom reports whether s, read from the .trustform of dir on host,
// was saved for another directory or host: the project was copied (cp -r
// app app2) or its state restored elsewhere. from describes where it was
// saved. A state that records no directory (written by an older trustform)
// is taken as dir's own.
func (s *State) CopiedFrom(dir, host string) (from string, copied bool) {
	if s == nil || s.Dir == "" {
		return "", false
	}
	switch {
	case s.Dir != dir:
		from = s.Dir
	case s.Host != "" && host != "" && s.Host != host:
		from = s.Dir + " on " + s.Host
	default:
		return "", false
	}
	return from, true
}

// ForCopy returns the state a copied project starts from: a lineage of its
// own for dir and host, and none of s's resources or outputs, which
// describe processes and containers of the directory it was copied from.
// The lineage is derived from s's and the directory, so every command run
// in the copy before its first apply (plan -out included) agrees on it.
// The first Save replaces the copied file (kept as the backup).
func (s *State) ForCopy(dir, host string) *State {
	sum := sha256.Sum256([]byte(s.Lineage + "\x00" + dir + "\x00" + host))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return &State{
		Version:          Version,
		TrustformVersion: s.TrustformVersion,
		Serial:           s.Serial,
		Lineage:          fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]),
		Dir:              dir,
		Host:             host,
		Resources:        []*Resource{},
		replaces:         s.Lineage,
		unsaved:          true,
	}
}

// Place records that s belongs to dir on host; the next Save (or
// OpenJournal) writes it.
func (s *State) Place(dir, host string) {
	if s.Dir != dir || s.Host != host {
		s.Dir, s.Host = dir, host
		s.unsaved = true
	}
}
