package addrs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// KeyKind says which form an instance key takes.
type KeyKind int

// Instance key kinds.
const (
	// NoKey is a block without count or for_each.
	NoKey KeyKind = iota
	// IntKey is a count index.
	IntKey
	// StringKey is a for_each key.
	StringKey
)

// Key is an instance key: nothing, a count index or a for_each key.
type Key struct {
	Kind KeyKind
	Int  int
	Str  string
}

// NoInstance is the key of a block without count or for_each.
var NoInstance = Key{}

// Index returns the key of count instance i.
func Index(i int) Key { return Key{Kind: IntKey, Int: i} }

// StringKeyOf returns the key of the for_each instance k.
func StringKeyOf(k string) Key { return Key{Kind: StringKey, Str: k} }

// String formats the key as it follows an address: "", "[0]" or `["eu"]`.
func (k Key) String() string {
	switch k.Kind {
	case IntKey:
		return "[" + strconv.Itoa(k.Int) + "]"
	case StringKey:
		return "[" + quote(k.Str) + "]"
	}
	return ""
}

// Value returns the key as JSON would carry it (Terraform's "index"): nil,
// an int or a string.
func (k Key) Value() any {
	switch k.Kind {
	case IntKey:
		return k.Int
	case StringKey:
		return k.Str
	}
	return nil
}

// quote writes a string key the way HCL source would: double quotes,
// backslash escapes, and ${ and %{ escaped so the address could be pasted
// back into a configuration.
func quote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

// Instance is one resource or collection instance.
type Instance struct {
	// Type is the resource type, or "certificate_authority_collection".
	Type string
	Name string
	Key  Key
}

// String formats the address: TYPE.NAME plus the key.
func (a Instance) String() string { return a.Type + "." + a.Name + a.Key.String() }

// Block returns TYPE.NAME, the address of the block the instance comes
// from.
func (a Instance) Block() string { return a.Type + "." + a.Name }

// ErrSyntax is wrapped by Parse's errors.
var ErrSyntax = errors.New("invalid address")

// Parse reads TYPE.NAME, TYPE.NAME[N] or TYPE.NAME["KEY"]. Whitespace is not
// allowed, so a parsed address formats back to the same string.
func Parse(s string) (Instance, error) {
	bad := func(why string) (Instance, error) {
		return Instance{}, fmt.Errorf("%w %q: %s; addresses look like node_app.web, executable.worker[0] or executable.worker[\"eu\"]", ErrSyntax, s, why)
	}
	head, rest := s, ""
	if i := strings.IndexByte(s, '['); i >= 0 {
		head, rest = s[:i], s[i:]
	}
	typ, name, ok := strings.Cut(head, ".")
	if !ok || !Identifier(typ) || !Identifier(name) {
		return bad("it must start with TYPE.NAME")
	}
	a := Instance{Type: typ, Name: name}
	if rest == "" {
		return a, nil
	}
	if !strings.HasSuffix(rest, "]") {
		return bad("a key must end with ]")
	}
	inner := rest[1 : len(rest)-1]
	switch {
	case inner == "":
		return bad("the key is empty")
	case inner[0] == '"':
		k, err := strconv.Unquote(inner)
		if err != nil {
			return bad("the key is not a valid quoted string")
		}
		k = strings.ReplaceAll(strings.ReplaceAll(k, "$${", "${"), "%%{", "%{")
		a.Key = StringKeyOf(k)
	default:
		n, err := strconv.Atoi(inner)
		if err != nil || n < 0 || strconv.Itoa(n) != inner {
			return bad("an index must be a whole number such as [0], a key a quoted string such as [\"eu\"]")
		}
		a.Key = Index(n)
	}
	return a, nil
}

// Identifier reports whether s is an HCL identifier written in ASCII: a
// letter or underscore, then letters, digits, underscores and dashes.
// (HCL also takes other Unicode letters; addresses never hold them.)
func Identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

// FileName turns an address into one path element that is valid on every
// OS trustform builds for and unique per address: TYPE.NAME is kept as is,
// an index as [0], and a string key as [KEY] with every byte outside
// A-Z a-z 0-9 _ - percent-encoded (%2F), and a key of digits only (or an
// empty one) prefixed with %- (which encoding never produces), so ["0"] and
// [0] never share a file. A string that does not
// parse as an address is encoded the same way as a whole.
func FileName(address string) string {
	a, err := Parse(address)
	if err != nil {
		return escape(address, false)
	}
	switch a.Key.Kind {
	case IntKey:
		return a.Block() + a.Key.String()
	case StringKey:
		k := escape(a.Key.Str, true)
		if k == "" || strings.Trim(k, "0123456789") == "" {
			k = "%-" + k
		}
		return a.Block() + "[" + k + "]"
	}
	// Without a key, TYPE.NAME is the address itself: no copy of it.
	return address
}

func escape(s string, strict bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		case !strict && (c == '.' || c == '[' || c == ']'):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Matches reports whether target (a -target argument, already parsed)
// selects address: a target without a key selects every instance of its
// block, as in Terraform; one with a key selects exactly that instance.
func Matches(target Instance, address string) bool {
	a, err := Parse(address)
	if err != nil {
		return false
	}
	if target.Key.Kind == NoKey {
		return a.Block() == target.Block()
	}
	return a == target
}
