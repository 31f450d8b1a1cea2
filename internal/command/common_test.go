package command

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/lang"
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

func TestParseFlagsAllowsFlagsAfterArguments(t *testing.T) {
	a, err := parseApplyArgs([]string{"saved.plan", "-auto-approve", "-parallelism=3"})
	if err != nil {
		t.Fatal(err)
	}
	if a.PlanFile != "saved.plan" || !a.AutoApprove || a.Parallelism != 3 || !a.Refresh {
		t.Errorf("got %+v", a)
	}
	// After "--" everything is an argument, even what looks like a flag.
	fs := newFlagSet("x")
	v := fs.Bool("v", false, "")
	pos, err := parseFlags(fs, []string{"a", "-v", "--", "-b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if !*v || !reflect.DeepEqual(pos, []string{"a", "-b", "c"}) {
		t.Errorf("v=%v pos=%q", *v, pos)
	}
}

func TestPlanArgsKeepVarOrder(t *testing.T) {
	a, err := parsePlanArgs([]string{"-var", "a=1", "-var-file=x.trustvars.hcl", "-var", "a=2=3", "-target=node_app.web", "-target", "python_app.api", "-refresh=false", "-lock-timeout=30s", "-detailed-exitcode"})
	if err != nil {
		t.Fatal(err)
	}
	want := []lang.VarFlag{{Name: "a", Value: "1"}, {File: "x.trustvars.hcl"}, {Name: "a", Value: "2=3"}}
	if !reflect.DeepEqual(a.Vars, want) {
		t.Errorf("Vars = %+v, want %+v", a.Vars, want)
	}
	if !reflect.DeepEqual(a.Targets, []string{"node_app.web", "python_app.api"}) || a.Refresh || a.LockTimeout != 30*time.Second || !a.DetailedExitcode {
		t.Errorf("got %+v", a)
	}
}

func TestArgErrors(t *testing.T) {
	for _, tc := range []struct {
		parse func([]string) error
		args  []string
		want  string
	}{
		{func(a []string) error { _, err := parsePlanArgs(a); return err }, []string{"-nope"}, "unknown flag -nope"},
		{func(a []string) error { _, err := parsePlanArgs(a); return err }, []string{"-var", "=x"}, "not NAME=VALUE"},
		{func(a []string) error { _, err := parsePlanArgs(a); return err }, []string{"extra"}, `unexpected argument "extra"`},
		{func(a []string) error { _, err := parsePlanArgs(a); return err }, []string{"-lock-timeout=soon"}, "invalid value"},
		{func(a []string) error { _, err := parseApplyArgs(a); return err }, []string{"p1", "p2"}, `unexpected argument "p2"`},
		{func(a []string) error { _, err := parseApplyArgs(a); return err }, []string{"p1", "-var", "a=b"}, "saved plan already fixes"},
		{func(a []string) error { _, err := parseDestroyArgs(a); return err }, []string{"-parallelism=-1"}, "at least 1"},
	} {
		err := tc.parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
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
