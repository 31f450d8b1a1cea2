package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/state"
)

// Trust set actions, as the plan shows them.
const (
	SetCreate = "create"
	SetUpdate = "update"
	SetNoOp   = "no-op"
	SetDelete = "delete"
)

// TrustSet is one distinct set of trust material that one or more
// resources receive: the certificates after scope resolution, plus the
// extras a runtime needs (a Java trust store, a bundle merged with a
// user's). Resources with the same inputs share one set, written once to
// Dir, and every trust variable and argument of theirs points into Dir.
//
// Certificates and Files are shared with every spec that references the
// set (Spec.TrustDir == Dir): never modify them.
type TrustSet struct {
	// Name is readable and unique within the plan: the set's sources
	// (collection names, "devcert", "system", "java", "merged") joined with
	// "+", with a short digest added only when two sets would share it.
	Name string `json:"name"`
	// Dir is the absolute host directory, .trustform/trust/BASE-DIGEST.
	Dir string `json:"dir"`
	// Digest identifies the content (files and certificates).
	Digest  string   `json:"digest"`
	Sources []string `json:"sources,omitempty"`
	// Action is SetCreate, SetUpdate, SetNoOp or SetDelete.
	Action string `json:"action"`
	// UsedBy lists the addresses of the resources that receive the set
	// after apply (for SetDelete: that had it before).
	UsedBy []string `json:"used_by"`
	// Pending is set while the set waits for the development CA apply
	// creates.
	Pending bool `json:"pending,omitempty"`
	// PreviousDir is, for SetUpdate, the set its resources had before;
	// Previous holds that set's certificates.
	PreviousDir  string              `json:"previous_dir,omitempty"`
	PreviousName string              `json:"previous_name,omitempty"`
	Previous     []state.Certificate `json:"-"`

	Certificates []state.Certificate `json:"-"`
	Files        []state.File        `json:"-"`
}

// setKey is everything that decides a set's content.
func setKey(rc *recipe, devcertAt int) string {
	var b strings.Builder
	b.WriteString(listKey(rc.certs))
	if devcertAt >= 0 {
		b.WriteString("|pending@" + strconv.Itoa(devcertAt))
	}
	if rc.javaStore {
		b.WriteString("|java:" + plainKey(rc.javaExtra))
	}
	for _, name := range keys.Sorted(rc.merged) {
		b.WriteString("|merged:" + name + ":" + plainKey(rc.merged[name]))
	}
	return b.String()
}

// keyMemo remembers the digest of each certificate list it has keyed, by
// the list's identity: the resources of a set share their lists (one
// certList per choice of collections, one parsed bundle per inherited
// file), so a thousand resources cost one digest per list, where spelling
// setKey out for each of them built a string of every certificate's
// SHA-256 (some 100 KB with a dozen merged system bundles) per resource.
type keyMemo struct {
	lists map[listID]string
	plain map[plainID]string
}

type listID struct {
	first *trustCert
	n     int
}

type plainID struct {
	first **pem.Certificate
	n     int
}

func digestOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (m *keyMemo) list(certs []trustCert) string {
	if len(certs) == 0 {
		return ""
	}
	id := listID{&certs[0], len(certs)}
	k, ok := m.lists[id]
	if !ok {
		k = digestOf(listKey(certs))
		if m.lists == nil {
			m.lists = map[listID]string{}
		}
		m.lists[id] = k
	}
	return k
}

func (m *keyMemo) plainList(certs []*pem.Certificate) string {
	if len(certs) == 0 {
		return ""
	}
	id := listIdentity(certs)
	k, ok := m.plain[id]
	if !ok {
		k = digestOf(plainKey(certs))
		if m.plain == nil {
			m.plain = map[plainID]string{}
		}
		m.plain[id] = k
	}
	return k
}

// setLookupKey identifies a set's inputs as setKey does, with each list
// replaced by its digest.
func (m *keyMemo) setLookupKey(rc *recipe, devcertAt int) string {
	var b strings.Builder
	b.WriteString(m.list(rc.certs))
	if devcertAt >= 0 {
		b.WriteString("|pending@" + strconv.Itoa(devcertAt))
	}
	if rc.javaStore {
		b.WriteString("|java:" + m.plainList(rc.javaExtra))
	}
	for _, name := range keys.Sorted(rc.merged) {
		b.WriteString("|merged:" + name + ":" + m.plainList(rc.merged[name]))
	}
	return b.String()
}

// setBase names a set after its sources.
func setBase(rc *recipe, devcertAt int) (string, []string) {
	var parts, sources []string
	seen := map[string]bool{}
	add := func(part, source string) {
		if !seen[source] {
			seen[source] = true
			sources = append(sources, source)
		}
		if !seen["part:"+part] {
			seen["part:"+part] = true
			parts = append(parts, part)
		}
	}
	for i, c := range rc.certs {
		if i == devcertAt {
			add(sourceDevcert, sourceDevcert+".trustform")
		}
		switch {
		case strings.HasPrefix(c.source, "collection."):
			add(strings.TrimPrefix(c.source, "collection."), c.source)
		case strings.HasPrefix(c.source, sourceDevcert):
			add(sourceDevcert, c.source)
		default:
			add(c.source, c.source)
		}
	}
	if devcertAt >= len(rc.certs) {
		add(sourceDevcert, sourceDevcert+".trustform")
	}
	if rc.javaStore {
		parts = append(parts, "java")
	}
	if len(rc.merged) > 0 {
		parts = append(parts, "merged")
	}
	base := strings.Join(parts, "+")
	if base == "" {
		base = "empty"
	}
	// A directory name, so keep it short and plain.
	base = strings.Map(func(r rune) rune {
		if r == '+' || r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, base)
	if len(base) > 64 {
		base = base[:64]
	}
	return base, sources
}

// contentDigest identifies a set by its files (relative to the set's
// directory) and its certificates with their sources.
func contentDigest(files []relFile, certs []state.Certificate, extra string) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.rel + "\x00" + f.sha + "\x00" + f.link + "\n"))
	}
	for _, c := range certs {
		h.Write([]byte(c.SHA256 + "\x00" + c.Source + "\n"))
	}
	h.Write([]byte(extra))
	return hex.EncodeToString(h.Sum(nil))
}

// builtSet is a set and what built it, while planning.
type builtSet struct {
	set *TrustSet
	// base is the set's name without a tie-breaking digest.
	base      string
	rc        *recipe
	devcertAt int
	// pending is the recipe of a set waiting for the development CA,
	// shared by its resources' changes.
	pending *PendingTrust
}

// trustSet returns the set of rc, building it once per distinct content.
func (p *planner) trustSet(rc *recipe, devcertAt int) (*builtSet, error) {
	lookup := p.keys.setLookupKey(rc, devcertAt)
	if bs, ok := p.sets[lookup]; ok {
		return bs, nil
	}
	base, sources := setBase(rc, devcertAt)
	rel, sums, err := p.mat.setFiles(rc)
	if err != nil {
		return nil, err
	}
	certs := sums
	extra := ""
	if devcertAt >= 0 {
		certs = make([]state.Certificate, 0, len(sums)+1)
		certs = append(certs, sums[:devcertAt]...)
		certs = append(certs, pendingSummary())
		certs = append(certs, sums[devcertAt:]...)
		// Not the content apply will write: ResolveDevcert moves the set
		// to its real directory once the CA exists. The full key is
		// spelled out for a pending set only: with the system bundle
		// merged into a dozen variables it is some 100 KB.
		extra = "pending " + setKey(rc, devcertAt)
	}
	digest := contentDigest(rel, certs, extra)
	dir := layout.TrustSetDir(p.cfg.Dir, base+"-"+digest[:12])
	set := &TrustSet{
		Dir:          dir,
		Digest:       digest,
		Sources:      sources,
		Pending:      devcertAt >= 0,
		Certificates: certs,
		Files:        absFiles(dir, rel),
	}
	bs := &builtSet{set: set, base: base, rc: rc, devcertAt: devcertAt}
	if p.sets == nil {
		p.sets = map[string]*builtSet{}
	}
	p.sets[lookup] = bs
	p.setOrder = append(p.setOrder, bs)
	return bs, nil
}

// absFiles joins rel to dir; one string holds every path, sliced per file.
func absFiles(dir string, rel []relFile) []state.File {
	var b strings.Builder
	total := 0
	for _, f := range rel {
		total += len(dir) + 1 + len(f.rel)
	}
	b.Grow(total)
	for _, f := range rel {
		b.WriteString(dir)
		b.WriteByte(filepath.Separator)
		b.WriteString(filepath.FromSlash(f.rel))
	}
	all := b.String()
	files := make([]state.File, 0, len(rel))
	at := 0
	for _, f := range rel {
		n := len(dir) + 1 + len(f.rel)
		files = append(files, state.File{Path: all[at : at+n], Mode: fileMode, SHA256: f.sha, Link: f.link})
		at += n
	}
	return files
}

// setFiles lays out the material of rc relative to a set directory.
func (m *materials) setFiles(rc *recipe) ([]relFile, []state.Certificate, error) {
	var mat *material
	if rc.list != nil {
		mat = rc.list.mat
	}
	if mat == nil {
		var err error
		if mat, err = m.material(rc.certs); err != nil {
			return nil, nil, err
		}
		if rc.list != nil {
			rc.list.mat = mat
		}
	}
	files := append(make([]relFile, 0, len(mat.files)+len(rc.merged)+1), mat.files...)
	var ours []*pem.Certificate
	if len(rc.merged) > 0 || rc.javaStore {
		ours = plainCerts(rc.certs)
	}
	for _, name := range keys.Sorted(rc.merged) {
		files = append(files, relFile{rel: mergedPrefix + name + ".pem", sha: m.mergedBundle(rc.merged[name], ours)})
	}
	if rc.javaStore {
		k, err := m.trustStore(pem.Dedup(append(append([]*pem.Certificate{}, ours...), rc.javaExtra...)))
		if err != nil {
			return nil, nil, err
		}
		files = append(files, relFile{rel: TrustStoreName, sha: k})
	}
	return files, mat.summaries, nil
}

// nameSets gives every set its unique name: the base, or, where bases
// collide, the base and a short digest.
func nameSets(sets []*builtSet) {
	byBase := map[string]int{}
	for _, s := range sets {
		byBase[s.base]++
	}
	for _, s := range sets {
		s.set.Name = s.base
		if byBase[s.base] > 1 {
			s.set.Name = s.base + "-" + s.set.Digest[:6]
		}
	}
}

// relocator rewrites the per-resource placeholder directories lang used
// for trust.* into the directories of the resources' trust sets.
type relocator struct {
	// prefix is the placeholder root with a trailing separator.
	prefix string
	to     map[string]string // address -> set directory
	// done holds each rewritten value once: a thousand resources of one
	// set get the same dozen values, which then share their memory.
	done map[string]string
	// from maps each value rewritten so far to its rewrite: resources
	// that share a trust environment (envShare) hand in the very same
	// values, which need no second look. Nothing is rewritten before
	// every resource is planned, so to no longer changes by then.
	from map[string]string
}

func newRelocator(configDir string) *relocator {
	return &relocator{prefix: layout.ResourcesDir(configDir) + string(os.PathSeparator), to: map[string]string{}}
}

// rewrite returns s with every placeholder directory of a known address
// replaced by its set directory.
func (r *relocator) rewrite(s string) string {
	if len(r.to) == 0 || !strings.Contains(s, r.prefix) {
		return s
	}
	if out, ok := r.from[s]; ok {
		return out
	}
	out := r.rewriteNew(s)
	if r.from == nil {
		r.from = map[string]string{}
	}
	r.from[s] = out
	return out
}

// rewriteNew is rewrite for a value not rewritten before.
func (r *relocator) rewriteNew(s string) string {
	var b strings.Builder
	// A set directory is about as long as the placeholder it replaces.
	b.Grow(len(s) + 32)
	for {
		i := strings.Index(s, r.prefix)
		if i < 0 {
			b.WriteString(s)
			out := b.String()
			if same, ok := r.done[out]; ok {
				return same
			}
			if r.done == nil {
				r.done = map[string]string{}
			}
			r.done[out] = out
			return out
		}
		rest := s[i+len(r.prefix):]
		// lang names files below the placeholder, never the directory
		// itself, and a placeholder name holds no separator.
		end := strings.IndexByte(rest, os.PathSeparator)
		dir, ok := "", false
		if end > 0 {
			dir, ok = r.to[rest[:end]]
		}
		if !ok {
			b.WriteString(s[:i+len(r.prefix)])
			s = rest
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(dir)
		s = rest[end:]
	}
}

// relocateSpec rewrites env values and argv of spec in place (the spec is
// the planner's own).
func (r *relocator) relocateSpec(spec *state.Spec) {
	for k, v := range spec.Env {
		if nv := r.rewrite(v); nv != v {
			spec.Env[k] = nv
		}
	}
	for i, a := range spec.Argv {
		spec.Argv[i] = r.rewrite(a)
	}
	if c := spec.Container; c != nil {
		for i, a := range c.Args {
			c.Args[i] = r.rewrite(a)
		}
	}
}

// setActions decides each set's action and what it replaces, from the
// decided changes, and lists the sets nobody will use any more.
func (p *planner) setActions() {
	byDir := map[string]*TrustSet{}
	for _, bs := range p.setOrder {
		byDir[bs.set.Dir] = bs.set
	}
	gone := map[string]*TrustSet{}
	var goneOrder []*TrustSet
	for _, ch := range p.plan.Changes {
		var after *TrustSet
		if ch.After != nil && ch.Action != Delete {
			after = byDir[ch.After.TrustDir]
		}
		if after != nil {
			after.UsedBy = append(after.UsedBy, ch.Address)
		}
		b := ch.Before
		if b == nil || b.TrustDir == "" || (after != nil && b.TrustDir == after.Dir) {
			continue
		}
		if after != nil && after.PreviousDir == "" {
			after.PreviousDir, after.PreviousName, after.Previous = b.TrustDir, b.TrustSet, b.Certificates
		}
		if _, still := byDir[b.TrustDir]; still {
			continue
		}
		g := gone[b.TrustDir]
		if g == nil {
			g = &TrustSet{Name: b.TrustSet, Dir: b.TrustDir, Action: SetDelete, Certificates: b.Certificates, Files: b.Files}
			if g.Name == "" {
				g.Name = filepath.Base(b.TrustDir)
			}
			gone[b.TrustDir] = g
			goneOrder = append(goneOrder, g)
		}
		if after == nil || ch.Action == Replace || ch.Action == Delete {
			g.UsedBy = append(g.UsedBy, ch.Address)
		}
	}
	var out []*TrustSet
	replaced := map[string]bool{}
	for _, bs := range p.setOrder {
		s := bs.set
		if len(s.UsedBy) == 0 {
			continue
		}
		if s.PreviousDir != "" {
			replaced[s.PreviousDir] = true
		}
		switch {
		case s.PreviousDir != "":
			s.Action = SetUpdate
		case p.allHadIt(s):
			s.Action = SetNoOp
		default:
			s.Action = SetCreate
		}
		out = append(out, s)
	}
	for _, g := range goneOrder {
		// A set some other set replaces is shown with that one.
		if len(g.UsedBy) > 0 && !replaced[g.Dir] {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Action != SetDelete && out[j].Action == SetDelete
	})
	p.plan.TrustSets = out
}

// allHadIt reports whether every resource receiving s already had it.
func (p *planner) allHadIt(s *TrustSet) bool {
	for _, ch := range p.plan.Changes {
		if ch.After == nil || ch.After.TrustDir != s.Dir || ch.Action == Delete {
			continue
		}
		if ch.Before == nil || ch.Before.TrustDir != s.Dir {
			return false
		}
	}
	return true
}

// TrustSet returns the plan's set with directory dir, or nil.
func (p *Plan) TrustSet(dir string) *TrustSet {
	for _, s := range p.TrustSets {
		if s.Dir == dir && s.Action != SetDelete {
			return s
		}
	}
	return nil
}
