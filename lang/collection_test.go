package lang

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	encpem "encoding/pem"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func fingerprint(t *testing.T, pemText string) string {
	t.Helper()
	b, _ := encpem.Decode([]byte(pemText))
	if b == nil {
		t.Fatal("bad test PEM")
	}
	sum := sha256.Sum256(b.Bytes)
	return hex.EncodeToString(sum[:])
}

func TestCollections(t *testing.T) {
	a, b, c := makeCA(t, "A"), makeCA(t, "B"), makeCA(t, "C")
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl": `certificate_authority_collection "corp" {
  # a and b in one string, CRLF endings; a again through files.
  certificates = [file("bundle.pem")]
  files        = ["extra/*.pem"]
}

certificate_authority_collection "other" {
  certificates = [file("c.pem")]
}

resource "node_app" "web" {
  script                            = "web.js"
  certificate_authority_collections = [certificate_authority_collection.other, certificate_authority_collection.corp, certificate_authority_collection.other]
  env = {
    FIRST = certificate_authority_collection.corp.fingerprints[0]
    COUNT = tostring(length(certificate_authority_collection.corp.certificates))
    PEM   = certificate_authority_collection.other.certificates[0]
  }
}

resource "node_app" "dynamic" {
  script                            = "d.js"
  certificate_authority_collections = concat([], true ? [certificate_authority_collection.corp] : [])
}
`,
		"bundle.pem":      strings.ReplaceAll("text before\n"+a+b, "\n", "\r\n"),
		"extra/again.pem": a,
		"c.pem":           "\ufeff" + c,
	})
	cfg, diags := Load(dir, testOptions())
	if diags.HasErrors() {
		t.Fatal(diagText(diags))
	}
	corp := cfg.Collections["corp"]
	if corp == nil || len(corp.Certificates) != 2 {
		t.Fatalf("corp collection %+v", corp)
	}
	if corp.Certificates[0].SHA256 != fingerprint(t, a) || corp.Certificates[1].SHA256 != fingerprint(t, b) {
		t.Errorf("order or dedup wrong")
	}
	if _, err := x509.ParseCertificate(corp.Certificates[0].DER); err != nil {
		t.Errorf("DER: %v", err)
	}
	if corp.Certificates[0].Source != "bundle.pem" {
		t.Errorf("source %q, want the file() path", corp.Certificates[0].Source)
	}
	web := resource(t, cfg, "node_app.web")
	if !reflect.DeepEqual(web.Collections, []string{"other", "corp"}) {
		t.Errorf("collections %v", web.Collections)
	}
	if web.Env["FIRST"] != fingerprint(t, a) || web.Env["COUNT"] != "2" {
		t.Errorf("env %v", web.Env)
	}
	if pem := web.Env["PEM"]; strings.Contains(pem, "\r") || strings.HasPrefix(pem, "\ufeff") || !strings.HasPrefix(pem, "-----BEGIN CERTIFICATE-----\n") {
		t.Errorf("certificates not normalised: %q", pem)
	}
	if !reflect.DeepEqual(web.DependsOn, []string(nil)) && len(web.DependsOn) != 0 {
		t.Errorf("collections are not resources: %v", web.DependsOn)
	}
	if d := resource(t, cfg, "node_app.dynamic"); !reflect.DeepEqual(d.Collections, []string{"corp"}) {
		t.Errorf("dynamic collections %v", d.Collections)
	}
}

func TestCollectionWarningsAndEmptyAfterExpiry(t *testing.T) {
	ca := makeCA(t, "ok")
	dir := writeFiles(t, map[string]string{
		"main.trust.hcl": `certificate_authority_collection "c" {
  files = ["ca.pem"]
}
`,
		"ca.pem": ca,
	})
	opts := testOptions()
	opts.Now = testNow.AddDate(5, 0, 0) // after NotAfter
	_, diags := Load(dir, opts)
	var warned, empty bool
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning && strings.Contains(d.Summary, "ca.pem") {
			warned = true
			if d.Subject == nil || d.Subject.Start.Line != 2 {
				t.Errorf("warning subject %v", d.Subject)
			}
		}
		if d.Severity == hcl.DiagError && d.Summary == "Collection has no certificates" {
			empty = true
		}
	}
	if !warned || !empty {
		t.Errorf("want an expiry warning and a no-certificates error:\n%s", diagText(diags))
	}
}

// A collection's files are read side by side; what they hold, and what is
// wrong with them, still comes in the order of their names.
func TestCollectionFilesKeepTheirOrder(t *testing.T) {
	files := map[string]string{
		"main.trust.hcl": "certificate_authority_collection \"c\" {\n  files = [\"cas/*.pem\"]\n}\n",
	}
	var want []string
	for i := range 40 {
		name := fmt.Sprintf("cas/%02d.pem", i)
		switch i % 10 {
		case 3:
			files[name] = "no certificate here\n"
		case 7:
			files[name] = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
		default:
			ca := makeCA(t, name)
			files[name] = ca
			want = append(want, fingerprint(t, ca))
		}
	}
	cfg, diags := load(t, files)
	var named []string
	for _, d := range diags {
		if f, _, ok := strings.Cut(d.Summary, ".pem"); ok {
			named = append(named, f[strings.LastIndex(f, "cas/"):]+".pem")
		}
	}
	var wantNamed []string
	for i := range 40 {
		if i%10 == 3 || i%10 == 7 {
			wantNamed = append(wantNamed, fmt.Sprintf("cas/%02d.pem", i))
		}
	}
	if !reflect.DeepEqual(named, wantNamed) {
		t.Errorf("files named by diagnostics, in order:\n got %v\nwant %v\n%s", named, wantNamed, diagText(diags))
	}
	if diags.HasErrors() {
		// One unreadable entry fails the collection; the order of the
		// readable ones is checked without them.
		for i := range 40 {
			if i%10 == 3 || i%10 == 7 {
				delete(files, fmt.Sprintf("cas/%02d.pem", i))
			}
		}
		cfg = mustLoad(t, files)
	}
	var got []string
	for _, c := range cfg.Collections["c"].Certificates {
		got = append(got, c.SHA256)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("certificates not in file order")
	}
}

func TestCollectionParsedOnce(t *testing.T) {
	// One collection shared by many resources yields one Collection with
	// the same certificate pointers, whatever the number of users.
	files := map[string]string{"ca.pem": makeCA(t, "x")}
	src := "certificate_authority_collection \"c\" {\n  files = [\"ca.pem\"]\n}\n"
	for _, n := range []string{"a", "b", "c"} {
		src += "resource \"node_app\" \"" + n + "\" {\n  script = \"x.js\"\n  certificate_authority_collections = [certificate_authority_collection.c]\n}\n"
	}
	files["main.trust.hcl"] = src
	cfg := mustLoad(t, files)
	if len(cfg.Collections) != 1 || len(cfg.Collections["c"].Certificates) != 1 {
		t.Fatalf("collections %+v", cfg.Collections)
	}
	for _, r := range cfg.Resources {
		if !reflect.DeepEqual(r.Collections, []string{"c"}) {
			t.Errorf("%s collections %v", r.Address, r.Collections)
		}
	}
}

func TestPrivateKeyNeverInDiagnostics(t *testing.T) {
	key := privateKeyPEM(t)
	_, diags := load(t, map[string]string{
		"main.trust.hcl": "certificate_authority_collection \"c\" {\n  certificates = [file(\"k.pem\")]\n}\n",
		"k.pem":          key,
	})
	if !diags.HasErrors() {
		t.Fatal("no error")
	}
	body := strings.Split(strings.TrimSpace(key), "\n")[1]
	if strings.Contains(diagText(diags), body[:20]) {
		t.Fatalf("key bytes leaked into diagnostics:\n%s", diagText(diags))
	}
}
