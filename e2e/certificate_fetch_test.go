//go:build linux

package e2e

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// TestCertificateFetchThroughInspectingProxy is the corporate first hour:
// behind a TLS-inspecting proxy (a loopback CONNECT proxy that re-signs
// every connection with its own CA), `trustform certificate fetch` through
// HTTPS_PROXY saves the proxy's root and prints a collection block; that
// block, pasted into a configuration, lets a real Node.js client launched
// by `trustform apply` through the proxy, while the same client without it
// is refused.
func TestCertificateFetchThroughInspectingProxy(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	srv := startServer(t, "Intranet Root CA")
	upstream := x509.NewCertPool()
	upstream.AddCert(srv.CA.Cert)
	proxy := testutil.StartInspectingProxy(t, "Corp Inspection CA", upstream, true)

	p := newProject(t, nil)
	p.copyTestdata("node/proxy_client.js", "client.js")
	p.setenv("HTTPS_PROXY=" + proxy.URL)

	out, err := p.run("certificate", "fetch", srv.URL)
	t.Logf("trustform certificate fetch %s (HTTPS_PROXY=%s):\n%s", srv.URL, proxy.URL, out)
	if err != nil {
		t.Fatalf("certificate fetch: %v", err)
	}
	saved, err := os.ReadFile(filepath.Join(p.Dir, "certs", "corp-inspection-ca.pem"))
	if err != nil || string(saved) != string(proxy.CA.PEM) {
		t.Fatalf("saved root (%v) is not the proxy's CA:\n%s", err, saved)
	}
	if proxy.Connects() != 1 || proxy.Relayed() != 0 || srv.Hits() != 0 {
		t.Fatalf("fetch: %d CONNECTs, %d relayed, %d requests at the server; want 1 and no application data", proxy.Connects(), proxy.Relayed(), srv.Hits())
	}
	block := regexp.MustCompile(`(?s)certificate_authority_collection "[a-z_]+" \{\n.*?\n\}\n`).FindString(out)
	if block == "" {
		t.Fatalf("fetch printed no collection block")
	}

	p.Write("main.trust.hcl", block+`
resource "node_app" "through_proxy" {
  script = "client.js"
  env = {
    HTTPS_PROXY = "`+proxy.URL+`"
    E2E_URL     = "`+srv.URL+`"
  }
  developer_certificate_trust       = false
  certificate_authority_collections = [certificate_authority_collection.corp_inspection_ca]
}

resource "node_app" "without_collection" {
  script = "client.js"
  env = {
    HTTPS_PROXY = "`+proxy.URL+`"
    E2E_URL     = "`+srv.URL+`"
  }
  developer_certificate_trust = false
}
`)
	p.apply()
	res := p.result("node_app.through_proxy", p.logOf, 100*time.Millisecond)
	p.checkOK("node_app.through_proxy", res)
	if !strings.Contains(res, "issuer=Corp Inspection CA") {
		t.Errorf("the client did not go through the inspecting proxy: RESULT %s", res)
	}
	p.expectFail("node_app.without_collection", nodeCertErrors...)
	if proxy.Relayed() < 1 || srv.Hits() < 1 {
		t.Errorf("%d tunnels relayed, %d requests at the server: the client's request did not pass through the proxy", proxy.Relayed(), srv.Hits())
	}
	t.Logf("proxy: %d CONNECTs, %d relayed to the server; server: %d requests", proxy.Connects(), proxy.Relayed(), srv.Hits())
}
