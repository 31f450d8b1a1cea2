package lang

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/runtimes"
)

// sensitiveMark is the cty mark carried by values derived from sensitive
// variables.
const sensitiveMark = "sensitive"

// convert converts v to ty, reporting a located error naming the argument.
// Unknown values pass through; callers that need a known value check with
// requireKnown.
func (l *loader) convert(rng hcl.Range, name string, v cty.Value, ty cty.Type) (cty.Value, bool) {
	cv, err := convert.Convert(v, ty)
	if err != nil {
		detail := fmt.Sprintf("Inappropriate value for argument %q: %s required, but got %s.",
			name, typeName(ty), typeName(v.Type()))
		// cty's message repeats ours when the mismatch is at the top level;
		// it adds something only when it names a nested element or key.
		if msg := err.Error(); strings.Contains(msg, ":") || !strings.Contains(msg, "required") {
			detail += " " + capitalize(msg) + "."
		}
		l.errorf(&rng, nil, "Incorrect attribute value type", "%s", detail)
		return cty.NilVal, false
	}
	return cv, true
}

func typeName(ty cty.Type) string {
	switch {
	case ty == cty.DynamicPseudoType:
		return "any value"
	case ty.IsTupleType():
		return "tuple"
	case ty.IsObjectType():
		return "object"
	}
	return ty.FriendlyName()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// requireKnown reports values that only apply can know (pid,
// container_id): the planner needs every argument resolved.
func (l *loader) requireKnown(expr hcl.Expression, name string, v cty.Value) bool {
	if v.IsWhollyKnown() {
		return true
	}
	rng := expr.Range()
	// Point at the reference to the apply-time attribute when there is one.
refs:
	for _, tr := range expr.Variables() {
		for _, step := range tr[1:] {
			if a, ok := step.(hcl.TraverseAttr); ok && (a.Name == AttrPID || a.Name == AttrContainerID || a.Name == AttrSince) {
				rng = tr.SourceRange()
				break refs
			}
		}
	}
	l.errorf(&rng, nil, "Value not known until apply",
		"Argument %q refers to a value that is only known after apply, such as a pid, container_id or since. Only outputs may use such values.", name)
	return false
}

// goString returns a known, converted string value as Go, and whether it
// was sensitive.
func goString(v cty.Value) (string, bool) {
	v, marks := v.UnmarkDeep()
	if v.IsNull() || !v.IsKnown() {
		return "", len(marks) > 0
	}
	return v.AsString(), len(marks) > 0
}

// goStringList converts a known list(string) into Go, returning the
// indexes of sensitive elements. A null element is reported at rng.
func (l *loader) goStringList(rng hcl.Range, name string, v cty.Value) ([]string, []int, bool) {
	v, pvm := v.UnmarkDeepWithPaths()
	if v.IsNull() {
		return nil, nil, true
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			l.errorf(&rng, nil, "Invalid value",
				"Element %d of %q is null; every element must be a string.", len(out), name)
			return nil, nil, false
		}
		out = append(out, e.AsString())
	}
	var sens []int
	all := false
	seen := map[int]bool{}
	for _, pm := range pvm {
		if len(pm.Path) == 0 {
			all = true
			continue
		}
		if idx, ok := pm.Path[0].(cty.IndexStep); ok && idx.Key.Type() == cty.Number {
			bf := idx.Key.AsBigFloat()
			if i, acc := bf.Int64(); acc == big.Exact && !seen[int(i)] {
				seen[int(i)] = true
				sens = append(sens, int(i))
			}
		}
	}
	if all {
		sens = sens[:0]
		for i := range out {
			sens = append(sens, i)
		}
	}
	sort.Ints(sens)
	return out, sens, true
}

// goStringMap converts a known map(string) into Go, returning the keys of
// sensitive entries, sorted.
func (l *loader) goStringMap(rng hcl.Range, name string, v cty.Value) (map[string]string, []string, bool) {
	v, pvm := v.UnmarkDeepWithPaths()
	if v.IsNull() {
		return nil, nil, true
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			l.errorf(&rng, nil, "Invalid value",
				"The value of %q in %q is null; every value must be a string.", k.AsString(), name)
			return nil, nil, false
		}
		// Both callers are environments: a key such as
		// "PATH=/evil:/usr/bin" would set another variable, unseen by
		// whoever reviews the plan (issue 12).
		if err := runtimes.CheckEnvName(k.AsString()); err != nil {
			l.errorf(&rng, nil, "Invalid environment variable name",
				"In %q: %s. A name is letters, digits and underscores, such as NODE_OPTIONS.", name, err)
			return nil, nil, false
		}
		out[k.AsString()] = e.AsString()
	}
	sensSet := map[string]bool{}
	for _, pm := range pvm {
		if len(pm.Path) == 0 {
			for k := range out {
				sensSet[k] = true
			}
			continue
		}
		if idx, ok := pm.Path[0].(cty.IndexStep); ok && idx.Key.Type() == cty.String {
			sensSet[idx.Key.AsString()] = true
		}
	}
	return out, keys.Sorted(sensSet), true
}
