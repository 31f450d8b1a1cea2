package command

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/internal/certfetch"
	"github.com/trustform/trustform/internal/sysroots"
	"github.com/trustform/trustform/internal/trustcheck"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// exitNotTrusted is check's exit when some client would not trust the
// server, so a CI step can assert it (issue 17).
const exitNotTrusted = 2

func newCheckCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Tell whether a resource would trust a server, and why not",
		help: `
Usage: trustform [-chdir=DIR] check ADDR URL|HOST:PORT [-json]
       trustform [-chdir=DIR] check -all URL|HOST:PORT [-json]

  Connect to the server (directly, or through the HTTPS_PROXY of the
  resource's environment), read the chain it presents, and verify it the
  way the resource's runtime would: with the stores its final environment
  makes it read (the trust set of the plan, the system roots, variables
  inherited from your shell) and its rules (node and Python anchor only
  at a self-signed root; Go, curl and Java accept any certificate of the
  store). Print the verdict, its reason, and what to change.

  The configuration is planned as "trustform plan" does; nothing is
  started or written.

Flags:
  -all               Check every resource of the configuration, one line
                     each.
  -json              Print the verdicts as JSON.
  -timeout=D         Give up connecting after D (default 30s).
` + varFlagsHelp + `

Exit codes: 0 when trusted, 1 on a usage or configuration error, 2 when
some client of the resource (or of any resource, with -all) would not
trust the server.
`,
	}
	c.run = parsed(e, c, arguments.ParseCheck, runCheck)
	return c
}

func runCheck(e *runEnv, a *arguments.Check) int {
	target, err := certfetch.ParseTarget(a.Target)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	lock, err := e.lockShared(ctx, 0)
	if err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	r := e.makePlan(ctx, &arguments.Planning{Vars: a.Vars})
	lock.Unlock()
	if r.plan == nil {
		e.writeDiagnostics(r.diags, r.src)
		return exitError
	}
	var changes []*plan.Change
	var addrs []string
	for _, ch := range r.plan.Changes {
		if ch.After == nil {
			continue
		}
		addrs = append(addrs, ch.Address)
		if a.All || ch.Address == a.Address {
			changes = append(changes, ch)
		}
	}
	if len(changes) == 0 {
		if a.All {
			e.view.Errorf("the configuration has no resources to check")
			return exitError
		}
		e.view.Errorf("%s is not a resource of this configuration", a.Address)
		if len(addrs) > 0 {
			e.view.Hintf("resources: %s", strings.Join(addrs, ", "))
		}
		return exitError
	}

	// One connection: every resource of one machine reaches the server the
	// same way, unless a resource's own env names another proxy.
	base := environMap(e.environ)
	envOf := func(ch *plan.Change) map[string]string {
		env := map[string]string{}
		if ch.After.Kind != runtimes.KindContainer {
			for k, v := range base {
				env[k] = v
			}
		}
		for k, v := range ch.After.Env {
			env[k] = v
		}
		return env
	}
	fetched := map[string]*certfetch.Result{}
	now := e.now()
	var rep views.CheckReport
	view := views.NewCheck(e.view, a.JSON, a.All)
	rep.Target = target.Addr()
	rep.Trusted = true
	for _, ch := range changes {
		env := envOf(ch)
		proxy, err := certfetch.ProxyFor(target, func(k string) string { return env[k] })
		if err != nil {
			e.view.Errorf("%s: %v", ch.Address, err)
			return exitError
		}
		key := ""
		if proxy != nil {
			key = proxy.URL.String()
		}
		res := fetched[key]
		if res == nil {
			res, err = certfetch.Fetch(ctx, certfetch.Options{Target: target, Proxy: proxy, Timeout: a.Timeout})
			if err != nil {
				e.view.Errorf("%v", err)
				return exitError
			}
			fetched[key] = res
		}
		if rep.Chain == nil {
			if res.Proxy != nil {
				rep.Proxy = res.Proxy.URL.Redacted()
			}
			for _, c := range res.Chain {
				rep.Chain = append(rep.Chain, views.CheckChainCert{Subject: c.Subject.String(), Issuer: c.Issuer.String(), SHA256: views.Fingerprint(c), NotAfter: c.NotAfter.UTC()})
			}
		}
		cr := checkResource(r.plan, ch, env, res.Chain, target.Host, now)
		rep.Trusted = rep.Trusted && cr.Trusted
		rep.Resources = append(rep.Resources, cr)
		view.Header(res, now)
	}
	if !view.Report(rep) {
		return exitError
	}
	if !rep.Trusted {
		return exitNotTrusted
	}
	return exitOK
}

// checkResource builds the resource's clients from its planned environment
// and trust material and verifies the chain with each.
func checkResource(p *plan.Plan, ch *plan.Change, env map[string]string, chain []*x509.Certificate, host string, now time.Time) views.CheckedResource {
	spec := ch.After
	cr := views.CheckedResource{Address: ch.Address, Type: ch.Type, Scope: string(spec.Scope), TrustSet: spec.TrustSet, Trusted: true, Inherited: ch.Inherited}
	pf := newPlanFiles(p, spec)
	planned := map[string]bool{}
	for k := range spec.Env {
		planned[k] = true
	}
	files := trustcheck.Files{
		File: func(path string) ([]*x509.Certificate, error) {
			data, err := pf.read(pf.abs(path))
			if err != nil {
				return nil, err
			}
			return parseCerts(data), nil
		},
		Dir: func(dir string, hashedOnly bool) ([]*x509.Certificate, error) {
			return pf.dir(pf.abs(dir), hashedOnly)
		},
		System: func() ([]*x509.Certificate, error) {
			roots, err := sysroots.LoadWith(sysroots.Options{})
			var out []*x509.Certificate
			for _, r := range roots {
				out = append(out, r.X509)
			}
			return out, err
		},
		Java: func(path string) ([]*x509.Certificate, error) {
			if path == "" {
				var err error
				if path, err = sysroots.JavaCacertsPath(env, nil); err != nil {
					return nil, err
				}
			} else if data, err := pf.read(path); err == nil && pf.inPlan(path) {
				// Before apply the store exists only in the plan.
				tmp, err := os.CreateTemp("", "trustform-check-*.p12")
				if err != nil {
					return nil, err
				}
				defer os.Remove(tmp.Name())
				tmp.Write(data)
				tmp.Close()
				path = tmp.Name()
			}
			certs, err := sysroots.LoadJava(path, time.Time{})
			var out []*x509.Certificate
			for _, c := range certs {
				out = append(out, c.X509)
			}
			return out, err
		},
		DefaultFile: firstExisting(openSSLBundles()),
		DefaultDir:  firstExisting(sysroots.Dirs()),
		TrustDir:    spec.TrustDir,
		TrustSet:    spec.TrustSet,
		Scope:       string(spec.Scope),
	}
	in := trustcheck.Input{Chain: chain, Host: host, Now: now, SetName: spec.TrustSet,
		ScopeNone: spec.Scope == runtimes.ScopeNone || spec.TrustDir == ""}
	if spec.TrustDir != "" {
		if data, err := pf.read(filepath.Join(spec.TrustDir, "cert.pem")); err == nil {
			in.Set = parseCerts(data)
		}
	}
	tenv := trustcheck.Env{Vars: env, Plan: planned}
	for _, c := range trustcheck.Clients(ch.Type, spec.Argv, tenv, files) {
		res := trustcheck.Verify(in, c)
		cr.Trusted = cr.Trusted && res.Trusted
		cr.Results = append(cr.Results, res)
	}
	return cr
}

// planFiles reads trust material from the plan when it holds the path (a
// plan made before apply names files that do not exist yet), else from disk.
type planFiles struct {
	p       *plan.Plan
	workDir string
	byPath  map[string]state.File
}

func newPlanFiles(p *plan.Plan, spec *state.Spec) *planFiles {
	pf := &planFiles{p: p, workDir: spec.WorkingDir, byPath: map[string]state.File{}}
	for _, f := range spec.Files {
		pf.byPath[f.Path] = f
	}
	return pf
}

func (pf *planFiles) abs(path string) string {
	if filepath.IsAbs(path) || pf.workDir == "" {
		return path
	}
	return filepath.Join(pf.workDir, path)
}

func (pf *planFiles) inPlan(path string) bool { _, ok := pf.byPath[path]; return ok }

func (pf *planFiles) read(path string) ([]byte, error) {
	for range 8 {
		f, ok := pf.byPath[path]
		if !ok {
			break
		}
		if f.Link == "" {
			if data, ok := pf.p.Blobs[f.SHA256]; ok {
				return data, nil
			}
			break
		}
		path = filepath.Join(filepath.Dir(path), f.Link)
	}
	return os.ReadFile(path)
}

// dir returns the certificates of a directory: OpenSSL finds only the
// subject-hash names, Go reads every file.
func (pf *planFiles) dir(dir string, hashedOnly bool) ([]*x509.Certificate, error) {
	var names []string
	for path := range pf.byPath {
		if filepath.Dir(path) == dir {
			names = append(names, filepath.Base(path))
		}
	}
	if len(names) == 0 {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, ent := range ents {
			names = append(names, ent.Name())
		}
	}
	sort.Strings(names)
	var out []*x509.Certificate
	for _, n := range names {
		if hashedOnly && !isHashedName(n) {
			continue
		}
		data, err := pf.read(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		out = append(out, parseCerts(data)...)
	}
	return out, nil
}

// parseCerts returns every certificate of PEM data (or of DER), skipping
// blocks that do not parse, as OpenSSL's readers of bundles do not.
func parseCerts(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if c, err := x509.ParseCertificate(data); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// openSSLBundles are where distributions' OpenSSL builds find the default
// bundle (OPENSSLDIR/cert.pem links to one of them), most common first.
func openSSLBundles() []string {
	return []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
	}
}

func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// isHashedName reports whether n is an OpenSSL subject-hash name
// (8 hex digits, a dot, a number), the only names OpenSSL looks up in a
// certificate directory.
func isHashedName(n string) bool {
	h, num, ok := strings.Cut(n, ".")
	if !ok || len(h) != 8 || num == "" {
		return false
	}
	for _, r := range h {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
