package deferred

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/state"
)

// Attributes only apply knows, as resources expose them to HCL.
const (
	AttrPID         = "pid"
	AttrContainerID = "container_id"
	AttrSince       = "since"
)

// Ref is one attribute of one resource instance.
type Ref struct {
	Address string `json:"address"`
	Attr    string `json:"attr"`
}

// Kinds of Template nodes.
const (
	KindLiteral = "literal"
	KindRef     = "ref"
	KindString  = "string"
	KindTuple   = "tuple"
	KindObject  = "object"
)

// Template is an output value with holes for attributes only apply knows.
// Kind says which other fields are set.
type Template struct {
	Kind string `json:"kind"`
	// Value and Type encode a literal (KindLiteral) with cty's JSON
	// encodings.
	Value json.RawMessage `json:"value,omitempty"`
	Type  json.RawMessage `json:"type,omitempty"`
	// Ref is the attribute of a KindRef node.
	Ref *Ref `json:"ref,omitempty"`
	// Parts are concatenated (KindString); each is a string literal or a
	// reference converted to a string as an HCL template would.
	Parts []*Template `json:"parts,omitempty"`
	// Elems are the elements of a KindTuple node.
	Elems []*Template `json:"elems,omitempty"`
	// Attrs are the attributes of a KindObject node.
	Attrs map[string]*Template `json:"attrs,omitempty"`
}

// Literal returns a KindLiteral node for a known value without marks.
func Literal(v cty.Value) (*Template, error) {
	ty, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return nil, err
	}
	js, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, err
	}
	return &Template{Kind: KindLiteral, Value: js, Type: ty}, nil
}

// Refs lists every reference in t, sorted and unique.
func (t *Template) Refs() []Ref {
	seen := map[Ref]bool{}
	var walk func(*Template)
	walk = func(t *Template) {
		if t == nil {
			return
		}
		if t.Ref != nil {
			seen[*t.Ref] = true
		}
		for _, p := range t.Parts {
			walk(p)
		}
		for _, e := range t.Elems {
			walk(e)
		}
		for _, a := range t.Attrs {
			walk(a)
		}
	}
	walk(t)
	out := make([]Ref, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Address != out[j].Address {
			return out[i].Address < out[j].Address
		}
		return out[i].Attr < out[j].Attr
	})
	return out
}

// Lookup returns the value of one reference.
type Lookup func(Ref) (cty.Value, error)

// Resolve fills t's references with lookup and converts the result to ty
// (the output's type as planned; cty.DynamicPseudoType keeps it as built).
func Resolve(t *Template, ty cty.Type, lookup Lookup) (cty.Value, error) {
	v, err := build(t, lookup)
	if err != nil {
		return cty.NilVal, err
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("the value does not have the planned type %s: %w", ty.FriendlyName(), err)
	}
	return cv, nil
}

func build(t *Template, lookup Lookup) (cty.Value, error) {
	if t == nil {
		return cty.NilVal, fmt.Errorf("empty template")
	}
	switch t.Kind {
	case KindLiteral:
		ty, err := ctyjson.UnmarshalType(t.Type)
		if err != nil {
			return cty.NilVal, err
		}
		return ctyjson.Unmarshal(t.Value, ty)
	case KindRef:
		if t.Ref == nil {
			return cty.NilVal, fmt.Errorf("reference without a target")
		}
		return lookup(*t.Ref)
	case KindString:
		var b strings.Builder
		for _, p := range t.Parts {
			v, err := build(p, lookup)
			if err != nil {
				return cty.NilVal, err
			}
			s, err := convert.Convert(v, cty.String)
			if err != nil || s.IsNull() {
				return cty.NilVal, fmt.Errorf("a part of a string is not a string")
			}
			b.WriteString(s.AsString())
		}
		return cty.StringVal(b.String()), nil
	case KindTuple:
		if len(t.Elems) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(t.Elems))
		for i, e := range t.Elems {
			v, err := build(e, lookup)
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = v
		}
		return cty.TupleVal(vals), nil
	case KindObject:
		if len(t.Attrs) == 0 {
			return cty.EmptyObjectVal, nil
		}
		vals := make(map[string]cty.Value, len(t.Attrs))
		for k, e := range t.Attrs {
			v, err := build(e, lookup)
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, fmt.Errorf("unknown template node %q", t.Kind)
}

// StateLookup resolves references from state: pid and container_id from
// the instance's handle, since from when it was started (RFC 3339, UTC).
func StateLookup(find func(address string) *state.Resource) Lookup {
	return func(ref Ref) (cty.Value, error) {
		r := find(ref.Address)
		if r == nil {
			return cty.NilVal, fmt.Errorf("%s is not in state", ref.Address)
		}
		v, ok := AttrValue(r, ref.Attr)
		if !ok {
			return cty.NilVal, fmt.Errorf("%s has no %s recorded", ref.Address, ref.Attr)
		}
		return v, nil
	}
}

// AttrValue is the value of an after-apply attribute of a recorded
// resource; false when state does not hold it.
func AttrValue(r *state.Resource, attr string) (cty.Value, bool) {
	switch attr {
	case AttrPID:
		if r.Handle.PID > 0 {
			return cty.NumberIntVal(int64(r.Handle.PID)), true
		}
	case AttrContainerID:
		if r.Handle.ContainerID != "" {
			return cty.StringVal(r.Handle.ContainerID), true
		}
	case AttrSince:
		if !r.Since.IsZero() {
			return cty.StringVal(r.Since.UTC().Format(time.RFC3339)), true
		}
	}
	return cty.NilVal, false
}
