//go:build linux

package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJavaUserTrustStore proves with real handshakes that a trust store the
// user names in jvm_args or in env.JAVA_TOOL_OPTIONS is merged into
// trustform's in append and system scope, so the JVM trusts both, and that
// override refuses it (issue 13). Before, the store in jvm_args won over
// ours (the collection's server failed) and the one in JAVA_TOOL_OPTIONS
// was replaced by ours (the user's server failed).
func TestJavaUserTrustStore(t *testing.T) {
	start(t)
	needTool(t, "java", "apt-get install -y default-jre-headless")
	keytool := needTool(t, "keytool", "apt-get install -y default-jre-headless")
	user := startServer(t, "trustform e2e user store")
	coll := startServer(t, "trustform e2e collection")
	p := newProject(t, map[string]string{"ca.pem": string(coll.CA.PEM), "user-ca.pem": string(user.CA.PEM)})
	javaClasses(p)
	// The user's CA only in the user's stores: a JKS and a PKCS#12 made by
	// keytool, both with a password (Java 17's keytool encrypts PKCS#12
	// certificates with it).
	for _, st := range []struct{ file, typ string }{{"user.jks", "JKS"}, {"user.p12", "PKCS12"}} {
		out, err := exec.Command(keytool, "-importcert", "-noprompt", "-alias", "user-ca",
			"-file", filepath.Join(p.Dir, "user-ca.pem"), "-keystore", filepath.Join(p.Dir, st.file),
			"-storetype", st.typ, "-storepass", "user-secret").CombinedOutput()
		if err != nil {
			t.Fatalf("keytool -importcert %s: %v\n%s", st.file, err, out)
		}
	}
	urls := "E2E_URLS = \"" + user.URL + " " + coll.URL + "\""
	config := func(scope string) string {
		return header(false, map[string]string{"e2e": "ca.pem"}) +
			resourceBlock("java_app", "jvm_args", scope, `classpath = "classes"`, `main = "Client"`,
				`jvm_args = ["-Djavax.net.ssl.trustStore=user.jks", "-Djavax.net.ssl.trustStorePassword=user-secret"]`,
				"env = { "+urls+" }", trusts("e2e")) +
			resourceBlock("java_app", "tool_options", scope, `classpath = "classes"`, `main = "Client"`,
				"env = { "+urls+`, JAVA_TOOL_OPTIONS = "-Xss2m -Djavax.net.ssl.trustStore=user.p12 -Djavax.net.ssl.trustStorePassword=user-secret -Djavax.net.ssl.trustStoreType=PKCS12" }`,
				trusts("e2e")) +
			// Without a user store: the user's server is not trusted, so
			// the two above succeed on it only through the merge.
			resourceBlock("java_app", "control", scope, `classpath = "classes"`, `main = "Client"`,
				"env = { "+urls+" }", trusts("e2e"))
	}

	for _, scope := range []string{"append", "system"} {
		t.Run(scope, func(t *testing.T) {
			p.t = t
			p.Write("main.trust.hcl", config(scope))
			out, err := p.run("plan")
			if err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			for _, want := range []string{
				`javax.net.ssl.trustStore = "user.jks" (from jvm_args): merged with ours into "${trust_set.`,
				`/truststore.p12" (JKS, 1 certificate)`,
				`javax.net.ssl.trustStore = "user.p12" (in JAVA_TOOL_OPTIONS from env): merged with ours into`,
				`(PKCS12, 1 certificate)`,
				`-Djavax.net.ssl.trustStorePassword=(sensitive value)`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("plan in %s scope: want %q in:\n%s", scope, want, out)
				}
			}
			if strings.Contains(out, "user-secret") {
				t.Errorf("plan in %s scope prints the trust store password:\n%s", scope, out)
			}
			p.apply()
			p.expectOK("java_app.jvm_args")
			p.expectOK("java_app.tool_options")
			p.expectFail("java_app.control", javaCertErrors...)
			// Each JVM got only our store: no user trust store option is
			// left for it to prefer.
			for _, addr := range []string{"java_app.jvm_args", "java_app.tool_options"} {
				opts := p.processEnv(addr)["JAVA_TOOL_OPTIONS"]
				if strings.Contains(opts, "user.") || !strings.Contains(opts, "truststore.p12") {
					t.Errorf("%s: JAVA_TOOL_OPTIONS=%q, want trustform's store only", addr, opts)
				}
			}
		})
	}

	t.Run("override", func(t *testing.T) {
		p.t = t
		p.Write("main.trust.hcl", config("override"))
		for _, cmd := range [][]string{{"plan"}, {"apply", "-auto-approve"}} {
			out, err := p.run(cmd...)
			if err == nil {
				t.Fatalf("%s in override scope with a user trust store succeeded:\n%s", cmd[0], out)
			}
			for _, want := range []string{
				"Error: Java trust store contradicts the trust scope",
				`on main.trust.hcl:`,
				`java_app.jvm_args sets -Djavax.net.ssl.trustStore=user.jks in jvm_args`,
				`java_app.tool_options sets -Djavax.net.ssl.trustStore=user.p12 in`,
				`env.JAVA_TOOL_OPTIONS`,
				`or use scope "append" or "system"`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("%s in override scope: want %q in:\n%s", cmd[0], want, out)
				}
			}
			if strings.Contains(out, "Creation") {
				t.Errorf("%s in override scope started something:\n%s", cmd[0], out)
			}
		}
	})
}
