//go:build linux

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// Issue 17: `trustform check` must say what the real client says. Each case
// is a loopback server built to fail (or not) in one way; every client is
// launched by `trustform apply`, and its result is compared with check's
// verdict for the same resource.

// chainCA is a CA of a two-level hierarchy (root, then intermediate).
type chainCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func (c *chainCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}))
}

// issue signs a certificate for tmpl's subject with parent (nil:
// self-signed) and returns it with its key.
func issue(t *testing.T, parent *chainCA, tmpl *x509.Certificate) *chainCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = testutil.Serial(t)
	tmpl.SubjectKeyId = testutil.KeyID(t, &key.PublicKey)
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
		tmpl.AuthorityKeyId = parent.cert.SubjectKeyId
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &chainCA{cert: cert, key: key, der: der}
}

func caTemplate(name string, pathLen int) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"trustform e2e"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            pathLen,
		MaxPathLenZero:        pathLen == 0,
	}
}

func leafTemplate(names []string, notBefore, notAfter time.Time) *x509.Certificate {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: names[0], Organization: []string{"trustform e2e"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	return tmpl
}

// startChainServer serves the greeting with leaf and exactly the extra
// certificates given, as a misconfigured server would. httptest serves
// each connection on its own goroutine.
func startChainServer(t *testing.T, leaf *chainCA, extra ...*chainCA) string {
	t.Helper()
	cert := tls.Certificate{Certificate: [][]byte{leaf.der}, PrivateKey: leaf.key}
	for _, c := range extra {
		cert.Certificate = append(cert.Certificate, c.der)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, greeting+"\n")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// checkCase is one server and the verdict check must give for it.
type checkCase struct {
	name  string
	url   string
	scope string
	want  string // verdict kind
}

// checkClient is one real client as a resource block.
type checkClient struct {
	name  string
	block func(name, scope, url string) string
}

func checkClients() []checkClient {
	return []checkClient{
		{"node", func(name, scope, url string) string {
			return resourceBlock("node_app", name, scope, `script = "client.js"`,
				"env = "+hclMap(map[string]string{"E2E_URLS": url}), trusts("corp"))
		}},
		{"python", func(name, scope, url string) string {
			// Both of Python's clients: urllib (ssl module) and requests.
			return resourceBlock("python_app", name, scope, `script = "client.py"`,
				"env = "+hclMap(map[string]string{"E2E_URLS": url, "E2E_HTTP": "both"}), trusts("corp"))
		}},
		{"curl", func(name, scope, url string) string {
			return resourceBlock("executable", name, scope, `command = "sh"`,
				"args = "+hclList("-c", `curl -sS --fail --max-time 20 -o /dev/null "$E2E_URL" && echo "RESULT ok" || echo "RESULT fail curl exit $?"; exec sleep 3600`),
				"env = "+hclMap(map[string]string{"E2E_URL": url}), trusts("corp"))
		}},
	}
}

// checkVerdict is the part of `check -json` the test reads.
type checkVerdict struct {
	Trusted   bool `json:"trusted"`
	Resources []struct {
		Address   string `json:"address"`
		Trusted   bool   `json:"trusted"`
		Inherited []struct {
			Name   string `json:"name"`
			Action string `json:"action"`
		} `json:"inherited"`
		Results []struct {
			Client  string `json:"client"`
			Verdict string `json:"verdict"`
			Trusted bool   `json:"trusted"`
			Reason  string `json:"reason"`
		} `json:"results"`
	} `json:"resources"`
}

// runCheck runs check -json ADDR URL and returns the verdict and exit code.
func (p *project) runCheck(addr, url string) (checkVerdict, int, string) {
	p.t.Helper()
	out, err := p.run("check", "-json", addr, url)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatalf("check %s: %v\n%s", addr, err, out)
	}
	var v checkVerdict
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		p.t.Fatalf("check -json %s: %v\n%s", addr, err, out)
	}
	return v, code, out
}

func TestCheckAgreesWithClients(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	needTool(t, "python3", "apt-get install -y python3 python3-requests")
	needTool(t, "curl", "apt-get install -y curl")

	root := issue(t, nil, caTemplate("Check Corp Root", 1))
	inter := issue(t, root, caTemplate("Check Corp Issuing CA", 0))
	otherRoot := issue(t, nil, caTemplate("Check Stranger Root", 1))
	otherInter := issue(t, otherRoot, caTemplate("Check Stranger Issuing CA", 0))
	now := time.Now()
	names := []string{"localhost", "127.0.0.1"}
	good := issue(t, inter, leafTemplate(names, now.Add(-time.Hour), now.Add(24*time.Hour)))
	stranger := issue(t, otherInter, leafTemplate(names, now.Add(-time.Hour), now.Add(24*time.Hour)))
	expired := issue(t, inter, leafTemplate(names, now.Add(-48*time.Hour), now.Add(-24*time.Hour)))
	wrongName := issue(t, inter, leafTemplate([]string{"api.internal.example"}, now.Add(-time.Hour), now.Add(24*time.Hour)))

	trustedURL := startChainServer(t, good, inter)
	cases := []checkCase{
		{"trusted", trustedURL, "", "trusted"},
		{"missing_intermediate", startChainServer(t, good), "", "missing_intermediate"},
		{"unknown_root", startChainServer(t, stranger, otherInter), "", "unknown_root"},
		{"expired", startChainServer(t, expired, inter), "", "expired"},
		{"name_mismatch", startChainServer(t, wrongName, inter), "", "name_mismatch"},
		{"scope_none", trustedURL, "none", "scope_none"},
	}
	type row struct {
		cse, client, addr, url, want string
		p                            *project
	}
	var rows []row
	newCheckProject := func() *project {
		p := newProject(t, map[string]string{"root.pem": root.pem(), "other.pem": otherRoot.pem()})
		p.copyTestdata("node/client.js", "client.js")
		p.copyTestdata("python/client.py", "client.py")
		return p
	}
	main := newCheckProject()
	hcl := header(false, map[string]string{"corp": "root.pem"})
	for _, c := range cases {
		for _, cl := range checkClients() {
			name := cl.name + "_" + c.name
			hcl += cl.block(name, c.scope, c.url)
			typ := map[string]string{"node": "node_app", "python": "python_app", "curl": "executable"}[cl.name]
			rows = append(rows, row{c.name, cl.name, typ + "." + name, c.url, c.want, main})
		}
	}
	main.Write("main.trust.hcl", hcl)

	// The inherited override: the shell trustform runs in points the
	// clients' own variables at a bundle without the corp root. curl would
	// take CURL_CA_BUNDLE over the SSL_CERT_DIR trustform sets, requests
	// would take it when nothing sets REQUESTS_CA_BUNDLE (python in append
	// scope), node adds NODE_EXTRA_CA_CERTS. The plan merges each of them
	// with the trust set (issue 13), so every client trusts the server and
	// check, reading the plan's decision, must say so too. The verdict
	// for a variable the plan does not merge is proven in trustcheck's
	// unit tests.
	inh := newCheckProject()
	inh.setenv("CURL_CA_BUNDLE="+inh.Dir+"/other.pem", "NODE_EXTRA_CA_CERTS="+inh.Dir+"/other.pem")
	ihcl := header(false, map[string]string{"corp": "root.pem"})
	for _, cl := range checkClients() {
		name := cl.name + "_inherited"
		scope := ""
		want := "trusted"
		if cl.name == "python" {
			scope = "append"
			ihcl += resourceBlock("python_app", name, scope, `script = "client.py"`,
				"env = "+hclMap(map[string]string{"E2E_URLS": trustedURL, "E2E_HTTP": "requests"}), trusts("corp"))
		} else {
			ihcl += cl.block(name, scope, trustedURL)
		}
		typ := map[string]string{"node": "node_app", "python": "python_app", "curl": "executable"}[cl.name]
		rows = append(rows, row{"inherited_override", cl.name, typ + "." + name, trustedURL, want, inh})
	}
	inh.Write("main.trust.hcl", ihcl)

	main.apply()
	inh.apply()

	var table []string
	agree := true
	for _, r := range rows {
		res := r.p.result(r.addr, r.p.logOf, 100*time.Millisecond)
		clientOK := strings.HasPrefix(res, "ok")
		v, code, out := r.p.runCheck(r.addr, r.url)
		if len(v.Resources) != 1 {
			t.Fatalf("%s: check -json lists %d resources\n%s", r.addr, len(v.Resources), out)
		}
		cr := v.Resources[0]
		kinds := map[string]bool{}
		var kind []string
		for _, x := range cr.Results {
			if !kinds[x.Verdict] {
				kinds[x.Verdict] = true
				kind = append(kind, x.Verdict)
			}
		}
		// A Python resource is trusted when both its clients are; the
		// requests-only resource has an ssl-module verdict too.
		verdict := strings.Join(kind, "+")
		if !cr.Trusted {
			var bad []string
			for _, x := range cr.Results {
				if !x.Trusted {
					bad = append(bad, x.Verdict)
				}
			}
			sort.Strings(bad)
			verdict = strings.Join(dedup(bad), "+")
		}
		wantCode := 0
		if !cr.Trusted {
			wantCode = 2
		}
		if code != wantCode {
			t.Errorf("%s: check exited %d, want %d\n%s", r.addr, code, wantCode, out)
		}
		if verdict != r.want {
			t.Errorf("%s (%s): verdict %s, want %s\n%s", r.addr, r.cse, verdict, r.want, out)
		}
		if r.cse == "inherited_override" {
			// check shows what the plan did with the shell's variable.
			merged := false
			for _, iv := range cr.Inherited {
				merged = merged || (iv.Action == "merged" && (iv.Name == "CURL_CA_BUNDLE" || iv.Name == "NODE_EXTRA_CA_CERTS"))
			}
			if !merged {
				t.Errorf("%s: check -json does not report the plan merging the inherited variable\n%s", r.addr, out)
			}
		}
		if clientOK != cr.Trusted {
			agree = false
			t.Errorf("%s (%s): check says trusted=%v, the real client says %s\n%s\n--- log:\n%s", r.addr, r.cse, cr.Trusted, res, out, r.p.logOf(r.addr))
		}
		real := "ok"
		if !clientOK {
			real = "fail: " + firstCertError(r.p.logOf(r.addr), res)
		}
		table = append(table, fmt.Sprintf("| %s | %s | %s (exit %d) | %s | %v |", r.cse, r.client, verdict, code, real, clientOK == cr.Trusted))
	}
	t.Logf("check verdict vs real client (agree in every cell: %v):\n| case | client | check verdict | real client | agree |\n|---|---|---|---|---|\n%s", agree, strings.Join(table, "\n"))

	// -all: one line per resource, exit 2 as some do not trust.
	out, err := main.run("check", "-all", trustedURL)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("check -all: %v, want exit 2\n%s", err, out)
	}
	if n := strings.Count(strings.TrimSpace(out), "\n") + 1; n != len(cases)*3 {
		t.Errorf("check -all printed %d lines, want %d\n%s", n, len(cases)*3, out)
	}
	if !strings.Contains(out, "node_app.node_trusted") || !strings.Contains(out, "NOT TRUSTED") {
		t.Errorf("check -all output:\n%s", out)
	}
	t.Logf("check -all %s:\n%s", trustedURL, out)
}

func dedup(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// firstCertError is the client's own words for the failure, for the table.
func firstCertError(logText, res string) string {
	for _, l := range strings.Split(logText, "\n") {
		if strings.Contains(l, "curl: (") {
			return strings.TrimSpace(l)
		}
	}
	if len(res) > 160 {
		res = res[:160]
	}
	return strconv.Quote(strings.TrimSpace(strings.TrimPrefix(res, "fail")))
}
