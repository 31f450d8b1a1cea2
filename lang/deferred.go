package lang

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/deferred"
	"github.com/trustform/trustform/runtimes"
)

// An output that refers to pid, container_id or since is unknown when
// Load runs; apply knows it but never reads HCL. outputTemplate turns such
// an output into a deferred.Template that the plan carries:
//
//  1. The output is evaluated twice more, each time with every unknown
//     attribute replaced by a sentinel: a number (pid) or a string
//     (container_id, since) that names the attribute and cannot occur by
//     chance. Locals on the way are evaluated again the same way.
//  2. The first result is read back into a template: a sentinel found whole
//     becomes a reference, one found inside a string a part of a
//     concatenation, anything else a literal.
//  3. The template is filled with the second run's sentinels and must give
//     exactly the second result. When it does not, the output computed
//     with the value (pid + 1, upper(container_id)) and cannot be carried;
//     it stays unknown, with a warning, as before.

// instance is one evaluated instance of a resource block.
type instance struct {
	addr string
	// attrs are the instance's attributes; obj, the object a reference
	// to it evaluates to, is built from them on first use: in most
	// configurations most resources are never referred to, and building
	// the object was a fifth of evaluating a resource.
	attrs map[string]cty.Value
	obj   cty.Value
	built bool
}

// object is the value a reference to the instance evaluates to.
func (in *instance) object() cty.Value {
	if !in.built {
		in.obj, in.built = cty.ObjectVal(in.attrs), true
	}
	return in.obj
}

// resourceVal is the value of a reference to the resource block
// TYPE.NAME, built on first use; false when the block was not evaluated
// (or its evaluation failed).
func (l *loader) resourceVal(typ, name string) (cty.Value, bool) {
	if v, ok := l.resVals[typ][name]; ok {
		return v, true
	}
	block := typ + "." + name
	rep := l.expansions[block]
	if rep == nil || !l.g.isNeeded(block) {
		// Not evaluated, or nothing refers to it (so its attributes
		// were not kept; see evalResource).
		return cty.NilVal, false
	}
	insts := l.instances[block]
	vals := make([]cty.Value, len(insts))
	for i := range insts {
		vals[i] = insts[i].object()
	}
	v := rep.aggregate(vals)
	byName := l.resVals[typ]
	if byName == nil {
		byName = map[string]cty.Value{}
		l.resVals[typ] = byName
	}
	byName[name] = v
	return v, true
}

// deferredAttrs are the resource attributes only apply knows, with the type
// their sentinel must have.
var deferredAttrs = map[string]cty.Type{
	AttrPID:         cty.Number,
	AttrContainerID: cty.String,
	AttrSince:       cty.String,
}

// sentinelRun is one evaluation with sentinels.
type sentinelRun struct {
	set int
	// ids numbers the references; shared by both runs so that reference
	// i has a sentinel in each.
	ids    map[deferred.Ref]int
	order  *[]deferred.Ref
	locals map[string]cty.Value
	failed bool
}

func (s *sentinelRun) id(ref deferred.Ref) int {
	i, ok := s.ids[ref]
	if !ok {
		i = len(s.ids)
		s.ids[ref] = i
		*s.order = append(*s.order, ref)
	}
	return i
}

// sentinel returns the stand-in for reference i in run set.
func sentinel(set, i int, ty cty.Type) cty.Value {
	if ty == cty.Number {
		return cty.NumberIntVal(sentinelNumber(set, i))
	}
	return cty.StringVal(fmt.Sprintf("\x00tf%c%d\x00", 'a'+set, i))
}

// sentinelNumber is a 16-digit number starting with 7 (run 0) or 8 (run
// 1), far above any pid.
func sentinelNumber(set, i int) int64 {
	return int64(7+set)*1_000_000_000_000_000 + int64(i)*16 + 1
}

var sentinelPattern = regexp.MustCompile("\x00tf[ab][0-9]+\x00|[78][0-9]{15}")

// outputTemplate builds the template of an output whose value is not
// wholly known; nil when it cannot be carried.
func (l *loader) outputTemplate(n *node, expr hcl.Expression, planned cty.Value) *deferred.Template {
	ids := map[deferred.Ref]int{}
	var order []deferred.Ref
	runs := [2]*sentinelRun{}
	vals := [2]cty.Value{}
	for set := range runs {
		s := &sentinelRun{set: set, ids: ids, order: &order, locals: map[string]cty.Value{}}
		ctx := l.sentinelContext(n.refs, s)
		v, diags := expr.Value(ctx)
		if diags.HasErrors() || s.failed {
			return nil
		}
		v, _ = v.UnmarkDeep()
		if !v.IsWhollyKnown() {
			return nil
		}
		runs[set], vals[set] = s, v
	}
	text := map[string]deferred.Ref{}
	for ref, i := range ids {
		ty := deferredAttrs[ref.Attr]
		if ty == cty.Number {
			text[strconv.FormatInt(sentinelNumber(0, i), 10)] = ref
		} else {
			text[sentinel(0, i, ty).AsString()] = ref
		}
	}
	t, ok := extract(vals[0], text)
	if !ok {
		return nil
	}
	check, err := deferred.Resolve(t, vals[1].Type(), func(ref deferred.Ref) (cty.Value, error) {
		i, ok := ids[ref]
		if !ok {
			return cty.NilVal, fmt.Errorf("unknown reference")
		}
		return sentinel(1, i, deferredAttrs[ref.Attr]), nil
	})
	if err != nil || !check.RawEquals(vals[1]) {
		return nil
	}
	// The template must also fit the type the output was planned with.
	if _, err := deferred.Resolve(t, planned.Type(), func(ref deferred.Ref) (cty.Value, error) {
		return sentinel(1, ids[ref], deferredAttrs[ref.Attr]), nil
	}); err != nil {
		return nil
	}
	return t
}

// extract reads a value computed with run 0's sentinels back into a
// template.
func extract(v cty.Value, text map[string]deferred.Ref) (*deferred.Template, bool) {
	ty := v.Type()
	switch {
	case !v.IsKnown():
		return nil, false
	case v.IsNull():
		t, err := deferred.Literal(v)
		return t, err == nil
	case ty == cty.String:
		s := v.AsString()
		locs := sentinelPattern.FindAllStringIndex(s, -1)
		var parts []*deferred.Template
		last := 0
		for _, loc := range locs {
			ref, ok := text[s[loc[0]:loc[1]]]
			if !ok {
				continue
			}
			if loc[0] > last {
				parts = append(parts, mustLiteral(cty.StringVal(s[last:loc[0]])))
			}
			r := ref
			parts = append(parts, &deferred.Template{Kind: deferred.KindRef, Ref: &r})
			last = loc[1]
		}
		if len(parts) == 0 {
			t, err := deferred.Literal(v)
			return t, err == nil
		}
		if last < len(s) {
			parts = append(parts, mustLiteral(cty.StringVal(s[last:])))
		}
		return &deferred.Template{Kind: deferred.KindString, Parts: parts}, true
	case ty == cty.Number:
		if ref, ok := text[v.AsBigFloat().Text('f', -1)]; ok {
			return &deferred.Template{Kind: deferred.KindRef, Ref: &ref}, true
		}
		t, err := deferred.Literal(v)
		return t, err == nil
	case ty.IsListType() || ty.IsTupleType():
		t := &deferred.Template{Kind: deferred.KindTuple, Elems: []*deferred.Template{}}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			et, ok := extract(e, text)
			if !ok {
				return nil, false
			}
			t.Elems = append(t.Elems, et)
		}
		return t, true
	case ty.IsMapType() || ty.IsObjectType():
		t := &deferred.Template{Kind: deferred.KindObject, Attrs: map[string]*deferred.Template{}}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			et, ok := extract(e, text)
			if !ok {
				return nil, false
			}
			t.Attrs[k.AsString()] = et
		}
		return t, true
	}
	// Sets reorder when their elements change, and bools cannot hold a
	// sentinel: keep them only when they hold none.
	t, err := deferred.Literal(v)
	return t, err == nil
}

func mustLiteral(v cty.Value) *deferred.Template {
	t, err := deferred.Literal(v)
	if err != nil {
		panic(err) // a plain string always encodes
	}
	return t
}

// sentinelContext is evalContext with every after-apply attribute of the
// resources the traversals reach (through locals too) replaced by run s's
// sentinels.
func (l *loader) sentinelContext(refs []hcl.Traversal, s *sentinelRun) *hcl.EvalContext {
	ctx := l.evalContext(refs, nil)
	for _, tr := range refs {
		root := tr.RootName()
		name, _, ok := refName(tr)
		if !ok {
			continue
		}
		switch {
		case root == RootLocal:
			v := l.sentinelLocal(name, s)
			ctx.Variables[RootLocal] = withAttr(ctx.Variables[RootLocal], name, v)
		case runtimes.Lookup(root) != nil:
			v := l.sentinelResource(root, name, s)
			ctx.Variables[root] = withAttr(ctx.Variables[root], name, v)
		}
	}
	return ctx
}

func withAttr(obj cty.Value, name string, v cty.Value) cty.Value {
	m := map[string]cty.Value{}
	if obj != cty.NilVal && obj.Type().IsObjectType() {
		for k, e := range obj.AsValueMap() {
			m[k] = e
		}
	}
	m[name] = v
	return cty.ObjectVal(m)
}

func (l *loader) sentinelLocal(name string, s *sentinelRun) cty.Value {
	if v, ok := s.locals[name]; ok {
		return v
	}
	n := l.nodes["local."+name]
	if n == nil || n.local == nil {
		s.failed = true
		return cty.DynamicVal
	}
	if v := l.localVals[name]; v.IsWhollyKnown() {
		s.locals[name] = v
		return v
	}
	v, diags := n.local.Expr.Value(l.sentinelContext(n.refs, s))
	if diags.HasErrors() {
		s.failed = true
		v = cty.DynamicVal
	}
	s.locals[name] = v
	return v
}

func (l *loader) sentinelResource(typ, name string, s *sentinelRun) cty.Value {
	block := typ + "." + name
	rep := l.expansions[block]
	insts := l.instances[block]
	if rep == nil || len(insts) != len(rep.keys) {
		s.failed = true
		return cty.DynamicVal
	}
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		if in.attrs == nil {
			s.failed = true
			return cty.DynamicVal
		}
		attrs := maps.Clone(in.attrs)
		for attr, ty := range deferredAttrs {
			if v, ok := attrs[attr]; ok && !v.IsKnown() {
				attrs[attr] = sentinel(s.set, s.id(deferred.Ref{Address: in.addr, Attr: attr}), ty)
			}
		}
		vals[i] = cty.ObjectVal(attrs)
	}
	return rep.aggregate(vals)
}
