package trustcheck

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type kp struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func mk(t *testing.T, cn string, parent *kp, ca bool, notAfter time.Time, names ...string) *kp {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  ca,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &kp{c, key}
}

type pki struct{ root, inter, leaf, expired, wrongName *kp }

func newPKI(t *testing.T) pki {
	later := now.Add(365 * 24 * time.Hour)
	root := mk(t, "Test Root", nil, true, later)
	inter := mk(t, "Test Issuing", root, true, later)
	return pki{
		root: root, inter: inter,
		leaf:      mk(t, "localhost", inter, false, later, "localhost", "127.0.0.1"),
		expired:   mk(t, "localhost", inter, false, now.Add(-time.Hour), "localhost"),
		wrongName: mk(t, "api.local", inter, false, later, "api.local"),
	}
}

func set(certs ...*kp) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		out = append(out, c.cert)
	}
	return out
}

func TestVerifyCases(t *testing.T) {
	p := newPKI(t)
	ours := func(c ...*kp) Store { return Store{Label: "trust set corp (cert.pem)", Ours: true, Certs: set(c...)} }
	stranger := mk(t, "Stranger Root", nil, true, now.Add(time.Hour))
	tests := []struct {
		name   string
		chain  []*kp
		host   string
		client Client
		in     Input
		want   Kind
		reason string
	}{
		{"trusted", []*kp{p.leaf, p.inter}, "localhost", Client{Name: "node", Stores: []Store{ours(p.root)}}, Input{}, Trusted, "Trusted through trust set corp (cert.pem), anchored at CN=Test Root"},
		{"trusted by IP", []*kp{p.leaf, p.inter}, "127.0.0.1", Client{Name: "node", Stores: []Store{ours(p.root)}}, Input{}, Trusted, ""},
		{"missing intermediate", []*kp{p.leaf}, "localhost", Client{Name: "node", Stores: []Store{ours(p.root)}}, Input{}, MissingIntermediate, "did not send the intermediate CN=Test Issuing"},
		{"unknown root", []*kp{p.leaf, p.inter}, "localhost", Client{Name: "node", Stores: []Store{ours(stranger)}}, Input{SetName: "corp"}, UnknownRoot, "The root CN=Test Root that signs this chain is not in trust set corp"},
		{"self-signed root sent, not trusted", []*kp{p.leaf, p.inter, p.root}, "localhost", Client{Name: "node", Stores: []Store{ours(stranger)}}, Input{}, UnknownRoot, `The root "Test Root"`},
		{"expired", []*kp{p.expired, p.inter}, "localhost", Client{Name: "node", Stores: []Store{ours(p.root)}}, Input{}, Expired, "expired on 2026-06-01 11:00 UTC"},
		{"name", []*kp{p.wrongName, p.inter}, "localhost", Client{Name: "node", Stores: []Store{ours(p.root)}}, Input{}, NameMismatch, "The name localhost is not in the certificate's names (api.local)"},
		// OpenSSL without the partial-chain flag wants the self-signed root;
		// Go and curl anchor at the intermediate.
		{"intermediate only, node", []*kp{p.leaf, p.inter}, "localhost", Client{Name: "node", Stores: []Store{ours(p.inter)}}, Input{}, IntermediateAnchor, "holds the intermediate"},
		{"intermediate only, partial", []*kp{p.leaf, p.inter}, "localhost", Client{Name: "curl", Partial: true, Stores: []Store{ours(p.inter)}}, Input{}, Trusted, ""},
		{"intermediate only, partial, leaf alone", []*kp{p.leaf}, "localhost", Client{Name: "Go", Partial: true, Stores: []Store{ours(p.inter)}}, Input{}, Trusted, ""},
		{"scope none", []*kp{p.leaf, p.inter}, "localhost", Client{Name: "node", Stores: []Store{{Label: "system", Certs: set(stranger)}}}, Input{ScopeNone: true}, ScopeNone, "scope is none"},
		{"inherited override", []*kp{p.leaf, p.inter}, "localhost",
			Client{Name: "curl", Partial: true, Stores: []Store{{Label: "/x.pem", Var: "CURL_CA_BUNDLE", Path: "/x.pem", Inherited: true, Certs: set(stranger)}}},
			Input{Set: set(p.root), SetName: "corp"}, InheritedOverride, "CURL_CA_BUNDLE=/x.pem, inherited from trustform's environment (your shell), overrides trust set corp"},
		{"set not read", []*kp{p.leaf, p.inter}, "localhost",
			Client{Name: "python (requests)", Stores: []Store{{Label: "certifi", Certs: set(stranger)}}},
			Input{Set: set(p.root), SetName: "corp"}, IgnoresSet, "does not read trust set corp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Chain, in.Host, in.Now = set(tt.chain...), tt.host, now
			r := Verify(in, tt.client)
			if r.Kind != tt.want || r.Trusted != (tt.want == Trusted) {
				t.Fatalf("verdict %s (trusted %v), want %s: %s", r.Kind, r.Trusted, tt.want, r.Reason)
			}
			if !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", r.Reason, tt.reason)
			}
			if !r.Trusted && r.Fix == "" {
				t.Errorf("no fix for %s", r.Kind)
			}
		})
	}
}

func TestClientsPickStores(t *testing.T) {
	files := Files{
		File:        func(string) ([]*x509.Certificate, error) { return nil, nil },
		Dir:         func(string, bool) ([]*x509.Certificate, error) { return nil, nil },
		System:      func() ([]*x509.Certificate, error) { return nil, nil },
		DefaultFile: "/etc/ssl/certs/ca-certificates.crt",
		DefaultDir:  "/etc/ssl/certs",
		TrustDir:    "/p/.trustform/trust/corp-1", TrustSet: "corp", Scope: "append",
	}
	env := Env{Vars: map[string]string{
		"SSL_CERT_DIR":   "/p/.trustform/trust/corp-1/certs:/etc/ssl/certs",
		"CURL_CA_BUNDLE": "/home/me/other.pem",
	}, Plan: map[string]bool{"SSL_CERT_DIR": true}}
	labels := func(c Client) string {
		var l []string
		for _, s := range c.Stores {
			x := s.Label
			if s.Inherited {
				x += " (inherited " + s.Var + ")"
			}
			l = append(l, x)
		}
		return strings.Join(l, ", ")
	}
	for _, tt := range []struct {
		typ  string
		argv []string
		want string
	}{
		{"executable", []string{"curl", "https://x"}, "curl: /home/me/other.pem (inherited CURL_CA_BUNDLE), /etc/ssl/certs"},
		{"executable", []string{"sh", "-c", "curl -sS https://x; sleep 1"}, "curl: /home/me/other.pem (inherited CURL_CA_BUNDLE), /etc/ssl/certs"},
		{"executable", []string{"/bin/server"}, "Go crypto/x509: /etc/ssl/certs/ca-certificates.crt, trust set corp (certs), /etc/ssl/certs"},
		{"python_app", nil, "python (ssl module: urllib, http.client): /etc/ssl/certs/ca-certificates.crt, trust set corp (certs), /etc/ssl/certs|python (requests): /home/me/other.pem (inherited CURL_CA_BUNDLE)"},
		{"node_app", nil, "node: node's bundled Mozilla roots (approximated by the system roots)"},
		{"container", nil, "OpenSSL in the container: trust set corp (cert.pem), the image's roots (approximated by the host's system roots)"},
	} {
		var got []string
		for _, c := range Clients(tt.typ, tt.argv, env, files) {
			got = append(got, c.Name+": "+labels(c))
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("%s %q:\n got %s\nwant %s", tt.typ, tt.argv, g, tt.want)
		}
	}
}

// Java reads -Djavax.net.ssl.trustStore from JAVA_TOOL_OPTIONS, then
// JDK_JAVA_OPTIONS, then its command line, then _JAVA_OPTIONS; the last
// one set wins, and the model must name the store the JVM really reads.
func TestJavaClientTakesTheLastTrustStore(t *testing.T) {
	files := Files{TrustDir: "/p/.trustform/trust/corp-1", TrustSet: "corp", Scope: "append"}
	ours := "-Djavax.net.ssl.trustStore=/p/.trustform/trust/corp-1/truststore.p12"
	for _, tt := range []struct {
		name      string
		vars      map[string]string
		argv      []string
		wantPath  string
		wantVar   string
		inherited bool
	}{
		{"none", nil, []string{"java", "-jar", "app.jar"}, "", "", false},
		{"ours only", map[string]string{"JAVA_TOOL_OPTIONS": ours}, nil, "/p/.trustform/trust/corp-1/truststore.p12", "JAVA_TOOL_OPTIONS", false},
		{"JDK_JAVA_OPTIONS after", map[string]string{"JAVA_TOOL_OPTIONS": ours, "JDK_JAVA_OPTIONS": "-Xmx1g -Djavax.net.ssl.trustStore=/home/me/a.jks"}, nil, "/home/me/a.jks", "JDK_JAVA_OPTIONS", true},
		{"command line after", map[string]string{"JAVA_TOOL_OPTIONS": ours}, []string{"java", "-Djavax.net.ssl.trustStore=/home/me/b.jks", "-jar", "app.jar"}, "/home/me/b.jks", "", false},
		{"_JAVA_OPTIONS last", map[string]string{"JAVA_TOOL_OPTIONS": ours, "_JAVA_OPTIONS": "-Djavax.net.ssl.trustStore=/home/me/c.jks"}, []string{"java", "-Djavax.net.ssl.trustStore=/home/me/b.jks"}, "/home/me/c.jks", "_JAVA_OPTIONS", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{Vars: tt.vars, Plan: map[string]bool{"JAVA_TOOL_OPTIONS": true}}
			cs := Clients("java_app", tt.argv, env, files)
			if len(cs) != 1 || len(cs[0].Stores) != 1 {
				t.Fatalf("clients %+v", cs)
			}
			s := cs[0].Stores[0]
			if s.Path != tt.wantPath || s.Var != tt.wantVar || s.Inherited != tt.inherited {
				t.Errorf("store %q from %q (inherited %v), want %q from %q (inherited %v)", s.Path, s.Var, s.Inherited, tt.wantPath, tt.wantVar, tt.inherited)
			}
		})
	}
}
