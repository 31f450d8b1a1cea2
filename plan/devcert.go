package plan

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	stdpem "encoding/pem"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/state"
)

// ResolveDevcert finishes a plan whose Devcert.Create is set, once apply
// has created the development CA (its certificate is ca, written to
// caPath): every DevcertPending change gets ca in its certificates and its
// trust files (After.Files, After.Certificates and their Blobs) rebuilt,
// and DevcertPending and Pending are cleared. Each such set moves to the
// directory its content names, and the environment, argv and output
// values that named the planned directory follow it.
//
// apply calls it after creating the CA and before writing any trust
// material; it is a no-op when nothing is pending.
func (p *Plan) ResolveDevcert(ca *pem.Certificate, caPath string) error {
	if ca == nil {
		return fmt.Errorf("resolving the development CA: no certificate given")
	}
	if p.Blobs == nil {
		p.Blobs = map[string][]byte{}
	}
	m := newMaterials(p.Blobs)
	parsed := map[string]*pem.Certificate{}
	load := func(key string) (*pem.Certificate, error) {
		if c, ok := parsed[key]; ok {
			return c, nil
		}
		c, err := certFromPEM(p.Blobs[key])
		if err != nil {
			return nil, fmt.Errorf("plan blob %s: %w; the plan file is damaged, run trustform plan again", key, err)
		}
		parsed[key] = c
		return c, nil
	}
	loadAll := func(keys []string) ([]*pem.Certificate, error) {
		out := make([]*pem.Certificate, 0, len(keys))
		for _, k := range keys {
			c, err := load(k)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	used := false
	// Changes of one set share its recipe and directory: resolve each
	// set once.
	type resolved struct {
		dir   string
		files []state.File
		certs []state.Certificate
		sum   string
	}
	done := map[string]*resolved{}
	for _, ch := range p.Changes {
		if !ch.DevcertPending || ch.Pending == nil || ch.After == nil {
			continue
		}
		old := ch.After.TrustDir
		res := done[old]
		if res == nil {
			pt := ch.Pending
			rc := &recipe{javaStore: pt.JavaStore}
			seen := map[string]bool{}
			for i, key := range pt.Certs {
				c := ca
				if key != "" {
					var err error
					if c, err = load(key); err != nil {
						return err
					}
				}
				if seen[c.SHA256] {
					continue
				}
				seen[c.SHA256] = true
				src := ""
				if i < len(pt.Sources) {
					src = pt.Sources[i]
				}
				rc.certs = append(rc.certs, trustCert{cert: c, source: src})
			}
			var err error
			if rc.javaExtra, err = loadAll(pt.JavaExtra); err != nil {
				return err
			}
			for name, keys := range pt.Merged {
				certs, err := loadAll(keys)
				if err != nil {
					return err
				}
				if rc.merged == nil {
					rc.merged = map[string][]*pem.Certificate{}
				}
				rc.merged[name] = certs
			}
			rel, sums, err := m.setFiles(rc)
			if err != nil {
				return fmt.Errorf("%s: %w", ch.Address, err)
			}
			// The set moves from the directory named at plan time to the
			// one its content names, which the next plan computes too.
			sum := contentDigest(rel, sums, "")
			dir := old
			if base, ok := setDirBase(old); ok {
				dir = filepath.Join(filepath.Dir(old), base+"-"+sum[:12])
			}
			res = &resolved{dir: dir, files: absFiles(dir, rel), certs: sums, sum: sum}
			done[old] = res
			if s := p.TrustSet(old); s != nil {
				s.Dir, s.Digest, s.Files, s.Certificates, s.Pending = dir, sum, res.files, sums, false
			}
		}
		moveDir(ch.After, old, res.dir)
		ch.After.Files = res.files
		ch.After.Certificates = res.certs
		ch.DevcertPending = false
		ch.Pending = nil
		used = true
	}
	for old, res := range done {
		p.moveOutputs(old, res.dir)
	}
	for _, o := range p.Outputs {
		o.AfterDevcert = false
	}
	p.Devcert.Create = false
	if used {
		if caPath == "" {
			caPath = filepath.Join(p.Devcert.Dir, "ca.pem")
		}
		p.Devcert.Used = append([]DevcertSource{devcertSource("trustform", caPath, ca)}, p.Devcert.Used...)
	}
	return nil
}

// certFromPEM decodes one normalised certificate as stored in Blobs.
// Validity is not checked again: it was at plan time.
func certFromPEM(data []byte) (*pem.Certificate, error) {
	block, _ := stdpem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("not a PEM certificate")
	}
	x, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(block.Bytes)
	return &pem.Certificate{X509: x, DER: block.Bytes, SHA256: hex.EncodeToString(sum[:])}, nil
}

// setDirBase returns the readable part of a set directory's name
// (BASE-DIGEST12).
func setDirBase(dir string) (string, bool) {
	name := filepath.Base(dir)
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || len(name)-i-1 != 12 {
		return "", false
	}
	return name[:i], true
}

// moveDir points spec's trust directory, and every env value and argument
// inside it, at dir instead of old.
func moveDir(spec *state.Spec, old, dir string) {
	if old == dir {
		return
	}
	re := func(s string) string {
		if s == old {
			return dir
		}
		return strings.ReplaceAll(s, old+string(filepath.Separator), dir+string(filepath.Separator))
	}
	env := make(map[string]string, len(spec.Env))
	for k, v := range spec.Env {
		env[k] = re(v)
	}
	spec.Env = env
	argv := make([]string, len(spec.Argv))
	for i, a := range spec.Argv {
		argv[i] = re(a)
	}
	spec.Argv = argv
	spec.TrustDir = dir
	if c := spec.Container; c != nil {
		cc := *c
		cc.TrustDir = dir
		spec.Container = &cc
	}
}

// moveOutputs rewrites output values (JSON) that name a path in the set
// directory old, so an output such as node_app.web.trust_bundle_path names
// the directory apply writes, not the one planned before the development
// CA existed.
func (p *Plan) moveOutputs(old, dir string) {
	if old == dir {
		return
	}
	// Compare in JSON's spelling: a path is a string inside the value.
	enc := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	}
	for _, o := range p.Outputs {
		if o.After == nil {
			continue
		}
		js := string(o.After)
		if moved := moveDirJSON(js, enc(old), enc(dir), enc(string(filepath.Separator))); moved != js {
			o.After = []byte(moved)
		}
	}
}

// moveDirJSON replaces old, as a whole JSON string or as a directory
// anywhere in one (as moveDir does in argv), by dir.
func moveDirJSON(js, old, dir, sep string) string {
	js = strings.ReplaceAll(js, `"`+old+`"`, `"`+dir+`"`)
	return strings.ReplaceAll(js, old+sep, dir+sep)
}

// markDevcertOutputs sets AfterDevcert on each output whose value names the
// directory of a set that waits for the development CA.
func (p *Plan) markDevcertOutputs() {
	var dirs []string
	for _, s := range p.TrustSets {
		if s.Pending && s.Dir != "" {
			b, _ := json.Marshal(s.Dir)
			dirs = append(dirs, string(b[1:len(b)-1]))
		}
	}
	if len(dirs) == 0 {
		return
	}
	for _, o := range p.Outputs {
		for _, d := range dirs {
			if o.After != nil && strings.Contains(string(o.After), d) {
				o.AfterDevcert = true
				break
			}
		}
	}
}
