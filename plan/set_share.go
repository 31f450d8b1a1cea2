package plan

import (
	"slices"
	"sort"
	"strings"

	"github.com/trustform/trustform/runtimes"
)

// setShare is what every resource of one type receiving one trust set
// gets from it: the trust variables the set and the runtime decide, and
// the decisions about inherited trust variables, identical for each of
// them. Plan views list it once with the set, so that a thousand
// resources sharing a set do not repeat a dozen variables each (issue 19).
type setShare struct {
	typ string
	// env holds the shared variables, values as in state.Spec.Env.
	env map[string]string
	// inherited are the shared decisions, in the order of Change.Inherited.
	inherited []InheritedVar
	// last is the Change.Inherited setShares last narrowed inherited by:
	// resources that share their trust environment share that list too,
	// and an equal list narrows nothing more.
	last []InheritedVar
}

// shareKey identifies a group: the set's directory and the resource type.
type shareKey struct{ dir, typ string }

// setShares groups the changes include selects by set and resource type
// and keeps, per group, the trust variables and inherited decisions every
// member has alike. A variable counts as trust-derived when it is one of
// the documented trust variables, one the plan decided about as
// inherited, or when its value points into the set's directory; a
// sensitive one is never shared, so that each resource keeps its mask.
// The full env of a resource is then its own part plus its group's.
func setShares(p *Plan, include func(*Change) bool) map[shareKey]*setShare {
	out := map[shareKey]*setShare{}
	trustVar := map[string]bool{}
	for _, v := range runtimes.TrustVars() {
		trustVar[v.Name] = true
	}
	for _, ch := range p.Changes {
		s := ch.After
		if s == nil || s.TrustSet == "" || s.TrustDir == "" || !include(ch) {
			continue
		}
		key := shareKey{s.TrustDir, ch.Type}
		sh := out[key]
		// inherited maps each decided variable to whether the resource's
		// own env set it: that one stays the resource's.
		var inherited map[string]bool
		candidate := func(k, v string) bool {
			if inherited == nil {
				inherited = make(map[string]bool, len(ch.Inherited))
				for _, iv := range ch.Inherited {
					inherited[iv.Name] = iv.From == FromEnv
				}
			}
			own, decided := inherited[k]
			if own || slices.Contains(s.SensitiveEnv, k) {
				return false
			}
			return trustVar[k] || decided || strings.Contains(v, s.TrustDir)
		}
		shared := func(iv InheritedVar) bool {
			return iv.From == FromEnvironment && !slices.Contains(s.SensitiveEnv, iv.Name)
		}
		if sh == nil {
			sh = &setShare{typ: ch.Type, env: map[string]string{}}
			for k, v := range s.Env {
				if candidate(k, v) {
					sh.env[k] = v
				}
			}
			for _, iv := range ch.Inherited {
				if shared(iv) {
					sh.inherited = append(sh.inherited, iv)
				}
			}
			sh.last = ch.Inherited
			out[key] = sh
			continue
		}
		// A resource with the decisions of the last one that narrowed the
		// group, and no sensitive variable, finds every variable left a
		// candidate again, and every shared decision among its own: only
		// the values need a look. That is every resource but the first of
		// a trust environment shared by many (envShare).
		same := len(s.SensitiveEnv) == 0 && sameList(sh.last, ch.Inherited)
		for k, v := range sh.env {
			if w, ok := s.Env[k]; !ok || w != v || (!same && !candidate(k, w)) {
				delete(sh.env, k)
			}
		}
		if same {
			continue
		}
		sh.last = ch.Inherited
		sh.inherited = slices.DeleteFunc(sh.inherited, func(iv InheritedVar) bool {
			return !shared(iv) || !slices.Contains(ch.Inherited, iv)
		})
	}
	for k, sh := range out {
		if len(sh.env) == 0 && len(sh.inherited) == 0 {
			delete(out, k)
		}
	}
	return out
}

// sharesOf lists the groups of one set's directory by resource type.
func sharesOf(shares map[shareKey]*setShare, dir string) []*setShare {
	var out []*setShare
	for k, sh := range shares {
		if k.dir == dir {
			out = append(out, sh)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].typ < out[j].typ })
	return out
}

// shareOf is the group ch belongs to, or nil.
func shareOf(shares map[shareKey]*setShare, ch *Change) *setShare {
	if len(shares) == 0 || ch.After == nil {
		return nil
	}
	return shares[shareKey{ch.After.TrustDir, ch.Type}]
}

// ownInherited is ch's inherited decisions without those of its group.
func ownInherited(ch *Change, sh *setShare) []InheritedVar {
	if sh == nil {
		return ch.Inherited
	}
	var out []InheritedVar
	for _, iv := range ch.Inherited {
		if !slices.Contains(sh.inherited, iv) {
			out = append(out, iv)
		}
	}
	return out
}

// isCreate selects the changes the human and Markdown plans show the
// shared part of once: a create shows every attribute, an update or
// replacement only what changes, and that must stay visible per resource.
func isCreate(ch *Change) bool { return ch.Action == Create }

// hasAfter selects the changes whose after value plan -json splits: every
// one that has an after value in a set.
func hasAfter(ch *Change) bool { return ch.Action != Delete }
