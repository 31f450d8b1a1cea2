package arguments

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/lang"
)

// Each parser's good flags, checked field by field against the struct it
// must build.
func TestParseGood(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func() (any, error)
		want  any
	}{
		{"plan keeps -var order", func() (any, error) {
			return ParsePlan([]string{"-var", "a=1", "-var-file=x.trustvars.hcl", "-var", "a=2=3", "-target=node_app.web", "-target", "python_app.api", "-refresh=false", "-lock-timeout=30s", "-detailed-exitcode", "-out=p.plan", "-json", "-no-color"})
		}, &Plan{Out: "p.plan", JSON: true, DetailedExitcode: true, Planning: Planning{
			Vars:    []lang.VarFlag{{Name: "a", Value: "1"}, {File: "x.trustvars.hcl"}, {Name: "a", Value: "2=3"}},
			Targets: []string{"node_app.web", "python_app.api"}, LockTimeout: 30 * time.Second, NoColor: true,
		}}},
		{"plan defaults", func() (any, error) { return ParsePlan(nil) }, &Plan{Planning: Planning{Refresh: true, Input: true}}},
		{"plan -markdown -destroy", func() (any, error) { return ParsePlan([]string{"-markdown", "-destroy"}) },
			&Plan{Markdown: true, Planning: Planning{Refresh: true, Input: true, Destroy: true}}},
		{"apply flags after the plan file", func() (any, error) {
			return ParseApply([]string{"saved.plan", "-auto-approve", "-parallelism=3", "-json"})
		}, &Apply{PlanFile: "saved.plan", AutoApprove: true, Parallelism: 3, JSON: true, Planning: Planning{Refresh: true}}},
		{"apply defaults", func() (any, error) { return ParseApply(nil) }, &Apply{Parallelism: 10, Planning: Planning{Refresh: true, Input: true}}},
		{"destroy", func() (any, error) {
			return ParseDestroy([]string{"-auto-approve", "-lock-timeout=1m", "-no-color", "-parallelism", "2"})
		}, &Destroy{AutoApprove: true, Parallelism: 2, LockTimeout: time.Minute, NoColor: true}},
		{"destroy -target, repeatable", func() (any, error) {
			return ParseDestroy([]string{"-target=executable.db", "-target", "executable.worker[1]"})
		}, &Destroy{Parallelism: 10, Targets: []string{"executable.db", "executable.worker[1]"}}},
		{"plan -replace, repeatable", func() (any, error) {
			return ParsePlan([]string{"-replace=executable.db", "-replace", `executable.worker["eu"]`})
		}, &Plan{Planning: Planning{Refresh: true, Input: true, Replace: []string{"executable.db", `executable.worker["eu"]`}}}},
		{"plan -input=false", func() (any, error) { return ParsePlan([]string{"-input=false"}) },
			&Plan{Planning: Planning{Refresh: true}}},
		{"apply -replace", func() (any, error) { return ParseApply([]string{"-replace=executable.db", "-auto-approve"}) },
			&Apply{AutoApprove: true, Parallelism: 10, Planning: Planning{Refresh: true, Input: true, Replace: []string{"executable.db"}}}},
		{"up -watch", func() (any, error) { return ParseUp([]string{"-watch", "-var-file=x.trustvars.hcl"}) },
			&Up{Watch: true, Parallelism: 10, Input: true, Vars: []lang.VarFlag{{File: "x.trustvars.hcl"}}}},
		{"validate", func() (any, error) { return ParseValidate([]string{"-json", "-var=a=b"}) },
			&Validate{JSON: true, Vars: []lang.VarFlag{{Name: "a", Value: "b"}}}},
		{"fmt -check implies -write=false", func() (any, error) { return ParseFmt([]string{"-check", "-diff", "a.trust.hcl", "-recursive", "dir"}) },
			&Fmt{Check: true, Diff: true, Recursive: true, List: true, Targets: []string{"a.trust.hcl", "dir"}}},
		{"fmt defaults", func() (any, error) { return ParseFmt(nil) }, &Fmt{Write: true, List: true}},
		{"fmt after --", func() (any, error) { return ParseFmt([]string{"-list=false", "--", "-odd.trust.hcl"}) },
			&Fmt{Write: true, Targets: []string{"-odd.trust.hcl"}}},
		{"graph defaults to dot", func() (any, error) { return ParseGraph(nil) }, &Graph{Format: "dot"}},
		{"graph mermaid", func() (any, error) { return ParseGraph([]string{"-format=mermaid", "-no-color"}) }, &Graph{Format: "mermaid", NoColor: true}},
		{"version", func() (any, error) { return ParseVersion([]string{"-json"}) }, &Version{JSON: true}},
		{"show a saved plan", func() (any, error) { return ParseShow([]string{"p.plan", "-json"}) }, &Show{PlanFile: "p.plan", JSON: true}},
		{"show state", func() (any, error) { return ParseShow(nil) }, &Show{}},
		{"status", func() (any, error) { return ParseStatus([]string{"-detailed-exitcode", "-json"}) }, &Status{JSON: true, DetailedExitCode: true}},
		{"logs -f", func() (any, error) { return ParseLogs([]string{"node_app.web", "-f"}) }, &Logs{Addresses: []string{"node_app.web"}, Follow: true, Tail: -1}},
		{"logs, every resource", func() (any, error) { return ParseLogs(nil) }, &Logs{Tail: -1}},
		{"logs ADDR... -tail -since", func() (any, error) {
			return ParseLogs([]string{"a.b", "-tail=5", "c.d", "-since", "90s", "-no-color"})
		}, &Logs{Addresses: []string{"a.b", "c.d"}, Tail: 5, Since: 90 * time.Second, NoColor: true}},
		{"output -raw NAME", func() (any, error) { return ParseOutput([]string{"-raw", "url"}) }, &Output{Name: "url", Raw: true}},
		{"output all", func() (any, error) { return ParseOutput([]string{"-json"}) }, &Output{JSON: true}},
		{"devcert", func() (any, error) { return ParseDevcert("show", []string{"-json"}) }, &Devcert{JSON: true}},
		{"certificate fetch", func() (any, error) {
			return ParseCertificateFetch([]string{"example.com:443", "-out=-", "-timeout=5s"})
		},
			&CertificateFetch{Target: "example.com:443", Out: "-", Timeout: 5 * time.Second}},
		{"certificate fetch default timeout", func() (any, error) { return ParseCertificateFetch([]string{"https://x"}) },
			&CertificateFetch{Target: "https://x", Timeout: 30 * time.Second}},
		{"check ADDR URL", func() (any, error) { return ParseCheck([]string{"node_app.web", "https://localhost:8443", "-json"}) },
			&Check{Address: "node_app.web", Target: "https://localhost:8443", JSON: true, Timeout: 30 * time.Second}},
		{"check -all URL", func() (any, error) { return ParseCheck([]string{"-all", "localhost:8443", "-var", "x=1"}) },
			&Check{All: true, Target: "localhost:8443", Timeout: 30 * time.Second, Vars: []lang.VarFlag{{Name: "x", Value: "1"}}}},
		{"export kubernetes defaults to stdout", func() (any, error) { return ParseExport([]string{"-format=kubernetes"}) },
			&Export{Format: FormatKubernetes, Out: "-", ImageRoots: "read"}},
		{"export compose", func() (any, error) {
			return ParseExport([]string{"-format=compose", "-out=deploy", "-image-roots=skip"})
		},
			&Export{Format: FormatCompose, Out: "deploy", ImageRoots: "skip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse()
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// Each parser's bad flags give the message the user reads, and no struct.
func TestParseBad(t *testing.T) {
	devcert := func(a []string) (*Devcert, error) { return ParseDevcert("create", a) }
	for _, tc := range []struct {
		parse func([]string) (bool, error)
		args  []string
		want  string
	}{
		{bad(ParsePlan), []string{"-nope"}, "unknown flag -nope"},
		{bad(ParsePlan), []string{"-var", "=x"}, `"=x" is not NAME=VALUE (write -var 'NAME=VALUE')`},
		{bad(ParsePlan), []string{"-var-file="}, "-var-file needs a file name"},
		{bad(ParsePlan), []string{"extra"}, `unexpected argument "extra"`},
		{bad(ParsePlan), []string{"-lock-timeout=soon"}, `invalid value "soon" for flag -lock-timeout: give a duration such as 30s, 5m or 1h`},
		{bad(ParseApply), []string{"-parallelism=x"}, `invalid value "x" for flag -parallelism: give a whole number such as 10`},
		{bad(ParseApply), []string{"-auto-approve=maybe"}, `invalid boolean value "maybe" for -auto-approve: give true or false, or the flag alone for true`},
		{bad(ParsePlan), []string{"-json", "-markdown"}, "-json and -markdown cannot be used together"},
		{bad(ParseApply), []string{"p1", "p2"}, `unexpected argument "p2"`},
		{bad(ParseApply), []string{"p1", "-var", "a=b"}, "a saved plan already fixes variables, targets, replacements and -destroy; drop those flags or the plan file"},
		{bad(ParseApply), []string{"p1", "-replace=a.b"}, "a saved plan already fixes variables, targets, replacements and -destroy"},
		{bad(ParsePlan), []string{"-destroy", "-replace=a.b"}, "-replace cannot be used with -destroy"},
		{bad(ParseApply), []string{"-destroy", "-replace=a.b"}, "-replace cannot be used with -destroy"},
		{bad(ParseApply), []string{"-parallelism=0"}, "-parallelism must be at least 1"},
		{bad(ParseDestroy), []string{"-parallelism=-1"}, "-parallelism must be at least 1"},
		{bad(ParseDestroy), []string{"-replace=x.y"}, "unknown flag -replace"},
		{bad(ParseDestroy), []string{"now"}, `unexpected argument "now"`},
		{bad(ParseValidate), []string{"dir"}, `unexpected argument "dir"`},
		{bad(ParseFmt), []string{"-chdir=x"}, "unknown flag -chdir"},
		{bad(ParseGraph), []string{"-format=svg"}, "-format=svg is not supported; use dot or mermaid"},
		{bad(ParseVersion), []string{"-short"}, "unknown flag -short"},
		{bad(ParseShow), []string{"a", "b"}, `unexpected argument "b"`},
		{bad(ParseStatus), []string{"node_app.web"}, `unexpected argument "node_app.web"`},
		{bad(ParseLogs), []string{"-tail=-2"}, "-tail=-2: give a number of lines (0 or more)"},
		{bad(ParseLogs), []string{"-tail=many"}, `invalid value "many" for flag -tail`},
		{bad(ParseLogs), []string{"-since=-1m"}, "-since=-1m0s: give a positive duration such as 10m"},
		{bad(ParseLogs), []string{"-since=yesterday"}, `invalid value "yesterday" for flag -since`},
		{bad(ParseOutput), []string{"-json", "-raw", "x"}, "-json and -raw cannot be used together"},
		{bad(ParseOutput), []string{"-raw"}, "-raw needs an output NAME"},
		{bad(ParseOutput), []string{"a", "b"}, `unexpected argument "b"`},
		{bad(devcert), []string{"now"}, `unexpected argument "now"`},
		{bad(ParseCertificateFetch), nil, "certificate fetch needs a server: a URL such as https://example.com, or HOST:PORT"},
		{bad(ParseCertificateFetch), []string{"a", "b"}, `unexpected argument "b"`},
		{bad(ParseCertificateFetch), []string{"a", "-timeout=0s"}, "-timeout=0s: give a positive duration such as 30s"},
		{bad(ParseCheck), []string{"https://x"}, "check needs a resource address and a server: trustform check node_app.web https://localhost:8443"},
		{bad(ParseCheck), []string{"-all"}, "check -all needs a server: a URL such as https://localhost:8443, or HOST:PORT"},
		{bad(ParseCheck), []string{"-all", "a", "b"}, `unexpected argument "b"`},
		{bad(ParseCheck), []string{"a.b", "https://x", "-timeout=-1s"}, "-timeout=-1s: give a positive duration such as 30s"},
		{bad(ParseExport), nil, "-format is required: kubernetes or compose"},
		{bad(ParseExport), []string{"-format=helm"}, "-format=helm: use kubernetes or compose"},
		{bad(ParseExport), []string{"-format=compose"}, "-format=compose needs -out=DIR: the Compose file bind-mounts trust material written next to it"},
		{bad(ParseExport), []string{"-format=kubernetes", "-image-roots=maybe"}, "-image-roots=maybe: use read or skip"},
	} {
		got, err := tc.parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "parse error") {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
			continue
		}
		if got {
			t.Errorf("%q: a struct came back with the error", tc.args)
		}
	}
}

// bad adapts a parser for TestParseBad.
func bad[T any](parse func([]string) (*T, error)) func([]string) (bool, error) {
	return func(args []string) (bool, error) {
		a, err := parse(args)
		return a != nil, err
	}
}
