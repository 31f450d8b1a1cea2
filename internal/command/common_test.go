package command

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	cmds := []string{"apply", "destroy", "devcert", "fmt", "graph", "logs", "output", "plan", "show", "status", "validate", "version"}
	for in, want := range map[string]string{
		"plna":     "plan",
		"pla":      "plan",
		"aplly":    "apply",
		"valdate":  "validate",
		"vresion":  "version",
		"stauts":   "status",
		"destory":  "destroy",
		"grpah":    "graph",
		"zzzzzzzz": "",
		"kubectl":  "",
	} {
		if got := suggest(in, cmds); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDevcertDir(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"HOME=/h", "XDG_DATA_HOME=/x", "TRUSTFORM_DEVCERT_DIR=/d"}, "/d"},
		{[]string{"HOME=/h", "XDG_DATA_HOME=/x"}, "/x/trustform/devcert"},
		{[]string{"HOME=/h", "XDG_DATA_HOME="}, "/h/.local/share/trustform/devcert"},
	} {
		if got, err := devcertDir(tc.env); err != nil || got != tc.want {
			t.Errorf("devcertDir(%q) = %q, %v, want %q", tc.env, got, err, tc.want)
		}
	}
}

func TestLookupEnvLastWins(t *testing.T) {
	if v, ok := lookupEnv([]string{"A=1", "B=2", "A=3"}, "A"); !ok || v != "3" {
		t.Errorf("got %q %v", v, ok)
	}
	if _, ok := lookupEnv([]string{"AB=1"}, "A"); ok {
		t.Error("prefix matched")
	}
}

func TestNewLoggerRejectsUnknownLevel(t *testing.T) {
	_, _, err := newLogger([]string{"TRUSTFORM_LOG=loud"}, nil)
	if err == nil || !strings.Contains(err.Error(), "trace, debug, info, warn, error, json") {
		t.Errorf("err = %v", err)
	}
	l, closeLog, err := newLogger(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	if l.IsError() {
		t.Error("logging must be off by default")
	}
}
