//go:build linux

package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Documented certificate_trust_configuration blocks for the tools that
// environment variables cannot steer fully (website/docs/resources/
// executable.md shows the same text).
const (
	// curl keeps its compiled-in CA path (/etc/ssl/certs on Debian) next
	// to CURL_CA_BUNDLE, so override passes both on the command line.
	curlOverrideConfig = `certificate_trust_configuration {
    arguments = trust.scope == "override" ? ["--cacert", trust.bundle_path, "--capath", trust.directories_path] : []
  }`
	// wget (GnuTLS) reads no trust variable: --ca-certificate adds to the
	// system store, --ca-directory replaces it.
	wgetConfig = `certificate_trust_configuration {
    arguments = trust.scope == "override" ? ["--ca-directory=${trust.directories_path}"] : ["--ca-certificate=${trust.bundle_path}"]
  }`
)

// toolCase is one executable resource running client.sh with a tool, and
// which of the two servers it must reach.
type toolCase struct {
	name, tool, scope string
	extra             []string // more attribute lines (a configuration block)
	one, two          bool     // reaches the collection's server, the inherited CA's server
}

// TestToolsAsExecutables runs Debian's curl (OpenSSL), git (GnuTLS libcurl)
// and wget (GnuTLS) as executables, launched by trustform apply from a
// shell that exports SSL_CERT_FILE, SSL_CERT_DIR, CURL_CA_BUNDLE and
// GIT_SSL_CAINFO for a second CA, as corporate machines do. Each client
// fetches a server only the collection vouches for ("one") and one only
// the inherited variables vouch for ("two"). append and system reach both
// (the inherited bundle merged into ours), override only one, none only
// what the tool trusted before. Before issue 13 the inherited
// CURL_CA_BUNDLE and GIT_SSL_CAINFO made curl and git ignore trustform in
// every scope, and wget ignored it always.
func TestToolsAsExecutables(t *testing.T) {
	start(t)
	needTool(t, "curl", "apt-get install -y curl")
	needTool(t, "git", "apt-get install -y git")
	needTool(t, "wget", "apt-get install -y wget")
	p := newProject(t, map[string]string{})
	one, two := twoServers(t, p)
	p.copyTestdata("tools/client.sh", "client.sh")
	otherPEM := filepath.Join(p.Dir, "other.pem")
	p.setenv("SSL_CERT_FILE="+otherPEM, "SSL_CERT_DIR="+filepath.Join(p.Dir, "other"),
		"CURL_CA_BUNDLE="+otherPEM, "GIT_SSL_CAINFO="+otherPEM)

	cases := []toolCase{
		{name: "curl_append", tool: "curl", scope: "append", one: true, two: true},
		{name: "curl_system", tool: "curl", scope: "system", one: true, two: true},
		{name: "curl_override", tool: "curl", scope: "override", one: true},
		{name: "curl_override_capath", tool: "curl", scope: "override", extra: []string{curlOverrideConfig}, one: true},
		{name: "curl_none", tool: "curl", scope: "none", two: true},
		{name: "git_append", tool: "git", scope: "append", one: true, two: true},
		{name: "git_system", tool: "git", scope: "system", one: true, two: true},
		{name: "git_override", tool: "git", scope: "override", one: true},
		{name: "git_none", tool: "git", scope: "none", two: true},
		// wget reads none of the variables: without arguments it trusts
		// the system store only, whatever the scope.
		{name: "wget_bare", tool: "wget", scope: "append"},
		{name: "wget_append", tool: "wget", scope: "append", extra: []string{wgetConfig}, one: true},
		{name: "wget_system", tool: "wget", scope: "system", extra: []string{wgetConfig}, one: true, two: true},
		{name: "wget_override", tool: "wget", scope: "override", extra: []string{wgetConfig}, one: true},
		{name: "wget_none", tool: "wget", scope: "none", extra: []string{wgetConfig}},
	}
	hcl := header(false, map[string]string{"e2e": "ca.pem"})
	for _, c := range cases {
		lines := append([]string{`command = "sh"`, fmt.Sprintf(`args = ["client.sh", %q]`, c.tool),
			"env = " + hclMap(map[string]string{"E2E_URLS": one.URL + " " + two.URL}), trusts("e2e")}, c.extra...)
		hcl += resourceBlock("executable", c.name, c.scope, lines...)
	}
	p.Write("main.trust.hcl", hcl)
	p.apply()
	for _, c := range cases {
		addr := "executable." + c.name
		res := p.result(addr, p.logOf, 100*time.Millisecond)
		t.Logf("%s: RESULT %s", addr, res)
		for _, s := range []struct {
			url  string
			want bool
			what string
		}{{one.URL, c.one, "the collection's server"}, {two.URL, c.two, "the inherited CA's server"}} {
			got := strings.Contains(" "+res+" ", " "+s.url+"=ok ")
			if got != s.want {
				t.Errorf("%s (%s, scope %s): reaches %s = %v, want %v\n%s", addr, c.tool, c.scope, s.what, got, s.want, p.logOf(addr))
			}
		}
	}
	// curl in override with the documented arguments reads our bundle and
	// our directory only: no compiled-in system CA file or path is left.
	trustRoot := filepath.Join(p.Dir, ".trustform") + "/"
	if log := p.logOf("executable.curl_override_capath"); !regexp.MustCompile(`CAfile=` + regexp.QuoteMeta(trustRoot) + `\S+/cert\.pem CApath=` + regexp.QuoteMeta(trustRoot) + `\S+/certs `).MatchString(log) {
		t.Errorf("curl override with --cacert/--capath: want our bundle and directory only:\n%s", log)
	}
	// Without them, curl keeps its compiled-in CA path (the system roots):
	// the limitation the executable page documents.
	if log := p.logOf("executable.curl_override"); !strings.Contains(log, "CApath=/etc/ssl/certs") {
		t.Logf("curl override without --capath no longer reports the system CA path:\n%s", log)
	}
}

// TestCurlOwnSSLCertFile: an SSL_CERT_FILE set in the resource's env names
// a bundle curl must still trust in append scope. curl reads SSL_CERT_DIR
// (which append sets) before SSL_CERT_FILE, so before issue 13 the user's
// file was ignored; now it reaches curl merged into CURL_CA_BUNDLE.
func TestCurlOwnSSLCertFile(t *testing.T) {
	start(t)
	needTool(t, "curl", "apt-get install -y curl")
	p := newProject(t, map[string]string{})
	one, two := twoServers(t, p)
	p.copyTestdata("tools/client.sh", "client.sh")
	p.Write("main.trust.hcl", header(false, map[string]string{"e2e": "ca.pem"})+
		resourceBlock("executable", "curl", "append", `command = "sh"`, `args = ["client.sh", "curl"]`,
			"env = "+hclMap(map[string]string{"E2E_URLS": one.URL + " " + two.URL, "SSL_CERT_FILE": "other.pem"}),
			trusts("e2e")))
	p.apply()
	res := p.result("executable.curl", p.logOf, 100*time.Millisecond)
	if !strings.Contains(res, one.URL+"=ok") || !strings.Contains(res, two.URL+"=ok") {
		t.Errorf("curl with SSL_CERT_FILE in env, append: want both servers reached, got RESULT %s\n%s", res, p.logOf("executable.curl"))
	}
}
