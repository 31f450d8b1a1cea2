package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// constValues holds the converted values of constant argument expressions
// (literals, templates without interpolation, and tuples and objects of
// those) by their type and source text: the same text gives the same
// value, so a thousand resources with `command = "sleep"` evaluate and
// convert it once. Evaluating and converting such arguments was a third of
// evaluating a resource.
type constValues map[cty.Type]map[string]cty.Value

// constSource returns the source text of expr when expr is constant and
// its value, converted to ty, may be kept in constValues.
func (l *loader) constSource(expr hcl.Expression, ty cty.Type) ([]byte, bool) {
	// A map key must hash: primitive types and collections of them do,
	// object and tuple types (whose attribute maps do not) are not kept.
	keyable := ty.IsPrimitiveType() ||
		(ty.IsListType() || ty.IsMapType() || ty.IsSetType()) && ty.ElementType().IsPrimitiveType()
	if !keyable || !constantExpr(expr, false) {
		return nil, false
	}
	return l.sourceOf(expr)
}

// sourceOf returns the source text of expr.
func (l *loader) sourceOf(expr hcl.Expression) ([]byte, bool) {
	rng := expr.Range()
	f := l.cfg.Files[rng.Filename]
	if f == nil || rng.Start.Byte < 0 || rng.End.Byte > len(f.Bytes) || rng.Start.Byte >= rng.End.Byte {
		return nil, false
	}
	return f.Bytes[rng.Start.Byte:rng.End.Byte], true
}

// constantExpr reports whether expr's value depends on nothing but its own
// text: no reference, no function call. With collections, references to
// certificate_authority_collection blocks are allowed too: their values do
// not change once evaluated, and nothing that refers to one is evaluated
// before it.
func constantExpr(expr hcl.Expression, collections bool) bool {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return true
	case *hclsyntax.ScopeTraversalExpr:
		return collections && e.Traversal.RootName() == RootCollection
	case *hclsyntax.TemplateExpr:
		return allConstant(e.Parts, collections)
	case *hclsyntax.TemplateWrapExpr:
		return constantExpr(e.Wrapped, collections)
	case *hclsyntax.ParenthesesExpr:
		return constantExpr(e.Expression, collections)
	case *hclsyntax.TupleConsExpr:
		return allConstant(e.Exprs, collections)
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			if !constantExpr(item.KeyExpr, collections) || !constantExpr(item.ValueExpr, collections) {
				return false
			}
		}
		return true
	case *hclsyntax.ObjectConsKeyExpr:
		// A bare name is the key's text; in parentheses it is a reference.
		if !e.ForceNonLiteral && hcl.ExprAsKeyword(e.Wrapped) != "" {
			return true
		}
		return constantExpr(e.Wrapped, collections)
	}
	return false
}

// allConstant reports whether every one of exprs is constantExpr.
func allConstant(exprs []hclsyntax.Expression, collections bool) bool {
	for _, e := range exprs {
		if !constantExpr(e, collections) {
			return false
		}
	}
	return true
}

// cachedConst returns the value kept for src converted to ty.
func (l *loader) cachedConst(ty cty.Type, src []byte) (cty.Value, bool) {
	v, ok := l.consts[ty][string(src)]
	return v, ok
}

// keepConst keeps v, the value of src converted to ty.
func (l *loader) keepConst(ty cty.Type, src []byte, v cty.Value) {
	if l.consts == nil {
		l.consts = constValues{}
	}
	m := l.consts[ty]
	if m == nil {
		m = map[string]cty.Value{}
		l.consts[ty] = m
	}
	m[string(src)] = v
}
