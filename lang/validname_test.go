package lang

import (
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// validName must agree with hclsyntax.ValidIdentifier, which it stands in
// for on ASCII names: every string of up to three ASCII characters, and
// some longer and non-ASCII ones.
func TestValidNameAgreesWithHCL(t *testing.T) {
	check := func(s string) {
		if got, want := validName(s), hclsyntax.ValidIdentifier(s); got != want {
			t.Errorf("validName(%q) = %v, hclsyntax.ValidIdentifier says %v", s, got, want)
		}
	}
	var chars []byte
	for c := 0; c < 128; c++ {
		chars = append(chars, byte(c))
	}
	check("")
	for _, a := range chars {
		check(string([]byte{a}))
		for _, b := range chars {
			check(string([]byte{a, b}))
		}
	}
	// Three characters from the ones that matter, and their neighbours.
	some := []byte("_-09azAZ/:@`[{ .\"\\\x00\x7f")
	for _, a := range some {
		for _, b := range some {
			for _, c := range some {
				check(string([]byte{a, b, c}))
			}
		}
	}
	for _, s := range []string{"svc00001", "web-1", "_x", "true", "null", "for", "a--b", "été", "naïve", "x\u00e9", "日本", "a b"} {
		check(s)
	}
}
