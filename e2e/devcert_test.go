//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestDeveloperCertificate serves HTTPS from a python_app with trustform's
// development certificate and calls it from clients that trust the
// developer certificate (node, and python verifying as strictly as Python
// 3.13), and from one that does not.
func TestDeveloperCertificate(t *testing.T) {
	start(t)
	needTool(t, "node", "apt-get install -y nodejs")
	needTool(t, "python3", "apt-get install -y python3")
	port := freePort(t)
	url := fmt.Sprintf("https://127.0.0.1:%d", port)
	p := newProject(t, map[string]string{})
	p.copyTestdata("devserver/server.py", "server.py")
	p.copyTestdata("node/client.js", "client.js")
	p.copyTestdata("python/client.py", "client.py")
	p.Write("main.trust.hcl", header(true, nil)+fmt.Sprintf(`
resource "python_app" "server" {
  script = "server.py"
  args   = ["%d", devcert.localhost.cert_file, devcert.localhost.key_file]
  ready_when {
    tcp = "127.0.0.1:%d"
  }
}
`, port, port)+
		resourceBlock("node_app", "client", "", `script = "client.js"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": url}),
			"developer_certificate_trust = true", "depends_on = [python_app.server]")+
		resourceBlock("python_app", "strict", "", `script = "client.py"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": url, "E2E_STRICT": "1"}),
			"depends_on = [python_app.server]")+
		resourceBlock("node_app", "untrusting", "", `script = "client.js"`,
			"env = "+hclMap(map[string]string{"E2E_URLS": url}),
			"developer_certificate_trust = false", "depends_on = [python_app.server]"))
	p.apply()
	p.expectOK("node_app.client")
	p.expectOK("python_app.strict")
	p.expectFail("node_app.untrusting", nodeCertErrors...)

	devcertDir := filepath.Join(filepath.Dir(p.Dir), "devcert")
	if _, err := os.Stat(filepath.Join(devcertDir, "ca.pem")); err != nil {
		t.Errorf("apply did not create the development CA in TRUSTFORM_DEVCERT_DIR: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p.Dir), "home", ".local", "share", "trustform")); err == nil {
		t.Error("trustform wrote under HOME although TRUSTFORM_DEVCERT_DIR was set")
	}
}
