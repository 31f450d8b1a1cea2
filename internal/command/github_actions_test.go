package command

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/trustform/trustform/internal/testutil"
)

// fxLintWorkflow runs actionlint on the workflow, with shellcheck on its
// scripts: syntax, expressions, contexts, action inputs, shell mistakes.
func fxLintWorkflow(t *testing.T, path string) {
	t.Helper()
	sc := testutil.NeedTool(t, "shellcheck", "apt-get install -y shellcheck")
	var out strings.Builder
	linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: sc, Oneline: true})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.LintFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("actionlint: %s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
	}

	// The linter really reads the file and runs shellcheck: a typo in a
	// step reference and an unquoted variable are both caught.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "steps.plan.outputs.changes }}", "steps.plna.outputs.changes }}", 1)
	broken = strings.Replace(broken, `cat "$RUNNER_TEMP/plan.md"`, `cat $RUNNER_TEMP/plan.md`, 1)
	errs, err = linter.Lint("broken.yml", []byte(broken), nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range errs {
		kinds[e.Kind] = true
	}
	if !kinds["expression"] || !kinds["shellcheck"] {
		t.Errorf("a broken workflow gave %d errors of kinds %v; want expression and shellcheck errors", len(errs), kinds)
	}
}

// workflowScripts returns the run scripts of the plan job's steps by name.
func workflowScripts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	wf, errs := actionlint.Parse(data)
	if len(errs) > 0 {
		t.Fatalf("parsing the workflow: %v", errs[0])
	}
	job := wf.Jobs["plan"]
	if job == nil {
		t.Fatal("no job plan")
	}
	scripts := map[string]string{}
	for _, st := range job.Steps {
		if run, ok := st.Exec.(*actionlint.ExecRun); ok && st.Name != nil {
			scripts[st.Name.Value] = run.Run.Value
		}
	}
	return scripts
}

// fakeGH is a gh command that answers the three REST calls the workflow
// makes from a JSON file of comments, and runs --jq through jq as gh does.
const fakeGH = `#!/usr/bin/env python3
import json, os, subprocess, sys
state = os.environ["FAKE_GH_STATE"]
args = sys.argv[1:]
assert args[0] == "api", args
method, jq, fields, path = "GET", None, {}, None
i = 1
while i < len(args):
    a = args[i]
    if a == "--paginate":
        pass
    elif a == "--method":
        i += 1; method = args[i]
    elif a == "--jq":
        i += 1; jq = args[i]
    elif a == "-F":
        i += 1; k, v = args[i].split("=", 1)
        fields[k] = open(v[1:]).read() if v.startswith("@") else v
    else:
        path = a
    i += 1
comments = json.load(open(state))
with open(state + ".log", "a") as log:
    log.write(method + " " + path + "\n")
parts = path.split("/")
if method == "GET":
    assert parts[3:] == ["issues", os.environ["PR"], "comments"], path
    out = json.dumps(comments)
    if jq:
        out = subprocess.run(["jq", "-r", jq], input=out, capture_output=True, text=True, check=True).stdout
    sys.stdout.write(out)
elif method == "POST":
    new = {"id": max([c["id"] for c in comments] + [100]) + 1, "user": {"login": "github-actions[bot]", "type": "Bot"}, "body": fields["body"]}
    comments.append(new)
    print(json.dumps(new))
elif method == "PATCH":
    assert parts[3:5] == ["issues", "comments"], path
    for c in comments:
        if str(c["id"]) == parts[5]:
            c["body"] = fields["body"]
            break
    else:
        sys.exit("no comment " + parts[5])
    print("{}")
json.dump(comments, open(state, "w"))
`

type ghComment struct {
	ID   int `json:"id"`
	User struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
	Body string `json:"body"`
}

// fxStickyComment runs the workflow's own plan and comment scripts with
// bash, against the real trustform binary and a fake gh: the first plan
// with changes creates the comment, later runs edit that same comment
// (also once the changes are gone), other comments are left alone, and a
// pull request without changes gets no comment.
func fxStickyComment(t *testing.T, bin, root string, workflow []byte) {
	t.Helper()
	for _, tool := range []string{"bash", "jq", "python3"} {
		testutil.NeedTool(t, tool, "apt-get install -y "+tool)
	}
	scripts := workflowScripts(t, workflow)
	planScript, commentScript := scripts["trustform plan"], scripts["Comment the plan"]
	if planScript == "" || commentScript == "" {
		t.Fatalf("steps not found: %v", scripts)
	}
	for _, s := range []string{planScript, commentScript} {
		if strings.Contains(s, "${{") {
			t.Fatal("a run script uses ${{ }} expressions; the test runs them verbatim, so pass values through env")
		}
	}
	tmp := t.TempDir()
	binDir := filepath.Join(tmp, "bin")
	os.MkdirAll(binDir, 0o755)
	if err := os.Symlink(bin, filepath.Join(binDir, "trustform")); err != nil {
		t.Fatal(err)
	}
	fxWrite(t, filepath.Join(binDir, "gh"), []byte(fakeGH))
	os.Chmod(filepath.Join(binDir, "gh"), 0o755)
	state := filepath.Join(tmp, "comments.json")

	project := fxNewProject(t, bin, filepath.Join(root, "fixtures", "quickstart"), nil)
	env := append(fxEnv(t, true), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TRUSTFORM_DIR="+project.Dir, "GITHUB_REPOSITORY=example/app", "PR=7", "GH_TOKEN=test",
		"FAKE_GH_STATE="+state)

	// runWorkflow runs both steps as the runner would and returns the
	// comments afterwards.
	runWorkflow := func(what string) []ghComment {
		t.Helper()
		runnerTemp := t.TempDir()
		output := filepath.Join(runnerTemp, "output")
		stepEnv := append(env, "RUNNER_TEMP="+runnerTemp, "GITHUB_OUTPUT="+output)
		cmd := exec.Command("bash", "-e", "-c", planScript)
		cmd.Env = stepEnv
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: plan step: %v\n%s", what, err, out)
		}
		outputs, _ := os.ReadFile(output)
		changes, _ := strings.CutPrefix(strings.TrimSpace(string(outputs)), "changes=")
		cmd = exec.Command("bash", "-e", "-c", commentScript)
		cmd.Env = append(stepEnv, "CHANGES="+changes)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: comment step: %v\n%s", what, err, out)
		}
		t.Logf("%s: changes=%s: %s", what, changes, strings.TrimSpace(string(out)))
		var cs []ghComment
		data, _ := os.ReadFile(state)
		if err := json.Unmarshal(data, &cs); err != nil {
			t.Fatal(err)
		}
		return cs
	}
	plans := func(cs []ghComment) []ghComment {
		var out []ghComment
		for _, c := range cs {
			if strings.HasPrefix(c.Body, "<!-- trustform-plan -->\n### trustform plan\n") {
				out = append(out, c)
			}
		}
		return out
	}

	// A pull request without changes: nothing is posted.
	fxWrite(t, state, []byte("[]"))
	quickstart, _ := os.ReadFile(filepath.Join(project.Dir, "main.trust.hcl"))
	fxWrite(t, filepath.Join(project.Dir, "main.trust.hcl"), []byte("trustform {\n  developer_certificate_trust = false\n}\n"))
	if cs := runWorkflow("no changes, no comment"); len(cs) != 0 {
		t.Fatalf("a comment was posted for a plan without changes: %+v", cs)
	}

	// Other people's and other bots' comments are there already.
	fxWrite(t, state, []byte(`[{"id": 5, "user": {"login": "alice", "type": "User"}, "body": "<!-- trustform-plan -->\nquoting the bot"},
		{"id": 6, "user": {"login": "github-actions[bot]", "type": "Bot"}, "body": "Coverage: 93%"}]`))
	fxWrite(t, filepath.Join(project.Dir, "main.trust.hcl"), quickstart)
	cs := runWorkflow("first push")
	first := plans(cs)
	if len(cs) != 3 || len(first) != 1 || !strings.Contains(first[0].Body, "**Plan:** 3 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("after the first push: %d comments, %d plan comments:\n%+v", len(cs), len(first), cs)
	}

	// A second push changes the plan: the same comment is edited.
	fxWrite(t, filepath.Join(project.Dir, "main.trust.hcl"), []byte(strings.Replace(string(quickstart), `resource "executable" "probe"`, `resource "executable" "probe_v2"`, 1)))
	cs = runWorkflow("second push")
	second := plans(cs)
	if len(cs) != 3 || len(second) != 1 || second[0].ID != first[0].ID || !strings.Contains(second[0].Body, "executable.probe_v2") {
		t.Fatalf("after the second push: %d comments, plan comments %+v", len(cs), second)
	}
	if cs[0].Body != "<!-- trustform-plan -->\nquoting the bot" || cs[1].Body != "Coverage: 93%" {
		t.Errorf("another comment was changed: %+v", cs[:2])
	}

	// The changes are reverted: the comment says so instead of keeping a
	// stale plan.
	fxWrite(t, filepath.Join(project.Dir, "main.trust.hcl"), []byte("trustform {\n  developer_certificate_trust = false\n}\n"))
	cs = runWorkflow("changes reverted")
	last := plans(cs)
	if len(cs) != 3 || len(last) != 1 || last[0].ID != first[0].ID || !strings.Contains(last[0].Body, "**No changes.**") {
		t.Fatalf("after reverting: %+v", last)
	}
	log, _ := os.ReadFile(state + ".log")
	if n := strings.Count(string(log), "POST "); n != 1 {
		t.Errorf("%d comments created, want 1:\n%s", n, log)
	}
}
