package plan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/trustform/trustform/state"
)

// RenderState writes what state records in the same attribute layout as a
// plan, without change symbols, for `trustform show`. dir is the
// configuration directory, so paths show relative to it as in plans.
func RenderState(out io.Writer, st *state.State, dir string, color bool) error {
	sty := styler{color: color}
	w := bufio.NewWriter(out)
	if st == nil || len(st.Resources) == 0 {
		fmt.Fprintln(w, "The state is empty. Nothing has been applied, or everything has been destroyed.")
		return w.Flush()
	}
	rc := newRenderCache(dir)
	for i, r := range st.Resources {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", sty.bold("# "+r.Address+":"))
		fmt.Fprintf(w, "resource %q %q {\n", r.Type, r.Name)
		attrs := rc.specAttrs(r.Spec, r.Handle.PID, r.Handle.ContainerID, false, false)
		if !r.Since.IsZero() {
			attrs["since"] = quoted(r.Since.UTC().Format("2006-01-02T15:04:05Z"))
		}
		names := sortedAttrNames(attrs)
		width := 0
		for _, n := range names {
			width = max(width, len(n))
		}
		for _, n := range names {
			writeStateAttr(w, n, width, attrs[n])
		}
		fmt.Fprintln(w, "}")
	}
	if len(st.Outputs) > 0 {
		fmt.Fprintln(w, "\n\nOutputs:")
		fmt.Fprintln(w)
		names := make([]string, 0, len(st.Outputs))
		for n := range st.Outputs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			o := st.Outputs[n]
			fmt.Fprintf(w, "%s = %s\n", n, outputValue(o.Value, o.Sensitive))
		}
	}
	return w.Flush()
}

func writeStateAttr(w textWriter, name string, width int, v value) {
	pad := name + strings.Repeat(" ", width-len(name))
	switch v.kind {
	case vScalar:
		fmt.Fprintf(w, "    %s = %s\n", pad, v.scalar)
	case vList:
		fmt.Fprintf(w, "    %s = [\n", pad)
		writeElems(w, "        ", v.list)
		fmt.Fprintln(w, "    ]")
	case vMap:
		keys := make([]string, 0, len(v.m))
		kw := 0
		for k := range v.m {
			keys = append(keys, k)
			kw = max(kw, len(k)+2)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "    %s = {\n", pad)
		for _, k := range keys {
			q := fmt.Sprintf("%q", k)
			fmt.Fprintf(w, "        %-*s = %s\n", kw, q, display(v.m[k]))
		}
		fmt.Fprintln(w, "    }")
	}
}

// jsonState is `show -json` without a plan file: the resources state
// records, in the before/after object shape of plan JSON, with sensitive
// values masked.
type jsonState struct {
	FormatVersion    string                     `json:"format_version"`
	TrustformVersion string                     `json:"trustform_version,omitempty"`
	Serial           uint64                     `json:"serial"`
	Lineage          string                     `json:"lineage"`
	Resources        []jsonStateResource        `json:"resources"`
	Outputs          map[string]jsonStateOutput `json:"outputs"`
}

type jsonStateResource struct {
	Address         string        `json:"address"`
	Type            string        `json:"type"`
	Name            string        `json:"name"`
	Since           string        `json:"since,omitempty"`
	Values          *jsonSpec     `json:"values"`
	SensitiveValues jsonSensitive `json:"sensitive_values"`
}

type jsonStateOutput struct {
	Sensitive bool            `json:"sensitive"`
	Value     json.RawMessage `json:"value,omitempty"`
	Type      json.RawMessage `json:"type,omitempty"`
}

// RenderStateJSON writes state as one JSON document for `show -json`.
func RenderStateJSON(w io.Writer, st *state.State, dir string) error {
	out := jsonState{FormatVersion: StateFormatVersion, Resources: []jsonStateResource{}, Outputs: map[string]jsonStateOutput{}}
	if st != nil {
		out.TrustformVersion = st.TrustformVersion
		out.Serial = st.Serial
		out.Lineage = st.Lineage
		rc := newRenderCache(dir)
		for _, r := range st.Resources {
			jr := jsonStateResource{Address: r.Address, Type: r.Type, Name: r.Name}
			if !r.Since.IsZero() {
				jr.Since = r.Since.UTC().Format("2006-01-02T15:04:05Z")
			}
			if r.Spec != nil {
				jr.Values, jr.SensitiveValues = rc.jsonSpec(r.Spec, r.Handle)
			}
			out.Resources = append(out.Resources, jr)
		}
		for n, o := range st.Outputs {
			jo := jsonStateOutput{Sensitive: o.Sensitive, Type: rawOrNil(o.Type)}
			if !o.Sensitive {
				jo.Value = rawOrNil(o.Value)
			}
			out.Outputs[n] = jo
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
