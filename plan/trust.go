package plan

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/state"
)

// Names of the files trustform writes in a trust directory besides
// layout.BundleName and layout.CertsDirName.
const (
	// TrustStoreName is the PKCS#12 trust store of Java runtimes.
	TrustStoreName = "truststore.p12"
	// mergedPrefix starts the name of a bundle merging a user's file with
	// ours: merged-NODE_EXTRA_CA_CERTS.pem.
	mergedPrefix = "merged-"
)

// File modes of trust material (SPEC 5).
const fileMode = 0o644

// Certificate sources shown in plans.
const (
	sourceDevcert = "devcert"
	sourceSystem  = "system"
)

// trustCert is one certificate a resource trusts and where it came from.
type trustCert struct {
	cert   *pem.Certificate
	source string
}

// relFile is one trust file relative to a trust directory.
type relFile struct {
	rel  string // slash-separated
	sha  string
	link string
}

// material is the trust material of one ordered certificate list, relative
// to a trust directory. Building it costs a bundle, a hash per certificate
// and a subject hash each, so it is made once per distinct list and shared
// by every resource trusting that list.
type material struct {
	files []relFile
	// summaries is shared between resources; never modify it.
	summaries []state.Certificate
}

// materials caches trust material and blobs for one Build (or one
// ResolveDevcert).
type materials struct {
	blobs   map[string][]byte
	byList  map[string]*material
	certPEM map[string]string // certificate SHA256 -> blob key of its PEM
	stores  map[string]string // list key -> blob key of the trust store
	merged  map[string]string // list key -> blob key of a merged bundle
	// mergedOf is merged by the identity of the two lists: the dozen
	// variables a login environment points at one system bundle hand
	// mergedBundle the same two lists, which need no second look.
	mergedOf map[[2]plainID]string
}

func newMaterials(blobs map[string][]byte) *materials {
	return &materials{
		blobs:   blobs,
		byList:  map[string]*material{},
		certPEM: map[string]string{},
		stores:  map[string]string{},
		merged:  map[string]string{},
	}
}

// blob stores data once and returns its key (SHA-256 hex).
func (m *materials) blob(data []byte) string {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	if _, ok := m.blobs[key]; !ok {
		m.blobs[key] = data
	}
	return key
}

// pemBlob returns the blob key of a certificate's normalised PEM.
func (m *materials) pemBlob(c *pem.Certificate) string {
	if k, ok := m.certPEM[c.SHA256]; ok {
		return k
	}
	k := m.blob(c.PEM())
	m.certPEM[c.SHA256] = k
	return k
}

func listKey(certs []trustCert) string {
	var b strings.Builder
	b.Grow(len(certs) * 72)
	for _, c := range certs {
		b.WriteString(c.cert.SHA256)
		b.WriteByte('/')
		b.WriteString(c.source)
		b.WriteByte(',')
	}
	return b.String()
}

func plainKey(certs []*pem.Certificate) string {
	var b strings.Builder
	b.Grow(len(certs) * 65)
	for _, c := range certs {
		b.WriteString(c.SHA256)
		b.WriteByte(',')
	}
	return b.String()
}

func plainCerts(certs []trustCert) []*pem.Certificate {
	out := make([]*pem.Certificate, len(certs))
	for i, c := range certs {
		out[i] = c.cert
	}
	return out
}

// material returns the bundle, per-certificate files and hash links of an
// ordered, de-duplicated list.
func (m *materials) material(certs []trustCert) (*material, error) {
	key := listKey(certs)
	if mat, ok := m.byList[key]; ok {
		return mat, nil
	}
	plain := plainCerts(certs)
	links, err := pem.HashLinks(plain)
	if err != nil {
		return nil, fmt.Errorf("computing OpenSSL subject-hash names: %w", err)
	}
	mat := &material{
		files:     make([]relFile, 0, 1+len(certs)+len(links)),
		summaries: make([]state.Certificate, len(certs)),
	}
	mat.files = append(mat.files, relFile{rel: "cert.pem", sha: m.blob(pem.Bundle(plain))})
	for i, c := range certs {
		mat.files = append(mat.files, relFile{rel: "certs/" + c.cert.FileName(), sha: m.pemBlob(c.cert)})
		mat.summaries[i] = summary(c)
	}
	for _, l := range links {
		mat.files = append(mat.files, relFile{rel: "certs/" + l.Name, link: l.Target})
	}
	m.byList[key] = mat
	return mat, nil
}

// trustStore returns the blob key of a passwordless PKCS#12 trust store
// holding certs.
func (m *materials) trustStore(certs []*pem.Certificate) (string, error) {
	key := plainKey(certs)
	if k, ok := m.stores[key]; ok {
		return k, nil
	}
	entries := make([]pkcs12.TrustStoreEntry, len(certs))
	for i, c := range certs {
		x := c.X509
		if x == nil {
			var err error
			if x, err = x509.ParseCertificate(c.DER); err != nil {
				return "", fmt.Errorf("certificate %s: %w", c.SHA256, err)
			}
		}
		// Aliases must be unique or Java keeps one entry per subject.
		entries[i] = pkcs12.TrustStoreEntry{Cert: x, FriendlyName: "trustform-" + c.SHA256[:16]}
	}
	// Passwordless: no MAC and no encryption, so Java reads it without
	// javax.net.ssl.trustStorePassword, and the bytes are deterministic
	// (no salt), which keeps plans stable.
	data, err := pkcs12.Passwordless.EncodeTrustStoreEntries(entries, "")
	if err != nil {
		return "", fmt.Errorf("encoding the Java trust store: %w", err)
	}
	k := m.blob(data)
	m.stores[key] = k
	return k, nil
}

// mergedBundle returns the blob key of a bundle holding user certificates
// followed by ours.
func (m *materials) mergedBundle(user []*pem.Certificate, ours []*pem.Certificate) string {
	id := [2]plainID{listIdentity(user), listIdentity(ours)}
	if k, ok := m.mergedOf[id]; ok {
		return k
	}
	all := pem.Dedup(append(append([]*pem.Certificate{}, user...), ours...))
	key := plainKey(all)
	k, ok := m.merged[key]
	if !ok {
		k = m.blob(pem.Bundle(all))
		m.merged[key] = k
	}
	if m.mergedOf == nil {
		m.mergedOf = map[[2]plainID]string{}
	}
	m.mergedOf[id] = k
	return k
}

// listIdentity identifies a certificate list by its memory (the zero
// plainID for an empty one), as keyMemo does.
func listIdentity(certs []*pem.Certificate) plainID {
	if len(certs) == 0 {
		return plainID{}
	}
	return plainID{&certs[0], len(certs)}
}

func summary(c trustCert) state.Certificate {
	s := state.Certificate{SHA256: c.cert.SHA256, Source: c.source}
	if x := c.cert.X509; x != nil {
		s.Subject = x.Subject.String()
		s.Issuer = x.Issuer.String()
		s.NotAfter = x.NotAfter.UTC()
	}
	return s
}

// pendingSummary stands for the development CA apply will create.
func pendingSummary() state.Certificate {
	return state.Certificate{Subject: "trustform development CA", Source: sourceDevcert + ".trustform"}
}
