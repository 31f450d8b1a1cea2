package addrs

import (
	"errors"
	"testing"
)

func TestParseFormatsBack(t *testing.T) {
	for _, s := range []string{
		"executable.worker",
		"executable.worker[0]",
		"executable.worker[12]",
		`executable.worker["eu"]`,
		`executable.worker["a b/c\"d"]`,
		`certificate_authority_collection.corp["x"]`,
		`executable.w["$${x}"]`,
	} {
		a, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got := a.String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "executable", "executable.", ".x", "executable.w[", "executable.w[]", "executable.w[-1]", "executable.w[01]", "executable.w[x]", `executable.w["x]`, "executable.w[0]x", "executable.w[0] ", "1a.b"} {
		if _, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", s, err)
		}
	}
}

func TestFileNameUniqueAndSafe(t *testing.T) {
	cases := map[string]string{
		"executable.worker":            "executable.worker",
		"executable.worker[0]":         "executable.worker[0]",
		`executable.worker["0"]`:       "executable.worker[%-0]",
		`executable.worker["eu"]`:      "executable.worker[eu]",
		`executable.worker["eu-west"]`: "executable.worker[eu-west]",
		`executable.worker["a/b"]`:     "executable.worker[a%2Fb]",
		`executable.worker["a.b"]`:     "executable.worker[a%2Eb]",
		`executable.worker[""]`:        "executable.worker[%-]",
		`executable.worker["\"0"]`:     "executable.worker[%220]",
		`executable.worker["00"]`:      "executable.worker[%-00]",
		"executable.worker[\"\\x00\"]": "executable.worker[%00]",
		`executable.worker["%22"]`:     "executable.worker[%2522]",
		`executable.worker["..\\x"]`:   "executable.worker[%2E%2E%5Cx]",
	}
	seen := map[string]string{}
	for addr, want := range cases {
		got := FileName(addr)
		if got != want {
			t.Errorf("FileName(%q) = %q, want %q", addr, got, want)
		}
		for _, c := range got {
			if c == '/' || c == '\\' || c == '"' || c == ':' || c == '*' || c == '?' || c == '<' || c == '>' || c == '|' || c < ' ' {
				t.Errorf("FileName(%q) = %q holds %q", addr, got, c)
			}
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("%q and %q share the file name %q", prev, addr, got)
		}
		seen[got] = addr
	}
}

func TestMatches(t *testing.T) {
	block, _ := Parse("executable.worker")
	one, _ := Parse(`executable.worker["eu"]`)
	for _, tc := range []struct {
		target Instance
		addr   string
		want   bool
	}{
		{block, "executable.worker", true},
		{block, "executable.worker[2]", true},
		{block, `executable.worker["eu"]`, true},
		{block, "executable.workers[0]", false},
		{one, `executable.worker["eu"]`, true},
		{one, `executable.worker["us"]`, false},
		{one, "executable.worker", false},
	} {
		if got := Matches(tc.target, tc.addr); got != tc.want {
			t.Errorf("Matches(%s, %s) = %v", tc.target, tc.addr, got)
		}
	}
}
