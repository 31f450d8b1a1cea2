package lang

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/runtimes"
)

// MaxCount bounds count and the number of for_each keys of one block, so a
// typo such as count = 1e9 is an error instead of an exhausted machine.
const MaxCount = 10000

// repetition is how one resource or collection block expands into
// instances, decided by evaluating its count or for_each.
type repetition struct {
	// by is "", AttrCount or AttrForEach.
	by string
	// keys are the instance keys in order: 0..count-1, or the for_each
	// keys sorted (as Terraform orders them); one NoInstance key when the
	// block is not repeated.
	keys []addrs.Key
	// each holds each.value per for_each key, marks kept.
	each map[string]cty.Value
	// rng is the count or for_each expression, for messages.
	rng hcl.Range
}

// kind is how the block's instances are keyed.
func (r *repetition) kind() addrs.KeyKind {
	switch r.by {
	case AttrCount:
		return addrs.IntKey
	case AttrForEach:
		return addrs.StringKey
	}
	return addrs.NoKey
}

// single is the repetition of a block without count or for_each.
var single = &repetition{keys: []addrs.Key{addrs.NoInstance}}

// repeatAttrs returns a block's count and for_each arguments, refusing
// both at once.
func (l *loader) repeatAttrs(attrs hcl.Attributes, context *hcl.Range) (count, forEach *hcl.Attribute, ok bool) {
	count, forEach = attrs[AttrCount], attrs[AttrForEach]
	if count != nil && forEach != nil {
		l.errorf(&forEach.NameRange, context, `Invalid combination of "count" and "for_each"`,
			`The "count" and "for_each" meta-arguments are mutually exclusive, only one should be used to be explicit about the number of instances to create.`)
		return nil, nil, false
	}
	return count, forEach, true
}

// repeatBy names the meta-argument a block repeats by, "" for none.
func repeatBy(count, forEach *hcl.Attribute) string {
	switch {
	case count != nil:
		return AttrCount
	case forEach != nil:
		return AttrForEach
	}
	return ""
}

// expand evaluates count or for_each with the block's context (which has
// neither count nor each in scope), built only for a repeated block.
func (l *loader) expand(count, forEach *hcl.Attribute, refs []hcl.Traversal, context *hcl.Range) (*repetition, bool) {
	switch {
	case count != nil:
		return l.expandCount(count, l.evalContext(refs, nil), context)
	case forEach != nil:
		return l.expandForEach(forEach, l.evalContext(refs, nil), context)
	}
	return single, true
}

func (l *loader) expandCount(a *hcl.Attribute, ctx *hcl.EvalContext, context *hcl.Range) (*repetition, bool) {
	rng := a.Expr.Range()
	v, diags := a.Expr.Value(ctx)
	if !l.add(diags) {
		return nil, false
	}
	invalid := func(detail string, args ...any) (*repetition, bool) {
		l.errorf(&rng, context, "Invalid count argument", detail, args...)
		return nil, false
	}
	if v.HasMark(sensitiveMark) || v.ContainsMarked() {
		return invalid("Sensitive values, or values derived from sensitive values, cannot be used as count arguments. If used, the sensitive value could be exposed as a resource instance key.")
	}
	if !v.IsKnown() {
		return invalid(`The "count" value depends on values that cannot be determined until apply, such as a pid or container_id, so trustform cannot predict how many instances will be created. Use a value known in the configuration.`)
	}
	if v.IsNull() {
		return invalid(`The given "count" argument value is null. An integer is required.`)
	}
	nv, ok := l.convert(rng, AttrCount, v, cty.Number)
	if !ok {
		return nil, false
	}
	bf := nv.AsBigFloat()
	if !bf.IsInt() {
		return invalid(`The given "count" argument value is unsuitable: %s is not a whole number. count must be a whole number, such as 3.`, bf.Text('f', -1))
	}
	if bf.Sign() < 0 {
		return invalid(`The given "count" argument value is unsuitable: %s is negative. count must be greater than or equal to zero.`, bf.Text('f', -1))
	}
	n, acc := bf.Int64()
	if acc != big.Exact || n > MaxCount {
		return invalid(`The given "count" argument value is unsuitable: %s is more than the %d instances one block may have.`, bf.Text('f', -1), MaxCount)
	}
	rep := &repetition{by: AttrCount, rng: rng, keys: make([]addrs.Key, n)}
	for i := range rep.keys {
		rep.keys[i] = addrs.Index(i)
	}
	return rep, true
}

func (l *loader) expandForEach(a *hcl.Attribute, ctx *hcl.EvalContext, context *hcl.Range) (*repetition, bool) {
	rng := a.Expr.Range()
	v, diags := a.Expr.Value(ctx)
	if !l.add(diags) {
		return nil, false
	}
	invalid := func(detail string, args ...any) (*repetition, bool) {
		l.errorf(&rng, context, "Invalid for_each argument", detail, args...)
		return nil, false
	}
	ty := v.Type()
	// A sensitive map may keep sensitive values (each.value stays
	// sensitive), but never sensitive keys: keys become addresses, which
	// are printed everywhere.
	if v.IsMarked() || (ty.IsSetType() && v.ContainsMarked()) {
		return invalid("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.")
	}
	if !v.IsWhollyKnown() && !(ty.IsMapType() || ty.IsObjectType()) || !v.IsKnown() {
		return invalid(`The "for_each" value depends on values that cannot be determined until apply, such as a pid or container_id, so trustform cannot predict which instances will be created. Use keys known in the configuration.`)
	}
	if v.IsNull() {
		return invalid(`The given "for_each" argument value is null. A map, or set of strings, is allowed.`)
	}
	rep := &repetition{by: AttrForEach, rng: rng, each: map[string]cty.Value{}}
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			rep.each[k.AsString()] = e
		}
	case ty.IsSetType():
		if !ty.ElementType().Equals(cty.String) && ty.ElementType() != cty.DynamicPseudoType {
			return invalid(`The given "for_each" argument value is unsuitable: "for_each" supports maps and sets of strings, but you have provided a set containing type %s.`, typeName(ty.ElementType()))
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return invalid(`The given "for_each" argument value is unsuitable: "for_each" sets must not contain null values.`)
			}
			if e.Type() != cty.String {
				return invalid(`The given "for_each" argument value is unsuitable: "for_each" supports maps and sets of strings, but you have provided a set containing type %s.`, typeName(e.Type()))
			}
			rep.each[e.AsString()] = e
		}
	case ty.IsListType() || ty.IsTupleType():
		return invalid(`The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type %s. To repeat a block once per element of a list of strings, convert it with toset(...); to number instances, use count.`, typeName(ty))
	default:
		return invalid(`The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type %s.`, typeName(ty))
	}
	if len(rep.each) > MaxCount {
		return invalid(`The "for_each" value has %d keys, more than the %d instances one block may have.`, len(rep.each), MaxCount)
	}
	keys := make([]string, 0, len(rep.each))
	for k := range rep.each {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rep.keys = append(rep.keys, addrs.StringKeyOf(k))
	}
	return rep, true
}

// vars returns the count or each object of one instance.
func (rep *repetition) vars(k addrs.Key) map[string]cty.Value {
	switch rep.by {
	case AttrCount:
		return map[string]cty.Value{RootCount: cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(k.Int))})}
	case AttrForEach:
		return map[string]cty.Value{RootEach: cty.ObjectVal(map[string]cty.Value{
			"key":   cty.StringVal(k.Str),
			"value": rep.each[k.Str],
		})}
	}
	return nil
}

// aggregate is what a reference to the whole block evaluates to: the
// instance itself without repetition, a tuple of instances for count (so
// splats work), an object of instances by key for for_each.
func (rep *repetition) aggregate(vals []cty.Value) cty.Value {
	switch rep.by {
	case AttrCount:
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	case AttrForEach:
		if len(vals) == 0 {
			return cty.EmptyObjectVal
		}
		m := make(map[string]cty.Value, len(vals))
		for i, k := range rep.keys {
			m[k.Str] = vals[i]
		}
		return cty.ObjectVal(m)
	}
	return vals[0]
}

// describe says which instances exist, for "no such instance" errors.
func (rep *repetition) describe(block string) string {
	switch rep.by {
	case AttrCount:
		switch n := len(rep.keys); n {
		case 0:
			return fmt.Sprintf("%s has count = 0, so it has no instances.", block)
		case 1:
			return fmt.Sprintf("%s has count = 1, so its only instance is %s[0].", block, block)
		default:
			return fmt.Sprintf("%s has count = %d, so its instances are %s[0] to %s[%d].", block, n, block, block, n-1)
		}
	case AttrForEach:
		if len(rep.keys) == 0 {
			return fmt.Sprintf("%s has an empty for_each, so it has no instances.", block)
		}
		var ks []string
		for _, k := range rep.keys {
			ks = append(ks, k.String())
		}
		if len(ks) > 10 {
			ks = append(ks[:10], fmt.Sprintf("and %d more", len(ks)-10))
		}
		return fmt.Sprintf("%s has for_each, so its instances are %s%s.", block, block, strings.Join(ks, ", "+block))
	}
	return ""
}

// blockOf returns the block address a reference names (TYPE.NAME or
// certificate_authority_collection.NAME), or "" for other roots.
func (l *loader) blockOf(tr hcl.Traversal) string {
	root := tr.RootName()
	name, _, ok := refName(tr)
	if !ok {
		return ""
	}
	if root == RootCollection || runtimes.Lookup(root) != nil {
		return root + "." + name
	}
	return ""
}

// checkInstanceRefs checks, once the blocks a node refers to are expanded,
// that every reference with a literal key names an instance that exists,
// that repeated blocks are not read like single ones, and that single
// blocks are not indexed. Keys computed from expressions are left to HCL's
// own index errors.
func (l *loader) checkInstanceRefs(n *node) bool {
	ok := true
	for _, tr := range n.refs {
		block := l.blockOf(tr)
		rep := l.expansions[block]
		if rep == nil || len(tr) < 3 {
			continue
		}
		rng := tr.SourceRange()
		switch step := tr[2].(type) {
		case hcl.TraverseIndex:
			if rep.by == "" {
				l.errorf(&rng, n.context, "Unexpected resource instance key",
					"Because %s does not have \"count\" or \"for_each\" set, references to it must not include an index key. Remove the bracketed index to refer to the single instance of this block.", block)
				ok = false
				continue
			}
			if !l.instanceExists(rep, step.Key) {
				l.errorf(&rng, n.context, "Reference to a resource instance that does not exist",
					"%s[%s] is not an instance of %s: %s%s", block, keyText(step.Key), block, rep.describe(block), l.keyHint(rep, step.Key))
				ok = false
			}
		case hcl.TraverseAttr:
			if rep.by != "" {
				example := block + "[0]"
				if rep.by == AttrForEach {
					example = block + `["KEY"]`
				}
				l.errorf(&rng, n.context, "Missing resource instance key",
					"Because %s has %q set, its attributes must be accessed on specific instances, such as %s.%s, or on all of them with a splat (%s[*].%s) or a for expression. %s",
					block, rep.by, example, step.Name, block, step.Name, rep.describe(block))
				ok = false
			}
		}
	}
	return ok
}

func (l *loader) instanceExists(rep *repetition, key cty.Value) bool {
	key, _ = key.Unmark()
	if !key.IsKnown() || key.IsNull() {
		return true
	}
	switch rep.by {
	case AttrCount:
		if key.Type() != cty.Number {
			return false
		}
		bf := key.AsBigFloat()
		i, acc := bf.Int64()
		return acc == big.Exact && i >= 0 && i < int64(len(rep.keys))
	case AttrForEach:
		if key.Type() != cty.String {
			return false
		}
		_, ok := rep.each[key.AsString()]
		return ok
	}
	return true
}

func (l *loader) keyHint(rep *repetition, key cty.Value) string {
	key, _ = key.Unmark()
	if rep.by == AttrForEach && key.Type() == cty.String {
		var ks []string
		for _, k := range rep.keys {
			ks = append(ks, k.Str)
		}
		return didYouMean(key.AsString(), ks)
	}
	if rep.by == AttrForEach && key.Type() == cty.Number {
		return ` for_each instances are named by their key, such as ["eu"], not by a number.`
	}
	if rep.by == AttrCount && key.Type() == cty.String {
		return " count instances are numbered from [0], not named by a string."
	}
	return ""
}

func keyText(k cty.Value) string {
	k, _ = k.Unmark()
	switch {
	case !k.IsKnown() || k.IsNull():
		return "?"
	case k.Type() == cty.String:
		s := addrs.StringKeyOf(k.AsString()).String()
		return s[1 : len(s)-1]
	case k.Type() == cty.Number:
		return k.AsBigFloat().Text('f', -1)
	}
	return "?"
}

// dedupTail drops diagnostics added since mark that repeat an earlier one
// exactly: an argument wrong in every instance of a repeated block is
// reported once.
func (l *loader) dedupTail(mark int) {
	type sig struct {
		sum, detail string
		rng         hcl.Range
	}
	seen := map[sig]bool{}
	kept := l.diags[:mark]
	for _, d := range l.diags[mark:] {
		s := sig{sum: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			s.rng = *d.Subject
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		kept = append(kept, d)
	}
	l.diags = kept
}

// checkRepeatRef checks count.index, each.key and each.value: they exist
// only in a block that sets count (count.*) or for_each (each.*), and not
// in that count or for_each expression itself.
func (l *loader) checkRepeatRef(n *node, tr hcl.Traversal, root, name string, hasName bool) bool {
	rng := tr.SourceRange()
	want := AttrCount
	if root == RootEach {
		want = AttrForEach
	}
	if n.repeat != want || n.inRepeatExpr {
		switch {
		case n.inRepeatExpr:
			l.errorf(&rng, n.context, fmt.Sprintf("Reference to %q in the %s argument", root, n.repeat),
				"count.index, each.key and each.value describe the instances that count or for_each creates, so they cannot be used to decide %s itself.", n.repeat)
		case root == RootCount:
			l.errorf(&rng, n.context, `Reference to "count" in non-counted context`,
				`The "count" object can only be used in resource and certificate_authority_collection blocks, and only when the "count" argument is set.%s`, repeatHint(n.repeat, root))
		default:
			l.errorf(&rng, n.context, `Reference to "each" in context without for_each`,
				`The "each" object can be used only in resource and certificate_authority_collection blocks, and only when the "for_each" argument is set.%s`, repeatHint(n.repeat, root))
		}
		return false
	}
	switch {
	case root == RootCount && (!hasName || name != "index"):
		l.errorf(&rng, n.context, `Invalid "count" attribute`,
			`The "count" object does not have an attribute named %q. The only supported attribute is count.index, which is the index of each instance of a block that has the "count" argument set.`, name)
		return false
	case root == RootEach && (!hasName || (name != "key" && name != "value")):
		l.errorf(&rng, n.context, `Invalid "each" attribute`,
			`The "each" object does not have an attribute named %q. The supported attributes are each.key and each.value, the current key and value pair of the "for_each" attribute set.`, name)
		return false
	}
	return true
}

func repeatHint(has, root string) string {
	switch {
	case has == AttrForEach && root == RootCount:
		return " This block sets for_each: use each.key or each.value."
	case has == AttrCount && root == RootEach:
		return " This block sets count: use count.index."
	}
	return ""
}

// expandInstances evaluates one instance per key of rep, in key order, for
// resource and collection blocks alike. It goes on past a bad instance so
// every instance's errors are reported, then drops diagnostics the
// instances repeat; ok is false when any instance failed.
func expandInstances[T, V any](l *loader, rep *repetition, eval func(addrs.Key) (T, V, bool)) (insts []T, vals []V, ok bool) {
	mark := len(l.diags)
	ok = true
	for _, k := range rep.keys {
		inst, v, good := eval(k)
		if !good {
			ok = false
			continue
		}
		insts = append(insts, inst)
		vals = append(vals, v)
	}
	l.dedupTail(mark)
	return insts, vals, ok
}
