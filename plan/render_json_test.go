package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// validate checks instance against the subset of JSON Schema that
// plan.schema.json uses: $ref into $defs, type, enum, required,
// properties, additionalProperties and items. Any other keyword fails, so
// the schema cannot silently grow beyond what is checked.
func validate(root, schema map[string]any, inst any, path string) []string {
	var errs []string
	if ref, ok := schema["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		def, ok := root["$defs"].(map[string]any)[name].(map[string]any)
		if !found || !ok {
			return []string{path + ": unresolvable $ref " + ref}
		}
		return validate(root, def, inst, path)
	}
	for k := range schema {
		switch k {
		case "$schema", "$id", "title", "description", "$defs", "type", "enum", "required",
			"properties", "additionalProperties", "items":
		default:
			errs = append(errs, fmt.Sprintf("%s: schema keyword %q not supported by the test validator", path, k))
		}
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.Contains(types, jsonType(inst)) && !(jsonType(inst) == "integer" && slices.Contains(types, "number")) {
			return append(errs, fmt.Sprintf("%s: %s, want %v", path, jsonType(inst), types))
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		if !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, inst) }) {
			errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, inst, enum))
		}
	}
	switch v := inst.(type) {
	case map[string]any:
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[r.(string)]; !ok {
					errs = append(errs, fmt.Sprintf("%s: missing required %q", path, r))
				}
			}
		}
		props, _ := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(root, ps, v[k], path+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: unexpected property %q", path, k))
				}
			case map[string]any:
				errs = append(errs, validate(root, ap, v[k], path+"."+k)...)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range v {
				errs = append(errs, validate(root, items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	return schema
}

func renderJSONDoc(t *testing.T, p *Plan, diags hcl.Diagnostics) (map[string]any, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderJSON(&buf, p, diags); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Error("JSON view is not one document on one line")
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	return doc, buf.Bytes()
}

func TestJSONMatchesSchema(t *testing.T) {
	schema := loadSchema(t)
	diag := hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "w", Detail: "d",
		Subject: &hcl.Range{Filename: "main.trust.hcl", Start: hcl.Pos{Line: 2, Column: 3, Byte: 10}, End: hcl.Pos{Line: 2, Column: 9, Byte: 16}}}}
	for _, sc := range goldenScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			p := mustBuild(t, sc.in(t))
			doc, _ := renderJSONDoc(t, p, diag)
			for _, e := range validate(schema, schema, doc, "$") {
				t.Error(e)
			}
		})
	}
	// A failed plan still renders a valid document with its diagnostics.
	doc, _ := renderJSONDoc(t, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "bad"}})
	for _, e := range validate(schema, schema, doc, "$") {
		t.Error(e)
	}
}

func TestSchemaValidatorRejects(t *testing.T) {
	schema := loadSchema(t)
	p := mustBuild(t, goldenScenarios()[0].in(t))
	for name, mutate := range map[string]func(doc map[string]any){
		"missing summary":  func(doc map[string]any) { delete(doc, "summary") },
		"extra property":   func(doc map[string]any) { doc["surprise"] = 1 },
		"wrong type":       func(doc map[string]any) { doc["summary"].(map[string]any)["add"] = "two" },
		"bad action":       func(doc map[string]any) { firstChange(doc)["actions"] = []any{"replace"} },
		"bad nested field": func(doc map[string]any) { delete(firstChange(doc)["after"].(map[string]any), "env") },
	} {
		doc, _ := renderJSONDoc(t, p, nil)
		mutate(doc)
		if errs := validate(schema, schema, doc, "$"); len(errs) == 0 {
			t.Errorf("%s: validator accepted an invalid document", name)
		}
	}
}

func firstChange(doc map[string]any) map[string]any {
	return doc["resource_changes"].([]any)[0].(map[string]any)["change"].(map[string]any)
}

func TestJSONContent(t *testing.T) {
	scs := map[string]scenario{}
	for _, sc := range goldenScenarios() {
		scs[sc.name] = sc
	}
	p := mustBuild(t, scs["replace"].in(t))
	doc, _ := renderJSONDoc(t, p, nil)
	rc := doc["resource_changes"].([]any)[0].(map[string]any)
	if rc["address"] != "node_app.web" {
		t.Fatalf("first change %v", rc["address"])
	}
	ch := rc["change"].(map[string]any)
	if diff := cmp.Diff([]any{"delete", "create"}, ch["actions"]); diff != "" {
		t.Errorf("replace actions: %s", diff)
	}
	if !slices.ContainsFunc(ch["replace_paths"].([]any), func(x any) bool { return reflect.DeepEqual(x, []any{"env", "LOG_LEVEL"}) }) {
		t.Errorf("replace_paths = %v", ch["replace_paths"])
	}
	if ch["after_unknown"].(map[string]any)["pid"] != true || ch["before"].(map[string]any)["pid"] != float64(1001) {
		t.Errorf("pid: before %v, after_unknown %v", ch["before"].(map[string]any)["pid"], ch["after_unknown"])
	}
	// The resource names its set; the set, listed once at the top, holds
	// the files and certificates.
	after := ch["after"].(map[string]any)
	if after["trust_set"] != "corp+devcert" || after["files"] != nil || after["certificates"] != nil {
		t.Errorf("after: trust_set %v, files %v, certificates %v; want the set's name only", after["trust_set"], after["files"], after["certificates"])
	}
	var set map[string]any
	for _, s := range doc["trust_sets"].([]any) {
		if m := s.(map[string]any); m["name"] == "corp+devcert" && m["action"] == "update" {
			set = m
		}
	}
	if set == nil {
		t.Fatalf("no updated set corp+devcert in trust_sets %v", doc["trust_sets"])
	}
	if f := set["files"].([]any)[0].(map[string]any); !strings.HasPrefix(f["path"].(string), ".trustform/trust/corp+devcert-") || !strings.HasSuffix(f["path"].(string), "/cert.pem") || len(f["sha256"].(string)) != 64 {
		t.Errorf("first file %v", f)
	}
	if c := set["certificates"].([]any)[0].(map[string]any); c["subject"] != "CN=Corp Root CA,O=Example" || c["not_after"] != "2045-01-01T00:00:00Z" {
		t.Errorf("first certificate %v", c)
	}
	if prev := set["previous"].(map[string]any); len(prev["certificates"].([]any)) != len(set["certificates"].([]any))-1 || !reflect.DeepEqual(set["used_by"], []any{"node_app.web"}) {
		t.Errorf("previous %v, used_by %v", prev, set["used_by"])
	}
	if diff := cmp.Diff(map[string]any{"add": 2.0, "change": 0.0, "destroy": 2.0, "has_destroy": true}, doc["summary"]); diff != "" {
		t.Errorf("summary: %s", diff)
	}

	p = mustBuild(t, scs["sensitive"].in(t))
	doc, raw := renderJSONDoc(t, p, nil)
	if bytes.Contains(raw, []byte("hunter2")) {
		t.Error("sensitive value in JSON")
	}
	ch = firstChange(doc)
	sens := ch["after_sensitive"].(map[string]any)
	if diff := cmp.Diff(map[string]any{"API_TOKEN": true}, sens["env"]); diff != "" {
		t.Errorf("after_sensitive.env: %s", diff)
	}
	if diff := cmp.Diff([]any{false, false, true, false}, sens["command"]); diff != "" {
		t.Errorf("after_sensitive.command: %s", diff)
	}
	outs := doc["output_changes"].(map[string]any)
	if tok := outs["token"].(map[string]any); tok["sensitive"] != true || tok["after"] != nil {
		t.Errorf("sensitive output %v", tok)
	}
	if pid := outs["client_pid"].(map[string]any); pid["after_unknown"] != true {
		t.Errorf("unknown output %v", pid)
	}

	p = mustBuild(t, scs["drift"].in(t))
	doc, _ = renderJSONDoc(t, p, nil)
	if d := doc["resource_drift"].([]any); len(d) != 1 || d[0].(map[string]any)["status"] != "exited" {
		t.Errorf("resource_drift = %v", d)
	}

	p = mustBuild(t, scs["devcert_pending"].in(t))
	doc, _ = renderJSONDoc(t, p, nil)
	if dc := doc["devcert"].(map[string]any); dc["create"] != true {
		t.Errorf("devcert = %v", dc)
	}
	if au := firstChange(doc)["after_unknown"].(map[string]any); au["certificates"] != true || au["files"] != true {
		t.Errorf("pending after_unknown = %v", au)
	}
}

func TestJSONGolden(t *testing.T) {
	for _, sc := range goldenScenarios() {
		if sc.name != "sensitive" && sc.name != "container" && sc.name != "inherited" {
			continue
		}
		p := mustBuild(t, sc.in(t))
		var buf bytes.Buffer
		if err := RenderJSON(&buf, p, p.Diagnostics()); err != nil {
			t.Fatal(err)
		}
		// Indented for review; the view itself writes one line.
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, buf.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		pretty.WriteByte('\n')
		checkGolden(t, sc.name+".json.golden", pretty.Bytes())
	}
}
