package pem

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Severity of a Problem.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is something wrong with certificate input, located by source name
// and 1-based line. It never contains key material.
type Problem struct {
	Severity Severity
	Source   string // file name, or a description such as `certificates[0]`
	Line     int    // 1-based line of the block's BEGIN line; 0 for DER
	Summary  string
	Detail   string
}

// String returns the summary, which already names source and line.
func (p Problem) String() string { return p.Summary }

// HasErrors reports whether any problem is an Error.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Certificate is one parsed certificate.
type Certificate struct {
	X509   *x509.Certificate
	DER    []byte
	SHA256 string // lower-case hex of SHA-256 over DER
	Source string
	Line   int
}

// Options control Parse.
type Options struct {
	// Now is the time validity is checked against. The zero time disables
	// the check (used when every certificate must be kept, e.g. to show it).
	Now time.Time
}

// NewCertificate wraps an already parsed certificate; source and line say
// where it came from (line 0 when unknown or DER).
func NewCertificate(cert *x509.Certificate, source string, line int) *Certificate {
	sum := sha256.Sum256(cert.Raw)
	return &Certificate{
		X509:   cert,
		DER:    cert.Raw,
		SHA256: hex.EncodeToString(sum[:]),
		Source: source,
		Line:   line,
	}
}

// Parse reads all certificates in data. Errors (private keys, corrupt
// blocks, no certificate at all) and warnings (TRUSTED CERTIFICATE
// converted, not a CA) are returned as problems; expired and not-yet-valid
// certificates are warned about and left out of the result. Duplicates
// within data are kept once.
//
// Certificates that parsed are returned even when there are errors, so a
// caller can report everything at once; use HasErrors to decide.
func Parse(data []byte, source string, opts Options) ([]*Certificate, []Problem) {
	p := parser{source: source, opts: opts}
	p.parse(data)
	return Dedup(p.certs), p.problems
}

type parser struct {
	source   string
	opts     Options
	certs    []*Certificate
	problems []Problem
	// found counts certificates read, including those left out as expired,
	// so "no certificate" is only said when there was none at all.
	found int
}

// where names a place in the input for messages.
func (p *parser) where(line int) string {
	if line > 0 {
		return fmt.Sprintf("%s line %d", p.source, line)
	}
	return p.source
}

func (p *parser) add(sev Severity, line int, summary, detail string) {
	p.problems = append(p.problems, Problem{Severity: sev, Source: p.source, Line: line, Summary: summary, Detail: detail})
}

func (p *parser) parse(data []byte) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if len(bytes.TrimSpace(data)) == 0 {
		p.add(Error, 0, fmt.Sprintf("%s is empty: expected PEM certificates or a DER certificate", p.source),
			"Give the CA certificate in PEM (-----BEGIN CERTIFICATE-----) or DER form.")
		return
	}
	blocks := scanBlocks(data)
	if len(blocks) == 0 {
		p.parseDER(data)
		return
	}
	for i := range blocks {
		p.block(&blocks[i])
	}
	if p.found == 0 && !HasErrors(p.problems) {
		p.add(Error, 0, fmt.Sprintf("no certificate found in %s", p.source),
			"The input holds PEM blocks, but none of them is a CERTIFICATE.")
	}
}

// isPrivateKey matches every key block type in use: PKCS#8 (plain and
// ENCRYPTED), PKCS#1 RSA, SEC1 EC, DSA, OpenSSH, PGP, ...
func isPrivateKey(typ string) bool { return strings.Contains(typ, "PRIVATE KEY") }

func (p *parser) keyError(line int, what string) {
	p.add(Error, line,
		fmt.Sprintf("private key in %s: keys are never copied into trust material; remove it", p.where(line)),
		fmt.Sprintf("The %s is a private key. Trust material is readable by every process that uses it; keep keys in a separate file.", what))
}

func (p *parser) block(b *rawBlock) {
	if isPrivateKey(b.typ) {
		p.keyError(b.line, b.typ+" block")
		return
	}
	switch b.typ {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
	default:
		p.add(Warning, b.line, fmt.Sprintf("%s: %s block ignored: not a certificate", p.where(b.line), b.typ),
			"Only CERTIFICATE blocks become trust material.")
		return
	}
	if b.broken != "" {
		p.brokenBlock(b.line, b.typ, b.broken)
		return
	}
	der, err := b.decode()
	if err != nil {
		p.brokenBlock(b.line, b.typ, err.Error())
		return
	}
	if b.typ == "TRUSTED CERTIFICATE" {
		// OpenSSL's format: the certificate's DER followed by an
		// X509_CERT_AUX with trust settings, which no other reader knows.
		var cert asn1.RawValue
		if _, err := asn1.Unmarshal(der, &cert); err != nil {
			p.brokenBlock(b.line, b.typ, "its content is not DER: "+err.Error())
			return
		}
		der = cert.FullBytes
		p.add(Warning, b.line, fmt.Sprintf("%s: TRUSTED CERTIFICATE converted to a plain CERTIFICATE", p.where(b.line)),
			"OpenSSL trust settings attached to it (trusted or rejected uses, alias) are dropped; runtimes other than OpenSSL do not read them.")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		if looksLikeDERKey(der) {
			p.keyError(b.line, b.typ+" block (it holds a private key, not a certificate)")
			return
		}
		p.brokenBlock(b.line, b.typ, err.Error())
		return
	}
	p.accept(cert, b.line)
}

func (p *parser) brokenBlock(line int, typ, why string) {
	p.add(Error, line, fmt.Sprintf("%s: %s block does not parse: %s", p.where(line), typ, why),
		"OpenSSL-based readers reject a whole bundle when one block is bad; fix or remove this block.")
}

// parseDER handles input without any PEM block: DER certificates, or, to
// give the right message, a DER private key.
func (p *parser) parseDER(data []byte) {
	// Several DER certificates back to back are accepted too, as
	// ParseCertificates does.
	certs, certErr := x509.ParseCertificates(data)
	if certErr == nil && len(certs) > 0 {
		for _, c := range certs {
			p.accept(c, 0)
		}
		return
	}
	if looksLikeDERKey(data) {
		p.keyError(0, "DER input")
		return
	}
	if data[0] == 0x30 {
		p.add(Error, 0, fmt.Sprintf("%s: DER certificate does not parse: %v", p.source, certErr),
			"The input has no PEM block and is not a valid DER certificate.")
		return
	}
	p.add(Error, 0, fmt.Sprintf("no certificate found in %s", p.source),
		"Expected -----BEGIN CERTIFICATE----- blocks or a DER certificate.")
}

func looksLikeDERKey(data []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return true
	}
	if _, err := x509.ParseECPrivateKey(data); err == nil {
		return true
	}
	return false
}

// accept applies the validity and CA checks to a parsed certificate.
func (p *parser) accept(cert *x509.Certificate, line int) {
	p.found++
	name := Label(cert)
	// OpenSSL canonicalises every name as it decodes a certificate and
	// refuses the certificate when that fails (a BMPString holding a
	// surrogate, say), which makes it drop the whole bundle.
	names := [][]byte{cert.RawSubject}
	if !bytes.Equal(cert.RawIssuer, cert.RawSubject) {
		names = append(names, cert.RawIssuer)
	}
	for _, raw := range names {
		if _, err := canonicalName(raw); err != nil {
			p.add(Error, line, fmt.Sprintf("%s: certificate %q cannot be read by OpenSSL: %v", p.where(line), name, err),
				"OpenSSL-based readers reject a whole bundle when one certificate is unreadable; remove this certificate.")
			return
		}
	}
	if !p.opts.Now.IsZero() {
		if p.opts.Now.After(cert.NotAfter) {
			p.add(Warning, line, fmt.Sprintf("%s: certificate %q expired on %s; left out", p.where(line), name, cert.NotAfter.UTC().Format(time.DateOnly)),
				"Expired certificates are never trusted; remove it or replace it with a current one.")
			return
		}
		if p.opts.Now.Before(cert.NotBefore) {
			p.add(Warning, line, fmt.Sprintf("%s: certificate %q is not valid before %s; left out", p.where(line), name, cert.NotBefore.UTC().Format(time.RFC3339)),
				"Check the clock, or add the certificate once it is valid.")
			return
		}
	}
	if !(cert.BasicConstraintsValid && cert.IsCA) && !selfSigned(cert) {
		p.add(Warning, line, fmt.Sprintf("%s: certificate %q is not a CA and not self-signed", p.where(line), name),
			"Most runtimes only accept CA or self-signed certificates as trust anchors; add the certificate of the CA that issued it instead.")
	}
	p.certs = append(p.certs, NewCertificate(cert, p.source, line))
}

func selfSigned(cert *x509.Certificate) bool {
	// CheckSignatureFrom would refuse a non-CA parent; the signature is
	// what matters here.
	return bytes.Equal(cert.RawIssuer, cert.RawSubject) &&
		cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}

// Label returns a short human name for a certificate: its common name, or
// the whole subject when it has none.
func Label(cert *x509.Certificate) string {
	if cert.Subject.CommonName != "" {
		return cert.Subject.CommonName
	}
	return cert.Subject.String()
}

// Dedup returns certs with later duplicates (same SHA256) removed, keeping
// the order of first appearance.
func Dedup(certs []*Certificate) []*Certificate {
	seen := make(map[string]bool, len(certs))
	out := make([]*Certificate, 0, len(certs))
	for _, c := range certs {
		if seen[c.SHA256] {
			continue
		}
		seen[c.SHA256] = true
		out = append(out, c)
	}
	return out
}

// PEM returns the normalised encoding of c: one CERTIFICATE block, LF endings.
func (c *Certificate) PEM() []byte {
	enc := base64.StdEncoding.EncodeToString(c.DER)
	var b bytes.Buffer
	b.Grow(len(enc) + len(enc)/64 + 60)
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(enc) > 64 {
		b.WriteString(enc[:64])
		b.WriteByte('\n')
		enc = enc[64:]
	}
	if len(enc) > 0 {
		b.WriteString(enc)
		b.WriteByte('\n')
	}
	b.WriteString("-----END CERTIFICATE-----\n")
	return b.Bytes()
}

// FileName returns the per-certificate file name in certs/: the first 16 hex
// digits of the SHA-256 plus ".pem".
func (c *Certificate) FileName() string { return c.SHA256[:16] + ".pem" }

// Bundle concatenates the normalised PEM of certs in order.
func Bundle(certs []*Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		b.Write(c.PEM())
	}
	return b.Bytes()
}

// HashLink is one OpenSSL subject-hash name in a certs/ directory.
type HashLink struct {
	Name   string // "<8 hex>.<n>"
	Target string // the certificate's FileName
}

// HashLinks returns the subject-hash names for certs, numbering collisions
// from 0 without gaps in the order given. A certificate given twice (same
// SHA-256) gets one name, as with OpenSSL's c_rehash.
func HashLinks(certs []*Certificate) ([]HashLink, error) {
	seen := make(map[string]bool, len(certs))
	next := make(map[uint32]int, len(certs))
	links := make([]HashLink, 0, len(certs))
	for _, c := range certs {
		if seen[c.SHA256] {
			continue
		}
		seen[c.SHA256] = true
		h, err := c.SubjectHash()
		if err != nil {
			return nil, fmt.Errorf("certificate %q from %s: %w", Label(c.X509), c.Source, err)
		}
		links = append(links, HashLink{Name: fmt.Sprintf("%08x.%d", h, next[h]), Target: c.FileName()})
		next[h]++
	}
	return links, nil
}
