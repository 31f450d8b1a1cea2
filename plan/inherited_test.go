package plan

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/runtimes"
)

// Every documented trust variable inherited from trustform's environment is
// decided in every scope: merged (files) or kept (directories, additional
// files) in append and system, replaced or cleared in override, and each
// decision is listed on the change. Before issue 13 most of them were
// passed through untouched, so an inherited CURL_CA_BUNDLE or
// AWS_CA_BUNDLE kept trusting whatever it named in override scope.
func TestEveryTrustVariableDecided(t *testing.T) {
	fh := newFakeHost(t)
	sys := "/etc/ssl/certs/ca-certificates.crt"
	fh.files[sys] = loadCert(t, "user-extra").PEM()
	hostEnv := map[string]string{}
	for _, tv := range runtimes.TrustVars() {
		switch tv.Class {
		case runtimes.VarDir:
			hostEnv[tv.Name] = "/etc/ssl/certs"
		default:
			hostEnv[tv.Name] = sys
		}
	}
	var rs = []string{"append", "override", "system"}
	cfg := testConfig(t)
	for _, s := range rs {
		cfg.Resources = append(cfg.Resources, res("go_app", s, withCollections("corp"), withScope(runtimes.Scope(s))))
	}
	p := mustBuild(t, input(cfg, fh.host(hostEnv)))
	for _, s := range rs {
		ch := change(t, p, "go_app."+s)
		env := ch.After.Env
		got := map[string]InheritedVar{}
		for _, iv := range ch.Inherited {
			got[iv.Name] = iv
		}
		bundle := filepath.Join(ch.After.TrustDir, "cert.pem")
		certs := filepath.Join(ch.After.TrustDir, "certs")
		for _, tv := range runtimes.TrustVars() {
			iv, ok := got[tv.Name]
			if !ok {
				t.Errorf("%s: inherited %s is not listed on the change", s, tv.Name)
				continue
			}
			if iv.From != FromEnvironment || iv.Value != hostEnv[tv.Name] {
				t.Errorf("%s: %s listed as %+v", s, tv.Name, iv)
			}
			v, set := env[tv.Name]
			var want, wantAction string
			switch {
			case s == "override" && tv.Class == runtimes.VarFile:
				want, wantAction = bundle, ActionReplaced
			case s == "override" && tv.Class == runtimes.VarDir:
				want, wantAction = certs, ActionReplaced
			case s == "override":
				want, wantAction = "", ActionCleared
			case tv.Class == runtimes.VarFile:
				want, wantAction = filepath.Join(ch.After.TrustDir, "merged-"+tv.Name+".pem"), ActionMerged
			case tv.Name == "SSL_CERT_DIR":
				want, wantAction = certs+":/etc/ssl/certs", ActionKeptAfterOurs
			default:
				// Kept: trustform does not set it; the process inherits it.
				want, wantAction = hostEnv[tv.Name], ActionKept
				if set {
					t.Errorf("%s: %s = %q set, want it left to inheritance", s, tv.Name, v)
				}
				v = hostEnv[tv.Name]
			}
			if v != want || iv.Action != wantAction || iv.Result != want {
				t.Errorf("%s: %s = %q (%s, result %q), want %q (%s)", s, tv.Name, v, iv.Action, iv.Result, want, wantAction)
			}
		}
	}
}

// Variables the resource sets in its own env are decided the same way and
// listed as coming from env; override replaces even those (issue 13: a
// user-set bundle must not widen override scope).
func TestOwnEnvTrustVariablesDecided(t *testing.T) {
	fh := newFakeHost(t)
	fh.files[testDir+"/corp.pem"] = loadCert(t, "user-extra").PEM()
	p := mustBuild(t, input(testConfig(t,
		res("executable", "a", withCollections("corp"), withEnv("SSL_CERT_FILE", "corp.pem", "AWS_CA_BUNDLE", "corp.pem")),
		res("executable", "o", withCollections("corp"), withScope(runtimes.ScopeOverride), withEnv("SSL_CERT_FILE", "corp.pem", "SSL_CERT_DIR", "/opt/d")),
	), fh.host(nil)))
	a := change(t, p, "executable.a").After
	// curl reads SSL_CERT_DIR before SSL_CERT_FILE, so the user's file
	// reaches curl merged through CURL_CA_BUNDLE.
	for _, name := range []string{"SSL_CERT_FILE", "AWS_CA_BUNDLE", "CURL_CA_BUNDLE"} {
		if got := a.Env[name]; !strings.Contains(got, "merged-") {
			t.Errorf("append: %s = %q, want a merged bundle", name, got)
		}
	}
	o := change(t, p, "executable.o")
	if got := o.After.Env["SSL_CERT_FILE"]; got != filepath.Join(o.After.TrustDir, "cert.pem") {
		t.Errorf("override: SSL_CERT_FILE = %q, want our bundle", got)
	}
	if got := o.After.Env["SSL_CERT_DIR"]; got != filepath.Join(o.After.TrustDir, "certs") {
		t.Errorf("override: SSL_CERT_DIR = %q, want our directory only", got)
	}
	var listed []string
	for _, iv := range o.Inherited {
		listed = append(listed, iv.Name+"="+iv.From+":"+iv.Action)
	}
	if want := "SSL_CERT_DIR=env:replaced SSL_CERT_FILE=env:replaced"; strings.Join(listed, " ") != want {
		t.Errorf("override decisions %q, want %q", strings.Join(listed, " "), want)
	}
}

// NODE_OPTIONS flags that pick another certificate store than the one
// override and system point Node at are refused at plan time: node would
// exit with "either --use-openssl-ca or --use-bundled-ca can be used, not
// both" right after apply said it started.
func TestNodeOptionsContradictingScopeRefused(t *testing.T) {
	for _, tt := range []struct {
		scope   runtimes.Scope
		options string
		refuse  bool
	}{
		{runtimes.ScopeOverride, "--use-bundled-ca", true},
		{runtimes.ScopeSystem, "--max-old-space-size=512 --use-system-ca", true},
		{runtimes.ScopeAppend, "--use-bundled-ca", false},
		{runtimes.ScopeOverride, "--max-old-space-size=512", false},
	} {
		_, diags := Build(input(testConfig(t,
			res("node_app", "web", withCollections("corp"), withScope(tt.scope), withEnv("NODE_OPTIONS", tt.options)),
		), newFakeHost(t).host(nil)))
		got := diags.HasErrors() && strings.Contains(diags.Error(), "NODE_OPTIONS contradicts the trust scope")
		if got != tt.refuse {
			t.Errorf("scope %s, NODE_OPTIONS=%q: refused = %v, want %v (%v)", tt.scope, tt.options, got, tt.refuse, diags)
		}
	}
}
