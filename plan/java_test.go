package plan

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

func withJvmArgs(args ...string) func(*lang.Resource) {
	return func(r *lang.Resource) { r.Attrs.SetList("jvm_args", args) }
}

// A user's trust store, wherever the JVM would read it from, is taken out
// of the options and merged into ours in append and system scope, replacing
// the JDK roots as it did for the JVM; override refuses it (issue 13).
func TestJavaUserTrustStore(t *testing.T) {
	fh := newFakeHost(t)
	fh.java = []*pem.Certificate{loadCert(t, "system-1")}
	user := loadCert(t, "java-root")
	store, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{user.X509}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	fh.files[filepath.Join(testDir, "user.p12")] = store
	fh.files["/etc/other.p12"] = store
	cfg := testConfig(t,
		res("java_app", "args", withCollections("corp"), withScope(runtimes.ScopeAppend),
			withJvmArgs("-Xmx1g", "-Djavax.net.ssl.trustStore=user.p12", "-Djavax.net.ssl.trustStorePassword=pw")),
		res("java_app", "env", withCollections("corp"),
			withEnv("JAVA_TOOL_OPTIONS", `-Xss1m '-Djavax.net.ssl.trustStore=/etc/other.p12' -Djavax.net.ssl.trustStorePassword=pw`)),
	)
	// _JAVA_OPTIONS beats everything else; its trust store type is
	// dropped too. The JDK roots (here System Root One) are not added
	// in append: the user's store replaced them for the JVM.
	p := mustBuild(t, input(cfg, fh.host(map[string]string{"_JAVA_OPTIONS": "-Dx=1 -Djavax.net.ssl.trustStoreType=PKCS12"})))
	for _, addr := range []string{"java_app.args", "java_app.env"} {
		s := change(t, p, addr).After
		f := fileByRel(t, s, addr, "truststore.p12")
		certs, err := pkcs12.DecodeTrustStore(p.Blobs[f.SHA256], "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range certs {
			got = append(got, c.Subject.CommonName)
		}
		want := []string{"Corp Root CA", "Corp Proxy CA", "JDK Root"}
		if addr == "java_app.env" {
			// system scope: the host's roots too, as for every runtime.
			want = []string{"Corp Root CA", "Corp Proxy CA", "System Root One", "System Root Two", "JDK Root"}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: store (-want +got):\n%s", addr, diff)
		}
		if strings.Contains(strings.Join(s.Argv, " ")+s.Env["JAVA_TOOL_OPTIONS"], "user.p12") || strings.Contains(s.Env["JAVA_TOOL_OPTIONS"], "other.p12") {
			t.Errorf("%s: the user's store is still given to the JVM: argv %q, JAVA_TOOL_OPTIONS %q", addr, s.Argv, s.Env["JAVA_TOOL_OPTIONS"])
		}
		if got := s.Env["_JAVA_OPTIONS"]; got != "-Dx=1" {
			t.Errorf("%s: _JAVA_OPTIONS = %q, want -Dx=1", addr, got)
		}
	}
	if got := change(t, p, "java_app.args").After.Argv; !cmp.Equal(got[:2], []string{"java", "-Xmx1g"}) {
		t.Errorf("argv = %q, want java -Xmx1g first", got)
	}
	if got := change(t, p, "java_app.env").After.Env["JAVA_TOOL_OPTIONS"]; !strings.HasPrefix(got, "-Xss1m -Djavax.net.ssl.trustStore=") || strings.Contains(got, "pw") {
		t.Errorf("JAVA_TOOL_OPTIONS = %q", got)
	}
	var lines []string
	for _, iv := range change(t, p, "java_app.env").Inherited {
		lines = append(lines, inheritedLine(nil, iv))
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{
		`javax.net.ssl.trustStore = "/etc/other.p12" (in JAVA_TOOL_OPTIONS from env): merged with ours into`,
		`(PKCS12, 1 certificate)`,
		`-Djavax.net.ssl.trustStorePassword=(sensitive value)`,
		`_JAVA_OPTIONS = "-Dx=1 -Djavax.net.ssl.trustStoreType=PKCS12" (from trustform's environment): replaced by "-Dx=1"`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("want %q in:\n%s", want, joined)
		}
	}

	// The plan JSON carries the decisions as its schema says.
	schema := loadSchema(t)
	doc, raw := renderJSONDoc(t, p, nil)
	for _, e := range validate(schema, schema, doc, "$") {
		t.Error(e)
	}
	for _, want := range []string{`"from":"jvm_args"`, `"in":"JAVA_TOOL_OPTIONS"`, `"format":"PKCS12"`, `"certificates":1`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("plan JSON lacks %s", want)
		}
	}

	// override: an error on the argument, saying how to fix it.
	_, diags := Build(input(testConfig(t,
		res("java_app", "strict", withCollections("corp"), withScope(runtimes.ScopeOverride),
			withJvmArgs("-Djavax.net.ssl.trustStore=user.p12"))), fh.host(nil)))
	if !diags.HasErrors() || !strings.Contains(diags.Error(), `certificate_trust_scope "override"`) || !strings.Contains(diags.Error(), `use scope "append" or "system"`) {
		t.Errorf("override: %v", diags)
	}
	// An unreadable store is refused, not skipped.
	_, diags = Build(input(testConfig(t,
		res("java_app", "bad", withCollections("corp"), withJvmArgs("-Djavax.net.ssl.trustStore=user.p12", "-Djavax.net.ssl.trustStorePassword=nope"))), fh.host(nil)))
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Cannot merge the Java trust store") {
		t.Errorf("wrong password: %v", diags)
	}
}

func TestSplitJavaOptions(t *testing.T) {
	got := splitJavaOptions(` -Xmx1g  "-Da=b c" '-Dd=e f'	-Dg `)
	want := []string{"-Xmx1g", `"-Da=b c"`, `'-Dd=e f'`, "-Dg"}
	if !cmp.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if u := unquote(`"-Da=b c"`); u != "-Da=b c" {
		t.Errorf("unquote = %q", u)
	}
}
