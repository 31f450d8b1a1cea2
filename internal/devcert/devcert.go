package devcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	cryptorand "crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	stdpem "encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"time"

	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/internal/pem"
)

// Files in the development CA directory.
const (
	CACertFile   = "ca.pem"
	CAKeyFile    = "ca-key.pem"
	LeafCertFile = "localhost.pem"
	LeafKeyFile  = "localhost-key.pem"
)

// Names the CA and leaf are issued with.
const (
	CAName   = "trustform development CA"
	LeafName = "trustform development certificate"
)

// Validity periods. 825 days is the longest leaf lifetime Apple platforms
// accept; the hour of back-dating absorbs clock skew between host and
// containers.
const (
	CAValidity    = 10 * 365 * 24 * time.Hour
	LeafValidity  = 824 * 24 * time.Hour
	backdate      = time.Hour
	renewLeafLeft = 30 * 24 * time.Hour
)

// LeafDNSNames returns the host names the localhost certificate is valid
// for: the host itself, and the host as seen from Docker and Podman
// containers.
func LeafDNSNames() []string {
	return []string{"localhost", "host.docker.internal", "host.containers.internal"}
}

// LeafIPs returns the loopback addresses the localhost certificate is valid
// for.
func LeafIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback} }

// FilePaths are the absolute paths of the four files of a CA directory.
type FilePaths struct {
	CACert, CAKey, LeafCert, LeafKey string
}

// Paths returns the file paths in dir, whether or not they exist; the
// planner uses them before the CA is created.
func Paths(dir string) FilePaths {
	return FilePaths{
		CACert:   filepath.Join(dir, CACertFile),
		CAKey:    filepath.Join(dir, CAKeyFile),
		LeafCert: filepath.Join(dir, LeafCertFile),
		LeafKey:  filepath.Join(dir, LeafKeyFile),
	}
}

// CA is a development CA on disk and its localhost certificate.
type CA struct {
	Dir   string
	Paths FilePaths
	// Cert is the CA certificate.
	Cert *pem.Certificate
	// Leaf is the localhost certificate; Load leaves it nil when it is
	// missing or unreadable.
	Leaf *pem.Certificate
	// Created and LeafIssued report what Create did on this call; both are
	// false when everything was reused.
	Created, LeafIssued bool

	key crypto.Signer
}

// Options control CreateWith.
type Options struct {
	Now time.Time
	// Rand is the randomness source for serial numbers; nil means
	// crypto/rand. (Key generation always uses crypto/rand.)
	Rand io.Reader
	// Owner ("user@host") goes into the OU of both certificates so that a
	// user can tell apart CAs from several machines; empty leaves OU out.
	Owner string
}

// Create makes sure dir holds a development CA and a current localhost
// certificate, creating what is missing. An existing CA is reused; the leaf
// is reissued when missing, not issued by this CA, or within 30 days of
// expiry. The owner recorded in the certificates is the current user and
// host name.
func Create(dir string, now time.Time, rand io.Reader) (*CA, error) {
	return CreateWith(dir, Options{Now: now, Rand: rand, Owner: defaultOwner()})
}

func defaultOwner() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		return name
	}
	return name + "@" + host
}

// CreateWith is Create with every input explicit.
func CreateWith(dir string, opts Options) (*CA, error) {
	if opts.Rand == nil {
		opts.Rand = cryptorand.Reader
	}
	if opts.Now.IsZero() {
		return nil, errors.New("devcert: Options.Now is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the development CA directory: %w", err)
	}
	ca, err := Load(dir)
	switch {
	case err == nil:
		if opts.Now.After(ca.Cert.X509.NotAfter) {
			return nil, fmt.Errorf("the development CA in %s expired on %s; run `trustform devcert remove` then `trustform devcert create`",
				dir, ca.Cert.X509.NotAfter.UTC().Format(time.DateOnly))
		}
	case errors.Is(err, fs.ErrNotExist) && !fileExists(filepath.Join(dir, CACertFile)):
		// No CA certificate at all: a lone key is useless, replace it.
		if ca, err = newCA(dir, opts); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if ca.Created || !leafCurrent(ca, opts.Now) {
		if err := ca.issueLeaf(opts); err != nil {
			return nil, err
		}
	}
	return ca, nil
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Load reads the CA in dir, and its leaf if present and readable. A missing
// CA gives an error that wraps fs.ErrNotExist.
func Load(dir string) (*CA, error) {
	paths := Paths(dir)
	cert, err := LoadCert(dir)
	if err != nil {
		return nil, err
	}
	key, err := readKey(paths.CAKey)
	if err != nil {
		return nil, err
	}
	if !samePublicKey(cert.X509.PublicKey, key.Public()) {
		return nil, fmt.Errorf("%s does not belong to %s; run `trustform devcert remove` then `trustform devcert create`", paths.CAKey, paths.CACert)
	}
	ca := &CA{Dir: dir, Paths: paths, Cert: cert, key: key}
	if leaf, err := readCert(paths.LeafCert); err == nil {
		ca.Leaf = leaf
	}
	return ca, nil
}

// LoadCert reads only the CA certificate of dir, which is all a plan needs.
// A missing CA gives an error that wraps fs.ErrNotExist.
func LoadCert(dir string) (*pem.Certificate, error) {
	path := filepath.Join(dir, CACertFile)
	cert, err := readCert(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no development CA in %s (run `trustform devcert create`): %w", dir, err)
	}
	return cert, err
}

func readCert(path string) (*pem.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, problems := pem.Parse(data, path, pem.Options{})
	if pem.HasErrors(problems) || len(certs) != 1 {
		return nil, fmt.Errorf("%s is not a single certificate; run `trustform devcert remove` then `trustform devcert create`", path)
	}
	return certs[0], nil
}

func readKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the development CA key %s is missing; run `trustform devcert remove` then `trustform devcert create`: %w", path, err)
		}
		return nil, err
	}
	block, _ := stdpem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM private key", path)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		err = fmt.Errorf("unexpected block type %q", block.Type)
	}
	if err != nil {
		// The parser's message never quotes key bytes.
		return nil, fmt.Errorf("reading private key %s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: unsupported private key type %T", path, key)
	}
	return signer, nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

// leafCurrent reports whether the leaf on disk can be kept.
func leafCurrent(ca *CA, now time.Time) bool {
	leaf := ca.Leaf
	if leaf == nil {
		return false
	}
	x := leaf.X509
	if now.Add(renewLeafLeft).After(x.NotAfter) || now.Before(x.NotBefore) {
		return false
	}
	if x.CheckSignatureFrom(ca.Cert.X509) != nil {
		return false
	}
	for _, n := range LeafDNSNames() {
		if !slices.Contains(x.DNSNames, n) {
			return false
		}
	}
	for _, ip := range LeafIPs() {
		if !slices.ContainsFunc(x.IPAddresses, ip.Equal) {
			return false
		}
	}
	key, err := readKey(ca.Paths.LeafKey)
	return err == nil && samePublicKey(x.PublicKey, key.Public())
}

func newCA(dir string, opts Options) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), cryptorand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the development CA key: %w", err)
	}
	serial, err := randomSerial(opts.Rand)
	if err != nil {
		return nil, err
	}
	ski, err := keyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject(CAName, opts.Owner, CAName),
		NotBefore:             opts.Now.Add(-backdate),
		NotAfter:              opts.Now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          ski,
	}
	der, err := x509.CreateCertificate(opts.Rand, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("signing the development CA: %w", err)
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	paths := Paths(dir)
	// Key first: a certificate on disk always has its key next to it.
	if err := writeKey(paths.CAKey, key); err != nil {
		return nil, err
	}
	cert := pem.NewCertificate(x, paths.CACert, 1)
	if err := atomicfile.WriteFile(paths.CACert, cert.PEM(), 0o644); err != nil {
		return nil, fmt.Errorf("writing %s: %w", paths.CACert, err)
	}
	return &CA{Dir: dir, Paths: paths, Cert: cert, key: key, Created: true}, nil
}

func (ca *CA) issueLeaf(opts Options) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), cryptorand.Reader)
	if err != nil {
		return fmt.Errorf("generating the localhost key: %w", err)
	}
	serial, err := randomSerial(opts.Rand)
	if err != nil {
		return err
	}
	ski, err := keyID(&key.PublicKey)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject(LeafName, opts.Owner, "localhost"),
		NotBefore:             opts.Now.Add(-backdate),
		NotAfter:              opts.Now.Add(LeafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              LeafDNSNames(),
		IPAddresses:           LeafIPs(),
		SubjectKeyId:          ski,
		// Go copies the issuer's SubjectKeyId here too; set explicitly
		// because strict verifiers require it on every leaf.
		AuthorityKeyId: ca.Cert.X509.SubjectKeyId,
	}
	der, err := x509.CreateCertificate(opts.Rand, tmpl, ca.Cert.X509, &key.PublicKey, ca.key)
	if err != nil {
		return fmt.Errorf("signing the localhost certificate: %w", err)
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	if err := writeKey(ca.Paths.LeafKey, key); err != nil {
		return err
	}
	leaf := pem.NewCertificate(x, ca.Paths.LeafCert, 1)
	if err := atomicfile.WriteFile(ca.Paths.LeafCert, leaf.PEM(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", ca.Paths.LeafCert, err)
	}
	ca.Leaf, ca.LeafIssued = leaf, true
	return nil
}

func subject(org, owner, cn string) pkix.Name {
	n := pkix.Name{Organization: []string{org}, CommonName: cn}
	if owner != "" {
		n.OrganizationalUnit = []string{owner}
	}
	return n
}

// randomSerial returns a positive 128-bit serial number.
func randomSerial(r io.Reader) (*big.Int, error) {
	var b [16]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("generating a serial number: %w", err)
		}
		if n := new(big.Int).SetBytes(b[:]); n.Sign() > 0 {
			return n, nil
		}
	}
}

// keyID is the RFC 5280 method 1 key identifier: SHA-1 of the public key
// bits.
func keyID(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	sum := sha1.Sum(info.PublicKey.Bytes)
	return sum[:], nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	data := stdpem.EncodeToMemory(&stdpem.Block{Type: "PRIVATE KEY", Bytes: der})
	defer clear(der)
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	clear(data)
	return nil
}

// Remove deletes the files Create makes in dir, and dir itself when that
// leaves it empty. Other files are left alone. Missing files are fine.
func Remove(dir string) error {
	paths := Paths(dir)
	var errs []error
	for _, p := range []string{paths.LeafCert, paths.LeafKey, paths.CACert, paths.CAKey} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := atomicfile.RemoveStale(dir); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
		_ = os.Remove(dir)
	}
	return nil
}
