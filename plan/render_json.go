package plan

import (
	"github.com/trustform/trustform/internal/addrs"

	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// SensitiveMask replaces every sensitive value in output.
const SensitiveMask = "(sensitive value)"

// Summary counts a plan the way its last line does: a replacement is one
// add and one destroy.
type Summary struct {
	Add        int  `json:"add"`
	Change     int  `json:"change"`
	Destroy    int  `json:"destroy"`
	HasDestroy bool `json:"has_destroy"`
}

// Summary counts the plan's resource changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, ch := range p.Changes {
		switch ch.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Replace:
			s.Add++
			s.Destroy++
		case Delete:
			s.Destroy++
		}
	}
	s.HasDestroy = s.Destroy > 0
	return s
}

// HasChanges reports whether applying p would change anything, outputs
// included (plan -detailed-exitcode).
func (p *Plan) HasChanges() bool {
	for _, ch := range p.Changes {
		if ch.Action != NoOp {
			return true
		}
	}
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			return true
		}
	}
	return p.Devcert.Create
}

// JSONActions is Terraform's array form of an action.
func JSONActions(a Action) []string {
	switch a {
	case Replace:
		return []string{"delete", "create"}
	case "":
		return []string{"no-op"}
	}
	return []string{string(a)}
}

type jsonPlan struct {
	FormatVersion    string                      `json:"format_version"`
	TrustformVersion string                      `json:"trustform_version"`
	Destroy          bool                        `json:"destroy"`
	Targets          []string                    `json:"targets"`
	TrustSets        []jsonTrustSet              `json:"trust_sets"`
	ResourceDrift    []jsonDrift                 `json:"resource_drift"`
	ResourceChanges  []jsonResourceChange        `json:"resource_changes"`
	OutputChanges    map[string]jsonOutputChange `json:"output_changes"`
	Devcert          jsonDevcert                 `json:"devcert"`
	Summary          Summary                     `json:"summary"`
	Diagnostics      []jsonDiagnostic            `json:"diagnostics"`
}

type jsonDrift struct {
	Address     string `json:"address"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	PID         int    `json:"pid,omitempty"`
	ContainerID string `json:"container_id,omitempty"`
}

type jsonResourceChange struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	// Index is the count index or for_each key, absent for a single
	// instance, as in Terraform's plan JSON.
	Index  any        `json:"index,omitempty"`
	Change jsonChange `json:"change"`
	// ActionReason is Terraform's field of the same name.
	ActionReason ActionReason `json:"action_reason,omitempty"`
	// InheritedTrustVariables lists each documented trust variable the
	// resource inherits and what trustform did with it.
	InheritedTrustVariables []InheritedVar `json:"inherited_trust_variables,omitempty"`
}

type jsonChange struct {
	Actions         []string        `json:"actions"`
	Before          *jsonSpec       `json:"before"`
	After           *jsonSpec       `json:"after"`
	AfterUnknown    map[string]bool `json:"after_unknown"`
	BeforeSensitive jsonSensitive   `json:"before_sensitive"`
	AfterSensitive  jsonSensitive   `json:"after_sensitive"`
	ReplacePaths    [][]string      `json:"replace_paths,omitempty"`
	Reasons         []string        `json:"reasons,omitempty"`
}

type jsonSensitive struct {
	Env     map[string]bool `json:"env,omitempty"`
	Command []bool          `json:"command,omitempty"`
	Args    []bool          `json:"args,omitempty"`
}

type jsonSpec struct {
	Command    []string          `json:"command"`
	Args       []string          `json:"args"`
	Env        map[string]string `json:"env"`
	WorkingDir string            `json:"working_dir"`
	TrustScope string            `json:"trust_scope"`
	TrustDir   string            `json:"trust_dir,omitempty"`
	TrustSet   string            `json:"trust_set,omitempty"`
	// Files and Certificates are absent when TrustSet names the set that
	// lists them, in trust_sets.
	Files        []jsonFile     `json:"files,omitempty"`
	Certificates []jsonCert     `json:"certificates,omitempty"`
	LogPath      string         `json:"log_path,omitempty"`
	StopTimeout  string         `json:"stop_timeout"`
	StartPeriod  string         `json:"start_period,omitempty"`
	ReadyWhen    *jsonReady     `json:"ready_when,omitempty"`
	DependsOn    []string       `json:"depends_on"`
	Watch        []string       `json:"watch,omitempty"`
	Restart      string         `json:"restart,omitempty"`
	Container    *jsonContainer `json:"container,omitempty"`
	PID          int            `json:"pid,omitempty"`
	ContainerID  string         `json:"container_id,omitempty"`
}

// jsonTrustSet is one trust set, listed once however many resources
// receive it.
type jsonTrustSet struct {
	Name         string     `json:"name"`
	Action       string     `json:"action"`
	Dir          string     `json:"dir"`
	Digest       string     `json:"digest,omitempty"`
	Sources      []string   `json:"sources"`
	UsedBy       []string   `json:"used_by"`
	Pending      bool       `json:"devcert_pending,omitempty"`
	Certificates []jsonCert `json:"certificates"`
	Files        []jsonFile `json:"files"`
	// Previous is, for action "update", the set its resources had before.
	Previous *jsonPreviousSet `json:"previous,omitempty"`
	// ByType holds, per resource type, the trust variables and inherited
	// decisions every resource of that type receiving the set has alike;
	// their change.after leaves them out (format 1.1).
	ByType map[string]jsonShare `json:"by_type,omitempty"`
}

// jsonShare is the part of each resource's after value that comes from
// its set: a resource's full env is this env with change.after.env laid
// over it, and its inherited decisions are these plus its own.
type jsonShare struct {
	Env                     map[string]string `json:"env"`
	InheritedTrustVariables []InheritedVar    `json:"inherited_trust_variables"`
}

type jsonPreviousSet struct {
	Name         string     `json:"name,omitempty"`
	Dir          string     `json:"dir"`
	Certificates []jsonCert `json:"certificates"`
}

type jsonFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
	Link   string `json:"link,omitempty"`
}

type jsonCert struct {
	Subject  string  `json:"subject"`
	Issuer   string  `json:"issuer"`
	SHA256   *string `json:"sha256"`
	NotAfter *string `json:"not_after"`
	Source   string  `json:"source,omitempty"`
}

type jsonReady struct {
	TCP     string `json:"tcp,omitempty"`
	HTTP    string `json:"http,omitempty"`
	Timeout string `json:"timeout"`
}

type jsonContainer struct {
	Name             string   `json:"name"`
	Image            string   `json:"image"`
	Entrypoint       string   `json:"entrypoint,omitempty"`
	Ports            []string `json:"ports"`
	Network          string   `json:"network,omitempty"`
	Volumes          []string `json:"volumes"`
	RuntimeArgs      []string `json:"runtime_args"`
	Destination      string   `json:"certificates_destination,omitempty"`
	OverwriteBundles []string `json:"overwrite_bundles"`
	MergeImageBundle bool     `json:"merge_image_bundle"`
}

type jsonOutputChange struct {
	Actions      []string        `json:"actions"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
	AfterUnknown bool            `json:"after_unknown"`
	Sensitive    bool            `json:"sensitive"`
}

type jsonDevcert struct {
	Create bool            `json:"create"`
	Dir    string          `json:"dir"`
	Used   []DevcertSource `json:"used"`
}

type jsonDiagnostic struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *jsonRange `json:"range,omitempty"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// RenderJSON writes the machine-readable plan (plan -json, show -json
// FILE) as one JSON document followed by a newline. diags are the
// diagnostics to report (for a fresh plan, those Build returned, plus
// configuration warnings; for a saved plan, p.Diagnostics()). Sensitive
// values are masked.
//
// The resource changes are encoded one at a time into the document's
// skeleton rather than as one value: at 1,000 resources with 150
// certificates the document is 70 MB, and encoding it whole grew a buffer
// of that size by doubling before writing a byte.
func RenderJSON(w io.Writer, p *Plan, diags hcl.Diagnostics) error {
	doc := jsonPlan{
		FormatVersion:   FormatVersion,
		ResourceDrift:   []jsonDrift{},
		ResourceChanges: []jsonResourceChange{},
		OutputChanges:   map[string]jsonOutputChange{},
		Diagnostics:     jsonDiagnostics(diags),
		Targets:         []string{},
	}
	var shares map[shareKey]*setShare
	if p != nil {
		doc.TrustformVersion = p.TrustformVersion
		doc.Destroy = p.Destroy
		if len(p.Targets) > 0 {
			doc.Targets = p.Targets
		}
		for _, d := range p.Drift {
			typ, name, _ := strings.Cut(d.Address, ".")
			doc.ResourceDrift = append(doc.ResourceDrift, jsonDrift{
				Address: d.Address, Type: typ, Name: name, Status: string(d.Status),
				PID: d.Handle.PID, ContainerID: d.Handle.ContainerID,
			})
		}
		for _, o := range p.Outputs {
			oc := jsonOutputChange{Actions: JSONActions(o.Action), AfterUnknown: o.Unknown || o.AfterDevcert, Sensitive: o.Sensitive}
			if !o.Sensitive {
				oc.Before = rawOrNil(o.Before)
				if !o.AfterDevcert {
					oc.After = rawOrNil(o.After)
				}
			}
			doc.OutputChanges[o.Name] = oc
		}
		doc.Devcert = jsonDevcert{Create: p.Devcert.Create, Dir: p.Devcert.Dir, Used: p.Devcert.Used}
		shares = setShares(p, hasAfter)
		doc.TrustSets = jsonTrustSets(p, shares)
		doc.Summary = p.Summary()
	}
	if doc.Devcert.Used == nil {
		doc.Devcert.Used = []DevcertSource{}
	}
	if doc.TrustSets == nil {
		doc.TrustSets = []jsonTrustSet{}
	}
	var skeleton bytes.Buffer
	enc := json.NewEncoder(&skeleton)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if p == nil || len(p.Changes) == 0 {
		_, err := w.Write(skeleton.Bytes())
		return err
	}
	// A quote inside a string is escaped, so the unescaped key can only be
	// the field itself.
	const empty = `"resource_changes":[]`
	at := bytes.Index(skeleton.Bytes(), []byte(empty))
	if at < 0 {
		return fmt.Errorf("encoding the plan: no resource_changes in %.80q", skeleton.Bytes())
	}
	at += len(empty) - 1 // just after the '['
	bw := bufio.NewWriter(w)
	bw.Write(skeleton.Bytes()[:at])
	rc := newRenderCache(p.Dir)
	rc.sets = true
	rc.shares = shares
	var one bytes.Buffer
	enc = json.NewEncoder(&one)
	enc.SetEscapeHTML(false)
	for i, ch := range p.Changes {
		one.Reset()
		if err := enc.Encode(rc.jsonResourceChange(ch)); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.Write(skeleton.Bytes()[at:])
	return bw.Flush()
}

func rawOrNil(b []byte) json.RawMessage {
	if len(b) == 0 || !json.Valid(b) {
		return nil
	}
	return json.RawMessage(b)
}

func (rc *renderCache) jsonResourceChange(ch *Change) jsonResourceChange {
	jc := jsonChange{Actions: JSONActions(ch.Action), AfterUnknown: map[string]bool{}, Reasons: ch.Reasons}
	if ch.Before != nil {
		jc.Before, jc.BeforeSensitive = rc.jsonSpec(ch.Before, ch.Handle)
	}
	if ch.After != nil {
		var h runtimes.Handle
		if ch.Action == NoOp || ch.Action == Update {
			h = ch.Handle
		}
		jc.After, jc.AfterSensitive = rc.jsonSpec(ch.After, h)
		if sh := shareOf(rc.shares, ch); sh != nil {
			for k := range sh.env {
				delete(jc.After.Env, k)
			}
		}
		if ch.Action == Create || ch.Action == Replace {
			if ch.After.Kind == runtimes.KindContainer {
				jc.AfterUnknown["container_id"] = true
			} else {
				jc.AfterUnknown["pid"] = true
			}
		}
		if ch.DevcertPending {
			jc.AfterUnknown["certificates"] = true
			jc.AfterUnknown["files"] = true
		}
	}
	if ch.Action == Replace {
		for _, r := range ch.Reasons {
			if k, v, ok := strings.Cut(r, "."); ok {
				jc.ReplacePaths = append(jc.ReplacePaths, []string{k, v})
			} else {
				jc.ReplacePaths = append(jc.ReplacePaths, []string{r})
			}
		}
	}
	jr := jsonResourceChange{Address: ch.Address, Type: ch.Type, Name: ch.Name, Change: jc, ActionReason: ch.ActionReason}
	if ch.Action != Delete {
		for _, iv := range ownInherited(ch, shareOf(rc.shares, ch)) {
			if ch.After != nil && slices.Contains(ch.After.SensitiveEnv, iv.Name) {
				iv.Value = SensitiveMask
				if iv.Action == ActionKept {
					iv.Result = SensitiveMask
				}
			}
			iv.Result = (&Plan{Dir: rc.dir}).relPath(iv.Result)
			jr.InheritedTrustVariables = append(jr.InheritedTrustVariables, iv)
		}
	}
	if a, err := addrs.Parse(ch.Address); err == nil {
		jr.Index = a.Key.Value()
	}
	return jr
}

// jsonSpec is the JSON form of one spec, with paths relative to the
// configuration directory and sensitive values masked.
func (rc *renderCache) jsonSpec(s *state.Spec, h runtimes.Handle) (*jsonSpec, jsonSensitive) {
	var sens jsonSensitive
	js := &jsonSpec{
		Command:     maskArgs(s.Argv, s.SensitiveArgs),
		Args:        []string{},
		Env:         map[string]string{},
		WorkingDir:  s.WorkingDir,
		TrustScope:  string(s.Scope),
		TrustDir:    s.TrustDir,
		TrustSet:    s.TrustSet,
		LogPath:     s.LogPath,
		StopTimeout: s.StopTimeout.String(),
		DependsOn:   append([]string{}, s.DependsOn...),
		Watch:       s.Watch,
		Restart:     s.Restart,
		PID:         h.PID,
		ContainerID: h.ContainerID,
	}
	if js.Command == nil {
		js.Command = []string{}
	}
	if len(s.Argv) > 1 {
		js.Args = js.Command[1:]
	}
	sensEnv := map[string]bool{}
	for _, k := range s.SensitiveEnv {
		sensEnv[k] = true
	}
	for k, v := range s.Env {
		if sensEnv[k] {
			v = SensitiveMask
			if sens.Env == nil {
				sens.Env = map[string]bool{}
			}
			sens.Env[k] = true
		}
		js.Env[k] = v
	}
	if s.Container == nil && len(s.SensitiveArgs) > 0 {
		sens.Command = sensitiveFlags(len(s.Argv), s.SensitiveArgs)
	}
	if !rc.sets || s.TrustSet == "" {
		// In a plan, a spec in a set leaves its files and certificates to
		// the set, listed once in trust_sets.
		js.Certificates = rc.jsonCerts(s.Certificates)
		js.Files = rc.jsonFiles(s.Files)
	}
	if s.StartPeriod != 0 {
		js.StartPeriod = s.StartPeriod.String()
	}
	if s.ReadyWhen != nil {
		js.ReadyWhen = &jsonReady{TCP: s.ReadyWhen.TCP, HTTP: s.ReadyWhen.HTTP, Timeout: s.ReadyWhen.Timeout.String()}
	}
	if c := s.Container; c != nil {
		js.Args = maskArgs(c.Args, s.SensitiveArgs)
		if js.Args == nil {
			js.Args = []string{}
		}
		if len(s.SensitiveArgs) > 0 {
			sens.Args = sensitiveFlags(len(c.Args), s.SensitiveArgs)
		}
		js.Container = &jsonContainer{
			Name: c.Name, Image: c.Image, Entrypoint: c.Entrypoint,
			Ports: nonNil(c.Ports), Network: c.Network, Volumes: nonNil(c.Volumes),
			RuntimeArgs: nonNil(c.RuntimeArgs), Destination: c.Destination,
			OverwriteBundles: nonNil(c.OverwriteBundles), MergeImageBundle: c.MergeImage,
		}
	}
	return js, sens
}

// jsonCerts is the JSON form of a certificate list, shared by every spec
// with the same list: it must not be modified.
func (rc *renderCache) jsonCerts(certs []state.Certificate) []jsonCert {
	if len(certs) == 0 {
		return []jsonCert{}
	}
	key := certListID{&certs[0], len(certs)}
	if l, ok := rc.jsonLists[key]; ok {
		return l
	}
	out := make([]jsonCert, 0, len(certs))
	for _, c := range certs {
		jc := jsonCert{Subject: c.Subject, Issuer: c.Issuer, Source: c.Source}
		if c.SHA256 != "" {
			sha := c.SHA256
			na := c.NotAfter.UTC().Format(time.RFC3339)
			jc.SHA256, jc.NotAfter = &sha, &na
		}
		out = append(out, jc)
	}
	rc.jsonLists[key] = out
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sensitiveFlags(n int, idx []int) []bool {
	out := make([]bool, n)
	for _, i := range idx {
		if i >= 0 && i < n {
			out[i] = true
		}
	}
	return out
}

// maskArgs copies args with sensitive positions masked.
func maskArgs(args []string, sensitive []int) []string {
	if args == nil {
		return nil
	}
	out := append([]string(nil), args...)
	for _, i := range sensitive {
		if i >= 0 && i < len(out) {
			out[i] = SensitiveMask
		}
	}
	return out
}

// relPath shows a path inside the configuration directory relative to it,
// slash-separated, so plans read the same on every machine.
func (p *Plan) relPath(path string) string {
	if p.Dir == "" {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(p.Dir, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

func jsonDiagnostics(diags hcl.Diagnostics) []jsonDiagnostic {
	out := []jsonDiagnostic{}
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if r := d.Subject; r != nil {
			jd.Range = &jsonRange{
				Filename: r.Filename,
				Start:    jsonPos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
				End:      jsonPos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
			}
		}
		out = append(out, jd)
	}
	return out
}

func (rc *renderCache) jsonFiles(files []state.File) []jsonFile {
	out := make([]jsonFile, 0, len(files))
	for _, f := range files {
		dir, base := rc.splitRel(f.Path)
		out = append(out, jsonFile{Path: dir + base, SHA256: f.SHA256, Link: f.Link})
	}
	return out
}

// jsonTrustSets lists every set of the plan once.
func jsonTrustSets(p *Plan, shares map[shareKey]*setShare) []jsonTrustSet {
	rc := newRenderCache(p.Dir)
	out := make([]jsonTrustSet, 0, len(p.TrustSets))
	for _, s := range p.TrustSets {
		js := jsonTrustSet{
			Name: s.Name, Action: s.Action, Dir: p.relPath(s.Dir), Digest: s.Digest,
			Sources: nonNil(s.Sources), UsedBy: nonNil(s.UsedBy), Pending: s.Pending,
			Certificates: rc.jsonCerts(s.Certificates), Files: rc.jsonFiles(s.Files),
		}
		if s.Action == SetDelete {
			js.Files = []jsonFile{}
		}
		for _, sh := range sharesOf(shares, s.Dir) {
			if js.ByType == nil {
				js.ByType = map[string]jsonShare{}
			}
			in := make([]InheritedVar, 0, len(sh.inherited))
			for _, iv := range sh.inherited {
				iv.Result = p.relPath(iv.Result)
				in = append(in, iv)
			}
			js.ByType[sh.typ] = jsonShare{Env: sh.env, InheritedTrustVariables: in}
		}
		if s.PreviousDir != "" {
			js.Previous = &jsonPreviousSet{Name: s.PreviousName, Dir: p.relPath(s.PreviousDir), Certificates: rc.jsonCerts(s.Previous)}
		}
		out = append(out, js)
	}
	return out
}
