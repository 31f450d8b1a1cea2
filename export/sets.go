package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/trustform/trustform/plan"
)

// The names of a trust directory's bundle and certificate directory, as
// apply lays them out (internal/layout).
const (
	bundleName   = "cert.pem"
	certsDirName = "certs"
)

// trustSet is one of the plan's trust sets, as the containers exported
// use it: its files by place in the set's directory.
type trustSet struct {
	// name names its ConfigMaps and Compose directory: "trust-", the
	// plan's readable set name and 12 hex digits of its content digest, so
	// that changed content is a new object (pods roll over to it, and
	// podman never reuses a stale volume of the same name).
	name string
	// top holds the files directly in the trust directory (cert.pem, a
	// Java store...), certs those in certs/, both sorted by name.
	top   []setFile
	certs []setFile
	// links are certs/ symlinks (subject-hash names) to files of certs.
	links []setLink
	// users are the exported containers that receive the set.
	users []string
}

// setFile is a regular file of a set; sha keys the plan's blobs.
type setFile struct {
	name string
	sha  string
}

// setLink is a subject-hash name and the certs/ file it stands for.
type setLink struct {
	name   string
	target string
}

// bundle returns the set's cert.pem.
func (s *trustSet) bundle(p *plan.Plan) []byte {
	for _, f := range s.top {
		if f.name == bundleName {
			return p.Blobs[f.sha]
		}
	}
	return nil
}

// trustSets finds each container's trust set in the plan (by its
// directory) and sets c.set (nil for none). Sets are returned sorted by
// name.
func trustSets(p *plan.Plan, cs []*container) ([]*trustSet, error) {
	planned := make(map[string]*plan.TrustSet, len(p.TrustSets))
	for _, ts := range p.TrustSets {
		planned[ts.Dir] = ts
	}
	byDir := map[string]*trustSet{}
	for _, c := range cs {
		spec := c.change.After
		if spec.TrustDir == "" || len(spec.Files) == 0 {
			continue
		}
		s, ok := byDir[spec.TrustDir]
		if !ok {
			var err error
			if s, err = setOf(p, c.change, planned[spec.TrustDir]); err != nil {
				return nil, fmt.Errorf("%s: %w", c.address, err)
			}
			byDir[spec.TrustDir] = s
		}
		s.users = append(s.users, c.address)
		c.set = s
	}
	out := make([]*trustSet, 0, len(byDir))
	for _, s := range byDir {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// maxSetName bounds the readable part of a set's object names.
const maxSetName = 30

// setOf reads one resource's trust files, relative to its directory, and
// names the set after the plan's (ts; nil names it by content alone).
func setOf(p *plan.Plan, c *plan.Change, ts *plan.TrustSet) (*trustSet, error) {
	s := &trustSet{}
	h := sha256.New()
	dir := c.After.TrustDir
	for _, f := range c.After.Files {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("trust file %s is outside its directory %s", f.Path, dir)
		}
		rel = filepath.ToSlash(rel)
		sub, name, nested := strings.Cut(rel, "/")
		switch {
		case !nested && f.Link == "":
			s.top = append(s.top, setFile{name: rel, sha: f.SHA256})
		case nested && sub == certsDirName && !strings.Contains(name, "/") && f.Link == "":
			s.certs = append(s.certs, setFile{name: name, sha: f.SHA256})
		case nested && sub == certsDirName && !strings.Contains(name, "/") && !strings.Contains(f.Link, "/"):
			s.links = append(s.links, setLink{name: name, target: f.Link})
		default:
			return nil, fmt.Errorf("trust file %s has no place in an exported trust set", rel)
		}
		if f.Link == "" {
			if _, ok := p.Blobs[f.SHA256]; !ok {
				return nil, fmt.Errorf("the plan holds no content for trust file %s", rel)
			}
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", rel, f.SHA256, f.Link)
	}
	sort.Slice(s.top, func(i, j int) bool { return s.top[i].name < s.top[j].name })
	sort.Slice(s.certs, func(i, j int) bool { return s.certs[i].name < s.certs[j].name })
	sort.Slice(s.links, func(i, j int) bool { return s.links[i].name < s.links[j].name })
	for _, l := range s.links {
		if !s.hasCert(l.target) {
			return nil, fmt.Errorf("certs/%s links to %s, which is not in the trust set", l.name, l.target)
		}
	}
	digest := hex.EncodeToString(h.Sum(nil))
	s.name = "trust-" + digest[:12]
	if ts != nil && len(ts.Digest) >= 12 {
		base := dnsName(ts.Name)
		if len(base) > maxSetName {
			base = strings.TrimRight(base[:maxSetName], "-")
		}
		s.name = "trust-" + base + "-" + ts.Digest[:12]
	}
	return s, nil
}

func (s *trustSet) hasCert(name string) bool {
	for _, c := range s.certs {
		if c.name == name {
			return true
		}
	}
	return false
}
