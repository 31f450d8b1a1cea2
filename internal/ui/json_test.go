package ui

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestValidateJSON(t *testing.T) {
	src, rng := parsed(t, sampleConfig, "scrpt")
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Unsupported argument", Detail: "Not here.", Subject: &rng},
		{Severity: hcl.DiagWarning, Summary: "No subject"},
	}
	out, err := MarshalIndent(NewValidateJSON(diags, src))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	ctx := `resource "node_app" "web"`
	want := map[string]any{
		"format_version": "1.0",
		"valid":          false,
		"error_count":    1.0,
		"warning_count":  1.0,
		"diagnostics": []any{
			map[string]any{
				"severity": "error",
				"summary":  "Unsupported argument",
				"detail":   "Not here.",
				"range": map[string]any{
					"filename": "main.trust.hcl",
					"start":    map[string]any{"line": 3.0, "column": 3.0, "byte": 56.0},
					"end":      map[string]any{"line": 3.0, "column": 8.0, "byte": 61.0},
				},
				"snippet": map[string]any{
					"context":                ctx,
					"code":                   `  scrpt  = "web/index.js"`,
					"start_line":             3.0,
					"highlight_start_offset": 2.0,
					"highlight_end_offset":   7.0,
					"values":                 []any{},
				},
			},
			map[string]any{"severity": "warning", "summary": "No subject", "detail": ""},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("validate JSON (-want +got):\n%s", diff)
	}
}

func TestValidateJSONEmptyDiagnosticsIsAList(t *testing.T) {
	out, err := MarshalIndent(NewValidateJSON(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Valid       bool              `json:"valid"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if !got.Valid || got.Diagnostics == nil {
		t.Errorf("want valid with diagnostics [], got %s", out)
	}
}
