package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// material is one distinct set of trust material as the state file and the
// journal store it: the files with paths relative to the resource's
// trust_dir (slash-separated), and the certificate summaries. A thousand
// resources trusting the same certificates share one material, so the file
// grows with the distinct material rather than with resources x files.
type material struct {
	Files        []File        `json:"files,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
}

// digest names a material by the SHA-256 of its canonical JSON
// (json.Marshal of the struct: fixed field order, no indentation), so equal
// content gets the same name in every file and journal.
func (m *material) digest() (string, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// diskState is the state file's shape: State with each spec's trust
// material moved into the Materials table. Version 1 files have no table
// and every spec inline; the same struct reads both.
type diskState struct {
	Version          int                  `json:"version"`
	TrustformVersion string               `json:"trustform_version"`
	Serial           uint64               `json:"serial"`
	Lineage          string               `json:"lineage"`
	Dir              string               `json:"dir,omitempty"`
	Host             string               `json:"host,omitempty"`
	Resources        []diskResource       `json:"resources"`
	Outputs          map[string]*Output   `json:"outputs,omitempty"`
	Materials        map[string]*material `json:"materials,omitempty"`
}

// diskResource is a Resource whose spec may reference a material. Its Spec
// field shadows the embedded Resource.Spec for encoding/json.
type diskResource struct {
	*Resource
	Spec *diskSpec `json:"spec"`
}

// diskSpec is a Spec that may name its trust material by digest instead of
// holding Files and Certificates inline.
type diskSpec struct {
	*Spec
	Material string `json:"material,omitempty"`
}

// materialKey finds candidate materials for a spec without hashing: specs
// built by the planner or by Load share their Certificates slice, so its
// first element's address, with the lengths, nearly always singles the
// material out; the candidates are then compared field by field.
type materialKey struct {
	cert         *Certificate
	ncert, nfile int
}

type knownMaterial struct {
	digest string
	m      *material
}

// materialIndex turns specs into material references while encoding. It
// remembers every material it has seen, so the thousandth spec with the
// same material costs a comparison of its file list, not a JSON encoding
// and a hash.
type materialIndex struct {
	byDigest map[string]*material
	byKey    map[materialKey][]knownMaterial
}

func newMaterialIndex() *materialIndex {
	return &materialIndex{byDigest: map[string]*material{}, byKey: map[materialKey][]knownMaterial{}}
}

// trustPrefix is what every file path of a spec with trust directory dir
// starts with when it can be stored relative to dir; ok is false for a
// directory whose joined paths would not read back the same.
func trustPrefix(dir string) (prefix string, ok bool) {
	if dir == "" || dir == "." || filepath.Clean(dir) != dir {
		return "", false
	}
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir, true
	}
	return dir + string(filepath.Separator), true
}

// cleanRel reports whether rel, joined to a clean directory, gives back
// exactly directory + separator + rel: a clean path that stays inside.
func cleanRel(rel string) bool {
	return filepath.IsLocal(rel) && filepath.Clean(rel) == rel
}

// ref returns the digest and material of spec, or ok false when the spec
// has no trust material or a file outside its trust directory (it is then
// stored inline, as in version 1).
func (ix *materialIndex) ref(spec *Spec) (digest string, m *material, ok bool, err error) {
	if spec == nil || (len(spec.Files) == 0 && len(spec.Certificates) == 0) {
		return "", nil, false, nil
	}
	prefix := ""
	if len(spec.Files) > 0 {
		if prefix, ok = trustPrefix(spec.TrustDir); !ok {
			return "", nil, false, nil
		}
	}
	key := materialKey{ncert: len(spec.Certificates), nfile: len(spec.Files)}
	if key.ncert > 0 {
		key.cert = &spec.Certificates[0]
	}
	for _, k := range ix.byKey[key] {
		if sameMaterial(spec, prefix, k.m) {
			return k.digest, k.m, true, nil
		}
	}
	m = &material{Certificates: spec.Certificates}
	if len(spec.Files) > 0 {
		m.Files = make([]File, len(spec.Files))
		for i, f := range spec.Files {
			rel, found := strings.CutPrefix(f.Path, prefix)
			if !found || !cleanRel(rel) {
				return "", nil, false, nil
			}
			f.Path = filepath.ToSlash(rel)
			m.Files[i] = f
		}
	}
	if digest, err = m.digest(); err != nil {
		return "", nil, false, err
	}
	if known, dup := ix.byDigest[digest]; dup {
		m = known
	} else {
		ix.byDigest[digest] = m
	}
	ix.byKey[key] = append(ix.byKey[key], knownMaterial{digest: digest, m: m})
	return digest, m, true, nil
}

// sameMaterial reports whether spec's files, relative to prefix, and
// certificates are m's. The key already matched the certificates slice.
func sameMaterial(spec *Spec, prefix string, m *material) bool {
	if len(m.Files) != len(spec.Files) || len(m.Certificates) != len(spec.Certificates) {
		return false
	}
	for i, f := range spec.Files {
		g := &m.Files[i]
		rel, found := strings.CutPrefix(f.Path, prefix)
		if !found || filepath.ToSlash(rel) != g.Path || f.Mode != g.Mode || f.SHA256 != g.SHA256 || f.Link != g.Link {
			return false
		}
	}
	return len(spec.Certificates) == 0 || &spec.Certificates[0] == &m.Certificates[0]
}

// toDisk returns r as stored: its spec referencing a material when it has
// one, the material added to defs under its digest.
func (ix *materialIndex) toDisk(r *Resource, defs map[string]*material) (diskResource, error) {
	dr := diskResource{Resource: r}
	if r.Spec == nil {
		return dr, nil
	}
	digest, m, ok, err := ix.ref(r.Spec)
	if err != nil {
		return dr, err
	}
	if !ok {
		dr.Spec = &diskSpec{Spec: r.Spec}
		return dr, nil
	}
	short := *r.Spec
	short.Files, short.Certificates = nil, nil
	dr.Spec = &diskSpec{Spec: &short, Material: digest}
	if defs != nil {
		defs[digest] = m
	}
	return dr, nil
}

// materialTable resolves digests while decoding, building each material's
// certificate slice once, so every spec that references it shares it.
type materialTable struct {
	defs map[string]*material
	// checked holds the digests whose file paths were verified.
	checked map[string]bool
	// files holds the absolute file list built for a digest and trust
	// directory: resources of one trust set share the directory, so they
	// share one list too.
	files map[[2]string][]File
}

func newMaterialTable(defs map[string]*material) *materialTable {
	if defs == nil {
		defs = map[string]*material{}
	}
	return &materialTable{defs: defs, checked: map[string]bool{}, files: map[[2]string][]File{}}
}

// define adds materials a journal line defines.
func (t *materialTable) define(defs map[string]*material) error {
	for d, m := range defs {
		if m == nil {
			return fmt.Errorf("material %s is null", d)
		}
		t.defs[d] = m
	}
	return nil
}

// fromDisk returns the resource dr describes, its Files rebuilt with
// absolute paths and its Certificates shared with every other spec of the
// same material.
func (t *materialTable) fromDisk(dr *diskResource) (*Resource, error) {
	r := dr.Resource
	if r == nil {
		if dr.Spec == nil {
			return nil, nil
		}
		r = &Resource{}
	}
	if dr.Spec == nil {
		r.Spec = nil
		return r, nil
	}
	spec := dr.Spec.Spec
	if spec == nil {
		spec = &Spec{}
	}
	r.Spec = spec
	if dr.Spec.Material == "" {
		return r, nil
	}
	d := dr.Spec.Material
	m := t.defs[d]
	if m == nil {
		return nil, fmt.Errorf("resource %s references material %s, which is not defined", r.Address, d)
	}
	if len(spec.Files) > 0 || len(spec.Certificates) > 0 {
		return nil, fmt.Errorf("resource %s has both material %s and its own files or certificates", r.Address, d)
	}
	spec.Certificates = m.Certificates
	if len(m.Files) == 0 {
		return r, nil
	}
	prefix, ok := trustPrefix(spec.TrustDir)
	if !ok {
		return nil, fmt.Errorf("resource %s references material %s but its trust_dir %q is not a clean path", r.Address, d, spec.TrustDir)
	}
	if !t.checked[d] {
		for _, f := range m.Files {
			if !cleanRel(filepath.FromSlash(f.Path)) {
				return nil, fmt.Errorf("material %s holds the path %q, which is not a clean relative path", d, f.Path)
			}
		}
		t.checked[d] = true
	}
	if files, ok := t.files[[2]string{d, prefix}]; ok {
		spec.Files = files
		return r, nil
	}
	// One string holds every path of the resource and one array every
	// file: 301 files would otherwise mean 602 small allocations.
	total := 0
	for _, f := range m.Files {
		total += len(prefix) + len(f.Path)
	}
	var b strings.Builder
	b.Grow(total)
	for _, f := range m.Files {
		b.WriteString(prefix)
		b.WriteString(filepath.FromSlash(f.Path))
	}
	all := b.String()
	files := make([]File, len(m.Files))
	at := 0
	for i, f := range m.Files {
		n := len(prefix) + len(f.Path)
		f.Path = all[at : at+n]
		files[i] = f
		at += n
	}
	spec.Files = files
	t.files[[2]string{d, prefix}] = files
	return r, nil
}
