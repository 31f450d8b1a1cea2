package plan

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// envShare is what processTrustEnv decided for one combination of the
// inputs it reads (envShareKey), and the trust set that led to: resources
// with the same inputs share these instead of each deciding again.
//
// In a login environment that exports a dozen trust variables naming the
// system bundle, every host process inherits them all. Deciding them per
// resource (eleven variables, ten merged bundles, an InheritedVar each,
// the set's lookup key) was two thirds of a plan's build time for 1,000
// resources, and 20 KB of garbage per resource, for the same answer each
// time.
type envShare struct {
	// env holds the variables processTrustEnv set, with the values it
	// gave the first resource. Those name that resource's placeholder
	// directory, which the relocator maps to the set's directory, as it
	// does for every resource of the set.
	env     []envVar
	decided []InheritedVar // sorted, shared by every resource of the share
	merged  map[string][]*pem.Certificate
	set     *builtSet // filled in once the first resource's set is built
}

type envVar struct{ name, value string }

// envShareKey is everything processTrustEnv's result depends on beyond the
// plan's inputs (trustform's environment, the host): the runtime and
// scope, the certificate list (and so the set), the working directory
// (relative bundle paths), lang's trust paths relative to the resource's
// placeholder directory, and the resource's own trust variables.
type envShareKey struct {
	rt       *runtimes.Runtime
	list     *certList
	scope    runtimes.Scope
	workDir  string
	bundle   string
	certsDir string
	own      string
}

// envShareKey returns r's envShareKey.
func (p *planner) envShareKey(r *lang.Resource, rt *runtimes.Runtime, scope runtimes.Scope, workDir, trustDir string, rc *recipe) envShareKey {
	rel := func(path string) string {
		if rest, ok := strings.CutPrefix(path, trustDir); ok {
			// Marked, so that no path outside the directory reads the same.
			return "\x00" + rest
		}
		return path
	}
	return envShareKey{
		rt: rt, list: rc.list, scope: scope, workDir: workDir,
		bundle: rel(r.Trust.BundlePath), certsDir: rel(r.Trust.DirectoriesPath),
		own: p.ownTrustVars(r, rt, scope),
	}
}

// ownTrustVars spells out the variables of r's env that processTrustEnv
// reads: the documented trust variables and those the scope's rules name.
// Usually there are none, and it allocates nothing.
func (p *planner) ownTrustVars(r *lang.Resource, rt *runtimes.Runtime, scope runtimes.Scope) string {
	if p.trustVarNames == nil {
		p.trustVarNames = make(map[string]bool, len(p.trustVars))
		for _, tv := range p.trustVars {
			p.trustVarNames[tv.Name] = true
		}
	}
	ruled := func(rules []runtimes.EnvRule, name string) bool {
		for _, rule := range rules {
			if rule.Name == name || rule.AlsoFrom == name {
				return true
			}
		}
		return false
	}
	if len(r.Env) == 0 {
		return ""
	}
	common := runtimes.CommonEnv(scope)
	var own []string
	for k, v := range r.Env {
		if p.trustVarNames[k] || ruled(common, k) || ruled(rt.Env[scope], k) {
			own = append(own, k+"="+v)
		}
	}
	if len(own) == 0 {
		return ""
	}
	sort.Strings(own)
	return strings.Join(own, "\x00")
}

// sharedTrustEnv is processTrustEnv, done once per envShareKey. It returns
// the share r joined or started, or nil when r's result is its own: it
// produced diagnostics or warnings (they name r), or it involves a Java
// trust store (whose decisions read r's jvm_args).
func (p *planner) sharedTrustEnv(r *lang.Resource, rt *runtimes.Runtime, scope runtimes.Scope, workDir, trustDir string, env map[string]string, rc *recipe) (*envShare, hcl.Diagnostics) {
	key := p.envShareKey(r, rt, scope, workDir, trustDir, rc)
	if sh, ok := p.envShares[key]; ok {
		for _, v := range sh.env {
			env[v.name] = v.value
		}
		rc.merged = sh.merged
		p.setInherited(r.Address, sh.decided)
		return sh, nil
	}
	warns := len(p.warns)
	decided, diags := p.processTrustEnv(r, rt, scope, workDir, trustDir, env, rc)
	p.setInherited(r.Address, decided)
	if len(diags) > 0 || len(p.warns) != warns || rt.JavaTrustStore || rc.javaStore {
		return nil, diags
	}
	sh := &envShare{merged: rc.merged, decided: p.inheritedVars[r.Address]}
	for k, v := range env {
		// What r's own env holds is the same for every resource of the
		// share (envShareKey.own) or not processTrustEnv's to change.
		if own, set := r.Env[k]; !set || own != v {
			sh.env = append(sh.env, envVar{k, v})
		}
	}
	if p.envShares == nil {
		p.envShares = map[envShareKey]*envShare{}
	}
	p.envShares[key] = sh
	return sh, nil
}
