package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// PendingTrust is how to finish a resource's trust files once the
// development CA exists. Certificates are referred to by the blob key of
// their normalised PEM, so the plan stays self-contained.
type PendingTrust struct {
	// Certs lists the resource's certificates in bundle order; the empty
	// string marks where the development CA goes. Sources gives each one's
	// source, as in state.Certificate.
	Certs   []string `json:"certs"`
	Sources []string `json:"sources"`
	// JavaStore asks for truststore.p12; JavaExtra are the JDK default
	// roots added to it (append and system scope).
	JavaStore bool     `json:"java_store,omitempty"`
	JavaExtra []string `json:"java_extra,omitempty"`
	// Merged maps a variable the user had set to a bundle file to the
	// certificates of that file, merged with ours into merged-VAR.pem.
	Merged map[string][]string `json:"merged,omitempty"`
}

// recipe is everything that decides a resource's trust files.
type recipe struct {
	certs []trustCert
	// list, when set, is the shared list certs came from; it caches the
	// material.
	list      *certList
	javaStore bool
	javaExtra []*pem.Certificate
	// merged maps variable names to the user's certificates.
	merged map[string][]*pem.Certificate
}

// pending records rc in a serialisable form, with the development CA
// missing at position at.
func (m *materials) pending(rc *recipe, at int) *PendingTrust {
	pt := &PendingTrust{JavaStore: rc.javaStore}
	for i, c := range rc.certs {
		if i == at {
			pt.Certs = append(pt.Certs, "")
			pt.Sources = append(pt.Sources, sourceDevcert+".trustform")
		}
		pt.Certs = append(pt.Certs, m.pemBlob(c.cert))
		pt.Sources = append(pt.Sources, c.source)
	}
	if at >= len(rc.certs) {
		pt.Certs = append(pt.Certs, "")
		pt.Sources = append(pt.Sources, sourceDevcert+".trustform")
	}
	for _, c := range rc.javaExtra {
		pt.JavaExtra = append(pt.JavaExtra, m.pemBlob(c))
	}
	for name, certs := range rc.merged {
		if pt.Merged == nil {
			pt.Merged = map[string][]string{}
		}
		keys := make([]string, len(certs))
		for i, c := range certs {
			keys[i] = m.pemBlob(c)
		}
		pt.Merged[name] = keys
	}
	return pt
}

// resourceSpec resolves one resource into what it is launched with.
func (p *planner) resourceSpec(r *lang.Resource) (*state.Spec, *PendingTrust, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	rt := r.Runtime
	if rt == nil {
		rt = runtimes.Lookup(r.Type)
	}
	if rt == nil {
		return nil, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown resource type",
			Detail:   fmt.Sprintf("trustform does not know resource type %q; known types: %s.", r.Type, strings.Join(runtimes.Types(), ", ")),
			Subject:  rangePtr(r.DeclRange),
		}}
	}
	if r.Trust.Scope == "" {
		// Built without lang (tests): lang's one decision, made here.
		if r.Scope == "" {
			r.Scope = rt.DefaultScopeFor(p.in.Host.GOOS)
		}
		r.ResolveTrust(p.cfg.Dir, p.cfg.Collections)
	}
	// The scope and whether trust applies are lang's decision (r.Scope,
	// r.Trust); the planner only resolves certificates and variables.
	scope := r.Scope
	workDir := r.WorkingDir
	if workDir == "" {
		workDir = p.cfg.Dir
	}
	container := rt.Kind == runtimes.KindContainer

	spec := &state.Spec{
		Kind:        rt.Kind,
		WorkingDir:  workDir,
		Scope:       scope,
		StopTimeout: r.StopTimeout,
		StartPeriod: r.StartPeriod,
		DependsOn:   append([]string(nil), r.DependsOn...),
		Watch:       append([]string(nil), r.Watch...),
	}
	if r.Restart != lang.RestartNo {
		// "no" is the default, left out so that states and plans of
		// resources that do not set it stay as they were.
		spec.Restart = r.Restart
	}
	if !container {
		spec.LogPath = layout.LogPath(p.cfg.Dir, r.Address)
	}
	if r.ReadyWhen != nil {
		spec.ReadyWhen = &state.ReadyWhen{TCP: r.ReadyWhen.TCP, HTTP: r.ReadyWhen.HTTP, Timeout: r.ReadyWhen.Timeout}
	}

	// Certificates, in SPEC 5 order: collections as listed, developer
	// certificates, then (system scope, host processes) system roots. The
	// list depends only on those three choices, so resources making the
	// same ones share it (and its material) without recomputing.
	rc := &recipe{}
	devcertAt := -1
	if r.Trust.Scope != runtimes.ScopeNone {
		cl, d := p.certList(r, scope == runtimes.ScopeSystem && !container)
		diags = append(diags, d...)
		if cl != nil {
			rc.certs, devcertAt, rc.list = cl.certs, cl.devcertAt, cl
		}
	}
	pending := devcertAt >= 0
	hasTrust := r.Trust.Scope != runtimes.ScopeNone

	trustDir := layout.ResourceDir(p.cfg.Dir, r.Address)
	// Room for the trust variables the rules set, so the map is not
	// grown three times per resource.
	envSize := len(r.Env) + 4
	if r.Trust.Scope != runtimes.ScopeNone {
		envSize += len(p.trustVars)
	}
	env := make(map[string]string, envSize)
	for k, v := range r.Env {
		env[k] = v
	}
	args := append([]string(nil), r.Args...)

	var share *envShare
	if hasTrust {
		spec.TrustDir = trustDir
		if container {
			p.containerTrustEnv(r, scope, env, spec)
		} else {
			var d hcl.Diagnostics
			share, d = p.sharedTrustEnv(r, rt, scope, workDir, trustDir, env, rc)
			diags = append(diags, d...)
		}
		if tc := r.TrustConfiguration; tc != nil {
			for k, v := range tc.Environment {
				env[k] = v
			}
			args = append(args, tc.Arguments...)
		}
	}
	if diags.HasErrors() {
		return nil, nil, diags
	}

	var set *builtSet
	if hasTrust {
		if share != nil && share.set != nil {
			set = share.set
		} else {
			var err error
			set, err = p.trustSet(rc, devcertAt)
			if err != nil {
				return nil, nil, append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Cannot build trust material",
					Detail:   fmt.Sprintf("%s: %v", r.Address, err),
					Subject:  rangePtr(r.DeclRange),
				})
			}
			if share != nil {
				share.set = set
			}
		}
		// Every resource of the set shares its directory, files and
		// certificate summaries; the placeholder paths lang and the rules
		// above used are rewritten into the directory once all resources
		// are planned (another resource's arguments may name them too).
		spec.TrustDir = set.set.Dir
		spec.Files = set.set.Files
		spec.Certificates = set.set.Certificates
		p.reloc.to[filepath.Base(trustDir)] = set.set.Dir
	}
	if len(env) > 0 {
		spec.Env = env
	}
	sensEnv := append([]string(nil), r.SensitiveEnv...)
	sensArgs := append([]int(nil), r.SensitiveArgs...)
	if tc := r.TrustConfiguration; tc != nil && hasTrust {
		// The configuration block's values land in env (overriding single
		// variables) and after the resource's own args.
		sensEnv = append(sensEnv, tc.SensitiveEnvironment...)
		for _, i := range tc.SensitiveArguments {
			sensArgs = append(sensArgs, len(r.Args)+i)
		}
	}
	seen := map[string]bool{}
	for _, k := range sensEnv {
		if _, ok := env[k]; ok && !seen[k] {
			seen[k] = true
			spec.SensitiveEnv = append(spec.SensitiveEnv, k)
		}
	}
	sort.Strings(spec.SensitiveEnv)

	if container {
		if len(r.SensitiveAttrs) > 0 {
			// Container settings other than args and env have no masked
			// form in plans; refusing is better than printing a secret.
			return nil, nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Sensitive value in a container setting",
				Detail: fmt.Sprintf("%s: %s comes from a sensitive value, which plans would have to print. Pass secrets to containers through env or args, which plans mask.",
					r.Address, strings.Join(r.SensitiveAttrs, ", ")),
				Subject: rangePtr(r.DeclRange),
			})
		}
		spec.Container = p.containerLaunch(r, args, spec)
		spec.SensitiveArgs = sensArgs
	} else {
		spec.Argv = argv(p.attrsOf(r), rt, args)
		offset := len(spec.Argv) - len(args)
		if len(r.SensitiveAttrs) > 0 {
			// A sensitive command, script, module, jar... is somewhere in
			// the head of argv: mask all of it rather than guess which.
			for i := 0; i < offset; i++ {
				spec.SensitiveArgs = append(spec.SensitiveArgs, i)
			}
		}
		for _, i := range sensArgs {
			spec.SensitiveArgs = append(spec.SensitiveArgs, i+offset)
		}
	}
	var pt *PendingTrust
	if pending && hasTrust {
		if set.pending == nil {
			set.pending = p.mat.pending(rc, devcertAt)
		}
		pt = set.pending
	}
	return spec, pt, diags
}

// certList is the resolved, de-duplicated certificate list of one
// combination of collections, developer trust and system roots.
type certList struct {
	certs     []trustCert
	devcertAt int // where the pending development CA goes; -1 if none
	mat       *material
}

// certList resolves (or returns the cached) certificate list of r.
func (p *planner) certList(r *lang.Resource, withSystem bool) (*certList, hcl.Diagnostics) {
	key := strings.Join(r.Collections, "\x00") + "|" + strconv.FormatBool(r.DeveloperCertificateTrust) + "|" + strconv.FormatBool(withSystem)
	if cl, ok := p.lists[key]; ok {
		return cl, nil
	}
	var diags hcl.Diagnostics
	cl := &certList{devcertAt: -1}
	seen := map[string]bool{}
	add := func(c *pem.Certificate, source string) {
		if c == nil || seen[c.SHA256] {
			return
		}
		seen[c.SHA256] = true
		cl.certs = append(cl.certs, trustCert{cert: c, source: source})
	}
	for _, name := range r.Collections {
		col := p.cfg.Collections[name]
		if col == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown certificate authority collection",
				Detail:   fmt.Sprintf("%s refers to certificate_authority_collection %q, which is not declared.", r.Address, name),
				Subject:  rangePtr(r.DeclRange),
			})
			continue
		}
		for _, c := range col.Certificates {
			add(c, "collection."+name)
		}
	}
	if r.DeveloperCertificateTrust {
		if p.in.Devcert.CA != nil {
			add(p.in.Devcert.CA, sourceDevcert+".trustform")
		} else {
			cl.devcertAt = len(cl.certs)
		}
		for _, f := range p.in.Devcert.Found {
			add(f.Cert, sourceDevcert+"."+f.Kind)
		}
	}
	if withSystem {
		roots, err := p.systemRoots()
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read the system root certificates",
				Detail:   fmt.Sprintf("%s uses certificate_trust_scope \"system\", which needs the system roots: %v. Fix the system trust store, or use scope \"append\" or \"override\".", r.Address, err),
				Subject:  rangePtr(r.DeclRange),
			})
		}
		for _, c := range roots {
			add(c, sourceSystem)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	if p.lists == nil {
		p.lists = map[string]*certList{}
	}
	p.lists[key] = cl
	p.warnUnanchored(r, cl.certs)
	return cl, diags
}

// warnUnanchored warns, once per certificate, about a CA in a trust set
// whose issuer is not in the set and that is not self-signed: OpenSSL
// without partial-chain verification (Node, Python before 3.13, Ruby, PHP)
// rejects it as an anchor with "unable to get issuer certificate", while
// curl (which sets partial chains), Go and Java accept it.
func (p *planner) warnUnanchored(r *lang.Resource, certs []trustCert) {
	subjects := make(map[string]bool, len(certs))
	for _, c := range certs {
		subjects[string(c.cert.X509.RawSubject)] = true
	}
	for _, c := range certs {
		x := c.cert.X509
		if !x.BasicConstraintsValid || !x.IsCA || bytes.Equal(x.RawIssuer, x.RawSubject) || subjects[string(x.RawIssuer)] {
			continue
		}
		if p.unanchored[c.cert.SHA256] {
			continue
		}
		if p.unanchored == nil {
			p.unanchored = map[string]bool{}
		}
		p.unanchored[c.cert.SHA256] = true
		p.warn(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Intermediate CA without its issuer",
			Detail: fmt.Sprintf("%s trusts %q (from %s), a CA issued by %q, which is not in its trust set. Node.js, Python (before 3.13), Ruby and PHP will not accept it as a trust anchor and fail with \"unable to get issuer certificate\"; curl, Go and Java accept it. Add the issuing root CA to the collection.",
				r.Address, pem.Label(x), c.source, x.Issuer.String()),
			Subject: rangePtr(r.DeclRange),
		})
	}
}

// inherited is the value a process would get for name without trustform:
// its own env, else trustform's environment. from says which ("env" or
// "environment"); an empty value counts as unset.
func (p *planner) inherited(r *lang.Resource, name string) (value, from string, ok bool) {
	if v, set := r.Env[name]; set {
		return v, FromEnv, v != ""
	}
	v, set := p.in.Host.Environ[name]
	return v, FromEnvironment, set && v != ""
}

// inheritedCount is how many documented trust variables r inherits, from
// its env or trustform's environment.
func (p *planner) inheritedCount(r *lang.Resource) int {
	n := 0
	for _, tv := range p.trustVars {
		if _, _, ok := p.inherited(r, tv.Name); ok {
			n++
		}
	}
	return n
}

func (p *planner) pathSep() string {
	if p.in.Host.GOOS == "windows" {
		return ";"
	}
	return ":"
}

// processTrustEnv applies the common and per-runtime rules of a scope, then
// decides every other documented trust variable the process inherits
// (runtimes.TrustVars), so that nothing inherited or set in env makes it
// trust more or less than its scope says. Each inherited value and what
// was done with it is returned for the plan.
func (p *planner) processTrustEnv(r *lang.Resource, rt *runtimes.Runtime, scope runtimes.Scope, workDir, trustDir string, env map[string]string, rc *recipe) ([]InheritedVar, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if p.trustVars == nil {
		p.trustVars = runtimes.TrustVars() // a planner built by a test
	}
	// Sized for the usual case, where each inherited trust variable is
	// decided once: a plan holds one such list per resource.
	var decided []InheritedVar
	if n := p.inheritedCount(r); n > 0 {
		decided = make([]InheritedVar, 0, n)
	}
	bundle, certsDir := r.Trust.BundlePath, r.Trust.DirectoriesPath
	common, own := runtimes.CommonEnv(scope), rt.Env[scope]
	rules := make([]runtimes.EnvRule, 0, len(common)+len(own))
	rules = append(append(rules, common...), own...)
	// handled holds the few names already decided; a list is cheaper
	// than a map for a dozen entries, once per resource.
	handled := make([]string, 0, len(rules)+4)
	note := func(name, from, value, action string) {
		decided = append(decided, InheritedVar{Name: name, From: from, Value: value, Action: action, Result: env[name]})
	}
	_ = note
	// merge points name at our bundle merged with the user's file.
	merge := func(name, file string) string {
		user, d := p.readUserBundle(r, name, file, workDir)
		diags = append(diags, d...)
		if rc.merged == nil {
			rc.merged = map[string][]*pem.Certificate{}
		}
		rc.merged[name] = user
		// trustDir is clean and name a variable name: no Join needed.
		return trustDir + string(filepath.Separator) + mergedPrefix + name + ".pem"
	}
	for _, rule := range rules {
		src := rule.Name
		prev, from, had := p.inherited(r, rule.Name)
		if !had && rule.AlsoFrom != "" {
			src = rule.AlsoFrom
			prev, from, had = p.inherited(r, rule.AlsoFrom)
		}
		if rule.IfInherited && !had {
			continue
		}
		handled = append(handled, rule.Name)
		var val string
		stripped := false
		switch rule.Value {
		case runtimes.ValueBundle:
			val = bundle
		case runtimes.ValueCertsDir, runtimes.ValueCertDirs:
			val = certsDir
		case runtimes.ValueLiteral:
			val = rule.Literal
		case runtimes.ValueJavaTrustStore:
			val = javaOptions(filepath.Join(trustDir, TrustStoreName))
			rc.javaStore = true
			jt, jd, d := p.javaUserTrust(r, scope, workDir, filepath.Join(trustDir, TrustStoreName))
			diags = append(diags, d...)
			decided = append(decided, jd...)
			if jt != nil {
				if rest, ok := jt.options[rule.Name]; ok {
					// The user's trust store options are taken out, so
					// ours is the one the JVM reads.
					prev, stripped = rest, true
				}
				for name, rest := range jt.options {
					if name != rule.Name {
						env[name] = rest
						handled = append(handled, name)
					}
				}
				if jt.jvmArgs != nil {
					p.setJvmArgs(r.Address, jt.jvmArgs)
				}
			}
			if jt != nil && jt.store != nil {
				// The user's store replaces the JDK's default one, as
				// it did for the JVM without trustform.
				rc.javaExtra = jt.store.Certificates
			} else if scope != runtimes.ScopeOverride {
				extra, err := p.javaRoots()
				if err != nil {
					p.warn(&hcl.Diagnostic{
						Severity: hcl.DiagWarning,
						Summary:  "Java default roots not included",
						Detail:   fmt.Sprintf("%s: reading the JDK's default trusted certificates failed (%v), so its trust store holds only trustform's certificates.", r.Address, err),
						Subject:  rangePtr(r.DeclRange),
					})
				}
				rc.javaExtra = extra
			}
		}
		action := ""
		switch rule.Merge {
		case runtimes.MergeReplace:
			if uv, set := r.Env[rule.Name]; set && uv != val {
				p.warn(&hcl.Diagnostic{
					Severity: hcl.DiagWarning,
					Summary:  "Certificate trust replaces an environment variable",
					Detail:   fmt.Sprintf("%s sets %s in env, but certificate_trust_scope %q sets it to %s. Set it in certificate_trust_configuration.environment to keep your value, or use scope \"none\".", r.Address, rule.Name, scope, val),
					Subject:  rangePtr(r.DeclRange),
				})
			}
			action = ActionReplaced
		case runtimes.MergePathList:
			// Override trusts only what the configuration names: an
			// inherited directory is dropped. append and system keep it
			// after ours; append falls back to the system directories.
			tail := ""
			if had && scope != runtimes.ScopeOverride {
				tail, action = prev, ActionKeptAfterOurs
			} else if had {
				action = ActionReplaced
			}
			if rule.Value == runtimes.ValueCertDirs && tail == "" {
				tail = strings.Join(p.in.Host.SystemCertDirs, p.pathSep())
			}
			if tail != "" {
				val += p.pathSep() + tail
			}
		case runtimes.MergeSpaceList:
			for _, flag := range rule.Refuse {
				if slices.Contains(strings.Fields(prev), flag) {
					where := "trustform's environment"
					if from == FromEnv {
						where = "its env"
					}
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  rule.Name + " contradicts the trust scope",
						Detail: fmt.Sprintf("%s gets %s=%q from %s, but certificate_trust_scope %q adds %s, so that the process trusts trustform's bundle; %s selects another certificate store and the process would not start. Remove %s from %s, or use scope \"append\".",
							r.Address, rule.Name, prev, where, scope, val, flag, flag, rule.Name),
						Subject: rangePtr(r.DeclRange),
					})
				}
			}
			val = mergeSpaceList(prev, val)
			action = ActionKept
			if stripped {
				action = ActionReplaced
			}
		case runtimes.MergeBundle:
			switch {
			case had && scope == runtimes.ScopeOverride:
				action = ActionReplaced
			case had:
				val, action = merge(rule.Name, prev), ActionMerged
			}
		}
		env[rule.Name] = val
		if had && action != "" {
			if stripped {
				prev, _, _ = p.inherited(r, rule.Name)
				prev = maskJavaPassword(prev)
			}
			iv := InheritedVar{Name: src, From: from, Value: prev, Action: action, Result: val}
			if src != rule.Name {
				iv.Into = rule.Name
			}
			decided = append(decided, iv)
		}
	}
	for _, tv := range p.trustVars {
		if slices.Contains(handled, tv.Name) {
			continue
		}
		prev, from, had := p.inherited(r, tv.Name)
		if !had {
			continue
		}
		switch {
		case tv.Class == runtimes.VarFile && scope == runtimes.ScopeOverride:
			env[tv.Name] = bundle
			note(tv.Name, from, prev, ActionReplaced)
		case tv.Class == runtimes.VarFile:
			env[tv.Name] = merge(tv.Name, prev)
			note(tv.Name, from, prev, ActionMerged)
		case tv.Class == runtimes.VarDir && scope == runtimes.ScopeOverride:
			env[tv.Name] = certsDir
			note(tv.Name, from, prev, ActionReplaced)
		case tv.Class == runtimes.VarExtra && scope == runtimes.ScopeOverride:
			// The client would add this file to the store we give it.
			env[tv.Name] = ""
			note(tv.Name, from, prev, ActionCleared)
		default:
			// A directory or an additional file in append or system scope
			// adds to what the client trusts, as the scope allows.
			decided = append(decided, InheritedVar{Name: tv.Name, From: from, Value: prev, Action: ActionKept, Result: prev})
		}
	}
	return decided, diags
}

// readUserBundle reads the file a user pointed a bundle variable at.
func (p *planner) readUserBundle(r *lang.Resource, name, path, workDir string) ([]*pem.Certificate, hcl.Diagnostics) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(workDir, path)
	}
	fail := func(why string) hcl.Diagnostics {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot merge " + name,
			Detail: fmt.Sprintf("%s gets %s from its env or trustform's environment, so trustform must merge %s with its own certificates, but %s. Fix or unset %s.",
				r.Address, name, path, why, name),
			Subject: rangePtr(r.DeclRange),
		}}
	}
	if p.in.Host.ReadFile == nil {
		return nil, fail("this build of trustform cannot read files while planning")
	}
	ub, ok := p.userBundles[path]
	if !ok {
		// One read and parse per file: the same system bundle is often
		// named by NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE and more. The
		// caller may have had it read while the configuration loaded.
		var bf *BundleFile
		if pre, found := p.in.Prefetched.bundle(path); found {
			ub, bf = pre.ub, pre.bf
		} else {
			ub, bf = readBundle(p.in.Host.ReadFile, path, p.in.Now)
		}
		if bf != nil {
			p.plan.Bundles = append(p.plan.Bundles, *bf)
		}
		if p.userBundles == nil {
			p.userBundles = map[string]userBundle{}
		}
		p.userBundles[path] = ub
	}
	if ub.err != "" {
		return nil, fail(ub.err)
	}
	return ub.certs, nil
}

// userBundle is a user-named bundle file, parsed once per plan.
type userBundle struct {
	certs []*pem.Certificate
	err   string
}

// readBundle reads a bundle the user's environment names. Warnings
// (expired or non-CA entries) are dropped on purpose: such a file is usually
// the distribution's bundle, whose few expired roots OpenSSL skips too, and
// the user did not ask trustform to judge it. Errors still stop the plan.
//
// The BundleFile, recorded in the plan when the file is first used, is nil
// when the file cannot be used.
func readBundle(read func(string) ([]byte, error), path string, now time.Time) (userBundle, *BundleFile) {
	data, err := read(path)
	if err != nil {
		return userBundle{err: fmt.Sprintf("it cannot be read: %v", err)}, nil
	}
	certs, problems := pem.Parse(data, path, pem.Options{Now: now})
	var errs []string
	for _, pr := range problems {
		if pr.Severity == pem.Error {
			errs = append(errs, problemText(pr))
		}
	}
	if len(errs) > 0 {
		return userBundle{err: "it holds invalid input: " + strings.Join(errs, "; ")}, nil
	}
	// A saved plan refers to the file instead of holding its certificates.
	sum := sha256.Sum256(data)
	bf := BundleFile{Path: path, SHA256: hex.EncodeToString(sum[:]), Keys: make([]string, len(certs))}
	for i, c := range certs {
		k := sha256.Sum256(c.PEM())
		bf.Keys[i] = hex.EncodeToString(k[:])
	}
	return userBundle{certs: certs}, &bf
}

func problemText(pr pem.Problem) string {
	s := pr.Source
	if pr.Line > 0 {
		s = fmt.Sprintf("%s:%d", s, pr.Line)
	}
	s += ": " + pr.Summary
	if pr.Detail != "" {
		s += ": " + pr.Detail
	}
	return s
}

// mergeSpaceList appends val to a space-separated list unless present.
func mergeSpaceList(prev, val string) string {
	prev = strings.TrimSpace(prev)
	if prev == "" {
		return val
	}
	if strings.Contains(" "+prev+" ", " "+val+" ") {
		return prev
	}
	return prev + " " + val
}

// javaOptions names the trust store; JAVA_TOOL_OPTIONS accepts quoting.
func javaOptions(store string) string {
	opt := "-Djavax.net.ssl.trustStore=" + store
	if strings.ContainsAny(store, " \t") {
		opt = `"` + opt + `"`
	}
	return opt + " -Djavax.net.ssl.trustStoreType=PKCS12"
}

// containerTrustEnv sets the in-container variables of SPEC 4.2. Only the
// resource's own env is inherited: a container does not see trustform's
// environment.
func (p *planner) containerTrustEnv(r *lang.Resource, scope runtimes.Scope, env map[string]string, spec *state.Spec) {
	dest := containerDest(r)
	certsDir := layout.ContainerCertsDir(dest)
	switch scope {
	case runtimes.ScopeAppend:
		tail := strings.Join(containerDirs(r), ":")
		if v, ok := r.Env["SSL_CERT_DIR"]; ok && v != "" {
			tail = v
		}
		if tail != "" {
			certsDir += ":" + tail
		}
		env["SSL_CERT_DIR"] = certsDir
	case runtimes.ScopeOverride, runtimes.ScopeSystem:
		// A directory list the user wrote for this container is kept after
		// ours, as for host processes. System scope keeps the image's own
		// directories too: it trusts the image's roots plus ours.
		if v, ok := r.Env["SSL_CERT_DIR"]; ok && v != "" {
			certsDir += ":" + v
		} else if dirs := containerDirs(r); scope == runtimes.ScopeSystem && len(dirs) > 0 {
			certsDir += ":" + strings.Join(dirs, ":")
		}
		env["SSL_CERT_DIR"] = certsDir
		bundle := layout.ContainerBundlePath(dest)
		// A bundle named by the user lives inside the image, which the
		// planner cannot read, so it cannot be merged: say so rather than
		// replace it silently.
		if v, ok := r.Env["SSL_CERT_FILE"]; ok && v != bundle {
			p.warn(&hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Certificate trust replaces an environment variable",
				Detail: fmt.Sprintf("%s sets SSL_CERT_FILE=%s in env, but certificate_trust_scope %q points it at %s. "+
					"A file inside the image cannot be merged at plan time: add its path to container_certificate_paths.default_certificate_bundle_paths "+
					"so it is overwritten with the bundle (merged with the image's own in system scope), or set SSL_CERT_FILE in certificate_trust_configuration.environment to keep your value.",
					r.Address, v, scope, bundle),
				Subject: rangePtr(r.DeclRange),
			})
		}
		env["SSL_CERT_FILE"] = bundle
	}
}

func containerDest(r *lang.Resource) string {
	if r.ContainerPaths.Destination != "" {
		return r.ContainerPaths.Destination
	}
	return runtimes.DefaultContainerDestination
}

func containerDirs(r *lang.Resource) []string {
	if r.ContainerPaths.DirectoryPaths != nil {
		return r.ContainerPaths.DirectoryPaths
	}
	return runtimes.DefaultContainerDirectoryPaths()
}

func containerBundles(r *lang.Resource) []string {
	if r.ContainerPaths.BundlePaths != nil {
		return r.ContainerPaths.BundlePaths
	}
	return runtimes.DefaultContainerBundlePaths()
}

// containerLaunch describes the container; the engine is left to apply,
// which resolves the trustform block's container_runtime.
func (p *planner) containerLaunch(r *lang.Resource, args []string, spec *state.Spec) *runtimes.ContainerLaunch {
	c := &runtimes.ContainerLaunch{
		Image:       r.Attrs.Str("image"),
		Entrypoint:  r.Attrs.Str("entrypoint"),
		Args:        args,
		Ports:       append([]string(nil), r.Attrs.List("ports")...),
		Network:     r.Attrs.Str("network"),
		Volumes:     append([]string(nil), r.Attrs.List("volumes")...),
		RuntimeArgs: append([]string(nil), r.Attrs.List("runtime_args")...),
		Name:        ContainerName(p.cfg.Dir, r.Address, r.Name),
	}
	if spec.TrustDir != "" {
		c.TrustDir = spec.TrustDir
		c.Destination = containerDest(r)
		if spec.Scope == runtimes.ScopeOverride || spec.Scope == runtimes.ScopeSystem {
			c.OverwriteBundles = append([]string(nil), containerBundles(r)...)
			c.MergeImage = spec.Scope == runtimes.ScopeSystem
		}
	}
	return c
}

// ContainerName is the deterministic name of a container resource:
// trustform-NAME-HASH, HASH being 8 hex digits of a digest of the
// configuration directory and address. An instance of a block with count
// or for_each is trustform-NAME-KEY-HASH, KEY cut to what container
// engines accept in a name ([a-zA-Z0-9_.-], at most 32 characters); the
// hash keeps names unique whatever the key was.
func ContainerName(configDir, address, name string) string {
	sum := sha256.Sum256([]byte(configDir + "\x00" + address))
	if a, err := addrs.Parse(address); err == nil && a.Key.Kind != addrs.NoKey {
		key := strconv.Itoa(a.Key.Int)
		if a.Key.Kind == addrs.StringKey {
			key = strings.Map(func(r rune) rune {
				if r < 0x80 && (r == '_' || r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
					return r
				}
				return -1
			}, a.Key.Str)
		}
		if len(key) > 32 {
			key = key[:32]
		}
		if key != "" {
			name += "-" + key
		}
	}
	return "trustform-" + name + "-" + hex.EncodeToString(sum[:4])
}

func rangePtr(r hcl.Range) *hcl.Range {
	if r.Filename == "" && r.Start.Line == 0 {
		return nil
	}
	return &r
}
