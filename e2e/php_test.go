//go:build linux

package e2e

import "testing"

// phpCertErrors are what PHP's https stream wrapper reports when OpenSSL
// rejects the server's chain.
var phpCertErrors = []string{"certificate verify failed"}

// TestPhpApp launches php_app clients with trustform apply against a server
// only the collection vouches for: every scope but none connects, and none
// fails with a certificate error.
func TestPhpApp(t *testing.T) {
	start(t)
	needTool(t, "php", "apt-get install -y php-cli")
	scopeTest{
		typ:     "php_app",
		scopes:  allScopes,
		attrs:   []string{`script = "client.php"`},
		files:   map[string]string{"client.php": "php/client.php"},
		reasons: phpCertErrors,
	}.run(t)
}
