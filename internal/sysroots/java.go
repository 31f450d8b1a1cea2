package sysroots

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustform/trustform/internal/pem"
)

// JavaCacertsPath finds the default trust store of the JDK that `java`
// resolves to: $JAVA_HOME/lib/security/cacerts, else the one beside the
// java found through lookPath (symlinks followed, as /usr/bin/java on
// Debian is an alternatives link).
func JavaCacertsPath(environ map[string]string, lookPath func(string) (string, error)) (string, error) {
	var homes []string
	if h := environ["JAVA_HOME"]; h != "" {
		homes = append(homes, h)
	}
	if lookPath != nil {
		if java, err := lookPath("java"); err == nil {
			if real, err := filepath.EvalSymlinks(java); err == nil {
				homes = append(homes, filepath.Dir(filepath.Dir(real)))
			}
		}
	}
	for _, h := range homes {
		for _, rel := range []string{"lib/security/cacerts", "jre/lib/security/cacerts"} {
			p := filepath.Join(h, rel)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	if len(homes) == 0 {
		return "", errors.New("no java found: set JAVA_HOME or put java on PATH")
	}
	return "", fmt.Errorf("no lib/security/cacerts under %v", homes)
}

// LoadJava reads the JDK's default trusted certificates from cacerts,
// which is a JKS file on many distributions (Debian's ca-certificates-java)
// and PKCS#12 in recent upstream JDKs. Expired certificates are dropped when
// now is set. The store's integrity digest is not checked: it is keyed with
// a well-known password and the file is the JDK's own.
func LoadJava(path string, now time.Time) ([]*pem.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ders [][]byte
	if bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}) {
		ders, err = jksTrustedCerts(data)
	} else {
		ders, err = pkcs12TrustedCerts(data)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	out := make([]*pem.Certificate, 0, len(ders))
	for _, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		if !now.IsZero() && (now.After(c.NotAfter) || now.Before(c.NotBefore)) {
			continue
		}
		out = append(out, pem.NewCertificate(c, path, 0))
	}
	return pem.Dedup(out), nil
}

func pkcs12TrustedCerts(data []byte) ([][]byte, error) {
	var lastErr error
	// "changeit" is the JDK's documented default; newer stores have none.
	for _, pw := range []string{"changeit", ""} {
		certs, err := pkcs12.DecodeTrustStore(data, pw)
		if err == nil {
			ders := make([][]byte, len(certs))
			for i, c := range certs {
				ders[i] = c.Raw
			}
			return ders, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// jksTrustedCerts walks a JKS (Sun's Java KeyStore) file and returns the
// DER of every trusted-certificate entry. Layout: magic, version (1 or 2),
// entry count, then per entry a tag (1 private key, 2 trusted certificate),
// alias and timestamp; version 2 prefixes each certificate with its type.
func jksTrustedCerts(data []byte) ([][]byte, error) {
	r := bytes.NewReader(data[4:])
	var version, count uint32
	if err := binary.Read(r, binary.BigEndian, &version); err != nil {
		return nil, err
	}
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("unsupported JKS version %d", version)
	}
	if err := binary.Read(r, binary.BigEndian, &count); err != nil {
		return nil, err
	}
	readUTF := func() error {
		var n uint16
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return err
		}
		_, err := r.Seek(int64(n), io.SeekCurrent)
		return err
	}
	readBlob := func() ([]byte, error) {
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return nil, err
		}
		if int64(n) > int64(r.Len()) {
			return nil, errors.New("truncated JKS entry")
		}
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, err
	}
	readCert := func() ([]byte, error) {
		if version == 2 {
			if err := readUTF(); err != nil { // certificate type, "X.509"
				return nil, err
			}
		}
		return readBlob()
	}
	var out [][]byte
	for i := uint32(0); i < count; i++ {
		var tag uint32
		var ts uint64
		if err := binary.Read(r, binary.BigEndian, &tag); err != nil {
			return nil, err
		}
		if err := readUTF(); err != nil { // alias
			return nil, err
		}
		if err := binary.Read(r, binary.BigEndian, &ts); err != nil {
			return nil, err
		}
		switch tag {
		case 2:
			der, err := readCert()
			if err != nil {
				return nil, err
			}
			out = append(out, der)
		case 1:
			// A private key entry has no place in a trust store; skip the
			// key and its chain without keeping either.
			if _, err := readBlob(); err != nil {
				return nil, err
			}
			var n uint32
			if err := binary.Read(r, binary.BigEndian, &n); err != nil {
				return nil, err
			}
			for j := uint32(0); j < n; j++ {
				if _, err := readCert(); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("unknown JKS entry tag %d", tag)
		}
	}
	return out, nil
}

// JavaStore is a trust store a user named with -Djavax.net.ssl.trustStore.
type JavaStore struct {
	// Format is "JKS", "JCEKS" or "PKCS12", read from the content: Java 17
	// reads JKS and PKCS12 files whatever trustStoreType says
	// (keystore.type.compat).
	Format       string
	Certificates []*pem.Certificate
}

// ReadJavaStore reads the trusted-certificate entries of a user's trust
// store, as the JVM would with the trustStorePassword given (hasPassword
// false when none is). A JKS store is read without a password, as Java
// does, and its integrity digest is checked when one is given, so a wrong
// password is refused rather than merged anyway; a PKCS#12 store whose
// certificates are encrypted needs its password.
func ReadJavaStore(data []byte, source, password string, hasPassword bool) (*JavaStore, error) {
	st := &JavaStore{}
	var ders [][]byte
	var err error
	switch {
	case bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}), bytes.HasPrefix(data, []byte{0xce, 0xce, 0xce, 0xce}):
		st.Format = "JKS"
		if data[0] == 0xce {
			st.Format = "JCEKS"
		}
		if hasPassword && !jksDigestMatches(data, password) {
			return nil, errors.New("its integrity check fails with the trustStorePassword given: the password is wrong, or the file is damaged")
		}
		ders, err = jksTrustedCerts(data)
		if err != nil {
			return nil, fmt.Errorf("it is not a readable %s store: %v", st.Format, err)
		}
	default:
		st.Format = "PKCS12"
		certs, derr := pkcs12.DecodeTrustStore(data, password)
		if derr != nil {
			if !hasPassword {
				return nil, fmt.Errorf("it cannot be read as a PKCS#12 trust store without a password (%v); set -Djavax.net.ssl.trustStorePassword beside it", derr)
			}
			return nil, fmt.Errorf("it cannot be read as a PKCS#12 trust store with the trustStorePassword given (%v)", derr)
		}
		for _, c := range certs {
			ders = append(ders, c.Raw)
		}
	}
	for _, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("it holds a certificate that cannot be parsed: %v", err)
		}
		st.Certificates = append(st.Certificates, pem.NewCertificate(c, source, 0))
	}
	st.Certificates = pem.Dedup(st.Certificates)
	return st, nil
}

// jksDigestMatches checks a JKS or JCEKS file's trailing SHA-1 digest,
// keyed with the password (UTF-16BE) and the phrase "Mighty Aphrodite".
func jksDigestMatches(data []byte, password string) bool {
	if len(data) < 4+20 {
		return false
	}
	body, sum := data[:len(data)-20], data[len(data)-20:]
	h := sha1.New()
	for _, r := range password {
		if r > 0xffff {
			return false
		}
		h.Write([]byte{byte(r >> 8), byte(r)})
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(body)
	return bytes.Equal(h.Sum(nil), sum)
}
