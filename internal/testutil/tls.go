package testutil

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// CA is a throwaway certificate authority for loopback TLS tests: ECDSA
// P-256, CA:TRUE with path length 0, SKI, valid for a day. Its leaves pass
// the strictest checks the clients make (openssl -x509_strict, Python
// 3.13's VERIFY_X509_STRICT), so a client that fails proves something.
type CA struct {
	// Name is the subject's common name.
	Name string
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// PEM is Cert as one CERTIFICATE block.
	PEM []byte
}

// NewCA creates a CA whose subject is CN=name, O=trustform test.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := newKey(t)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          Serial(t),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"trustform test"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          KeyID(t, &key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Name: name, Cert: cert, Key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// Leaf issues a server certificate for host (an IP address or a DNS
// name; "localhost" also covers 127.0.0.1 and ::1), with AKI, SKI and EKU
// serverAuth, valid under strict RFC 5280 checking.
func (ca *CA) Leaf(t testing.TB, host string) *x509.Certificate {
	t.Helper()
	return ca.ServerCert(t, host).Leaf
}

// ServerCert is Leaf with its private key, for a tls.Config.
func (ca *CA) ServerCert(t testing.TB, host string) tls.Certificate {
	t.Helper()
	c, err := ca.leaf(host)
	if err != nil {
		t.Fatalf("issuing a certificate for %s: %v", host, err)
	}
	return *c
}

// LeafPEM is Leaf as one CERTIFICATE block.
func (ca *CA) LeafPEM(t testing.TB, host string) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Leaf(t, host).Raw})
}

// leaf issues a certificate for host. It returns an error rather than
// failing the test: the proxy calls it from its goroutines.
func (ca *CA) leaf(host string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	id, err := keyID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: host, Organization: []string{"trustform test"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          id,
		AuthorityKeyId:        ca.Cert.SubjectKeyId,
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
		if host == "localhost" {
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Serial is a random 127-bit certificate serial number.
func Serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// KeyID is the RFC 5280 method 1 key identifier of pub: the SHA-1 of the
// public key bits, for SubjectKeyId and AuthorityKeyId.
func KeyID(t testing.TB, pub *ecdsa.PublicKey) []byte {
	t.Helper()
	id, err := keyID(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func keyID(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:], nil
}

// Greeting is what StartTLSServer's server answers to every request.
const Greeting = "hello through trustform's test server"

// TLSServer is a loopback HTTPS server with a certificate from its CA,
// answering one body to every request and counting the requests, so a
// test can tell a client's "ok" came from a real request.
type TLSServer struct {
	// URL is https://127.0.0.1:PORT.
	URL string
	// Addr is 127.0.0.1:PORT.
	Addr string
	CA   *CA
	hits atomic.Int64

	mu     sync.Mutex
	agents []string
}

// Hits is the number of requests answered.
func (s *TLSServer) Hits() int { return int(s.hits.Load()) }

// UserAgents are the User-Agent headers of the requests answered, in
// order, so a test can tell which clients got through.
func (s *TLSServer) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.agents...)
}

// StartTLSServer starts a server answering Greeting, whose certificate
// for 127.0.0.1 and localhost is issued by a new CA named caName. With
// sendRoot the server sends the CA after its own certificate, as
// TLS-inspecting proxies usually do; without, only its own.
func StartTLSServer(t testing.TB, caName string, sendRoot bool) *TLSServer {
	t.Helper()
	return NewCA(t, caName).Serve(t, Greeting, sendRoot)
}

// Serve starts a loopback server answering body and a newline to every
// request, with a certificate for localhost (and 127.0.0.1, ::1) that ca
// issues; sendRoot as in StartTLSServer. The server stops when the test
// ends.
func (ca *CA) Serve(t testing.TB, body string, sendRoot bool) *TLSServer {
	t.Helper()
	cert := ca.ServerCert(t, "localhost")
	if sendRoot {
		cert.Certificate = append(cert.Certificate, ca.Cert.Raw)
	}
	s := &TLSServer{CA: ca}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		s.agents = append(s.agents, r.UserAgent())
		s.mu.Unlock()
		io.WriteString(w, body+"\n")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// Clients that read the chain and hang up, or distrust it, abort
	// handshakes: expected noise.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	s.Addr = srv.Listener.Addr().String()
	return s
}

// InspectingProxy is a loopback HTTP proxy that inspects TLS the way
// corporate proxies do: it answers CONNECT, completes the client's
// handshake itself with a certificate for the requested host issued on
// the fly by its own CA, opens a verified TLS connection to the real
// server, and relays the decrypted traffic between the two.
type InspectingProxy struct {
	// URL is http://127.0.0.1:PORT, for HTTPS_PROXY.
	URL string
	CA  *CA
	// SendRoot makes the proxy send its CA after the forged certificate.
	sendRoot bool
	upstream *x509.CertPool

	mu     sync.Mutex
	leaves map[string]*tls.Certificate

	connects atomic.Int64
	relayed  atomic.Int64
}

// Connects is the number of CONNECT requests answered.
func (p *InspectingProxy) Connects() int { return int(p.connects.Load()) }

// Relayed is the number of tunnels that reached the real server and
// carried data both ways.
func (p *InspectingProxy) Relayed() int { return int(p.relayed.Load()) }

// StartInspectingProxy starts a proxy whose CA is named caName. It trusts
// upstream for its own connections to real servers; sendRoot makes it send
// its CA along with each forged certificate.
func StartInspectingProxy(t testing.TB, caName string, upstream *x509.CertPool, sendRoot bool) *InspectingProxy {
	t.Helper()
	p := &InspectingProxy{CA: NewCA(t, caName), sendRoot: sendRoot, upstream: upstream, leaves: map[string]*tls.Certificate{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.URL = "http://" + ln.Addr().String()
	var wg sync.WaitGroup
	done := make(chan struct{})
	var conns sync.Map
	t.Cleanup(func() {
		close(done)
		ln.Close()
		conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Store(c, nil)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conns.Delete(c)
				defer c.Close()
				p.serve(c, done, &conns)
			}()
		}
	}()
	return p
}

func (p *InspectingProxy) certFor(host string) (*tls.Certificate, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.leaves[host]; c != nil {
		return c, nil
	}
	c, err := p.CA.leaf(host)
	if err != nil {
		return nil, err
	}
	if p.sendRoot {
		c.Certificate = append(c.Certificate, p.CA.Cert.Raw)
	}
	p.leaves[host] = c
	return c, nil
}

func (p *InspectingProxy) serve(c net.Conn, done chan struct{}, conns *sync.Map) {
	c.SetDeadline(time.Now().Add(time.Minute))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	target := req.Host
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	p.connects.Add(1)
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	client := tls.Server(&prefixConn{Conn: c, r: br}, &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = host
			}
			return p.certFor(name)
		},
	})
	if err := client.Handshake(); err != nil {
		return // the client distrusts the proxy, or only read the chain
	}
	server, err := tls.Dial("tcp", target, &tls.Config{RootCAs: p.upstream, ServerName: host})
	if err != nil {
		return
	}
	conns.Store(server, nil)
	defer conns.Delete(server)
	defer server.Close()
	go func() {
		io.Copy(server, client)
		server.CloseWrite()
	}()
	io.Copy(&firstWrite{w: client, first: func() { p.relayed.Add(1) }}, server)
	client.CloseWrite()
}

// firstWrite calls first when the real server's first bytes reach the
// client: the tunnel carried a request and its answer.
type firstWrite struct {
	w     io.Writer
	first func()
	done  bool
}

func (f *firstWrite) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if n > 0 && !f.done {
		f.done = true
		f.first()
	}
	return n, err
}

// prefixConn reads what bufio already buffered first.
type prefixConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }
