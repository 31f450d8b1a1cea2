package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// Placeholders shown instead of values, as Terraform shows them.
const (
	knownAfterApply = "(known after apply)"
)

// valKind is the shape of an attribute value in the human and Markdown
// views.
type valKind int

const (
	vNone valKind = iota
	vScalar
	vList
	vMap
)

// value is an attribute value already rendered for display: strings
// quoted, sensitive values masked.
type value struct {
	kind   valKind
	scalar string
	list   []string
	m      map[string]string
}

func (v value) equal(o value) bool {
	if v.kind != o.kind {
		return false
	}
	switch v.kind {
	case vScalar:
		return v.scalar == o.scalar
	case vList:
		if len(v.list) != len(o.list) {
			return false
		}
		for i := range v.list {
			if v.list[i] != o.list[i] {
				return false
			}
		}
	case vMap:
		if len(v.m) != len(o.m) {
			return false
		}
		for k, x := range v.m {
			if y, ok := o.m[k]; !ok || x != y {
				return false
			}
		}
	}
	return true
}

func scalar(s string) value { return value{kind: vScalar, scalar: s} }

func quoted(s string) value {
	if s == "" {
		return value{}
	}
	return scalar(strconv.Quote(s))
}

func quotedList(list []string, sensitive []int) value {
	if len(list) == 0 {
		return value{}
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(s)
	}
	for _, i := range sensitive {
		if i >= 0 && i < len(out) {
			out[i] = SensitiveMask
		}
	}
	return value{kind: vList, list: out}
}

// specAttrs are the attributes shown for one spec. handle supplies pid or
// container_id; unknownID shows it as known after apply.
func (p *Plan) specAttrs(s *state.Spec, pid int, containerID string, unknownID, pending bool) map[string]value {
	a := map[string]value{}
	if s == nil {
		return a
	}
	container := s.Container != nil || s.Kind == runtimes.KindContainer
	if !container {
		a["command"] = quotedList(s.Argv, s.SensitiveArgs)
		a["working_dir"] = quoted(s.WorkingDir)
		a["log_path"] = quoted(s.LogPath)
	}
	if len(s.Env) > 0 {
		sens := map[string]bool{}
		for _, k := range s.SensitiveEnv {
			sens[k] = true
		}
		m := make(map[string]string, len(s.Env))
		for k, v := range s.Env {
			if sens[k] {
				m[k] = SensitiveMask
			} else {
				m[k] = strconv.Quote(v)
			}
		}
		a["env"] = value{kind: vMap, m: m}
	}
	a["trust_scope"] = quoted(string(s.Scope))
	if len(s.Certificates) > 0 {
		a["certificates"] = value{kind: vList, list: certLines(s.Certificates)}
	}
	if pending {
		a["files"] = scalar(knownAfterApply)
	} else if len(s.Files) > 0 {
		a["files"] = value{kind: vList, list: p.fileLines(s)}
	}
	if s.StopTimeout != 0 {
		a["stop_timeout"] = quoted(s.StopTimeout.String())
	}
	if rw := s.ReadyWhen; rw != nil {
		m := map[string]string{"timeout": strconv.Quote(rw.Timeout.String())}
		if rw.TCP != "" {
			m["tcp"] = strconv.Quote(rw.TCP)
		}
		if rw.HTTP != "" {
			m["http"] = strconv.Quote(rw.HTTP)
		}
		a["ready_when"] = value{kind: vMap, m: m}
	}
	a["depends_on"] = quotedList(s.DependsOn, nil)
	if c := s.Container; c != nil {
		a["image"] = quoted(c.Image)
		a["entrypoint"] = quoted(c.Entrypoint)
		a["args"] = quotedList(c.Args, s.SensitiveArgs)
		a["ports"] = quotedList(c.Ports, nil)
		a["network"] = quoted(c.Network)
		a["volumes"] = quotedList(c.Volumes, nil)
		a["runtime_args"] = quotedList(c.RuntimeArgs, nil)
		a["container_name"] = quoted(c.Name)
		a["certificates_destination"] = quoted(c.Destination)
		a["overwrite_bundles"] = quotedList(c.OverwriteBundles, nil)
		if c.MergeImage {
			a["merge_image_bundle"] = scalar("true")
		}
	}
	id := "pid"
	if container {
		id = "container_id"
	}
	switch {
	case unknownID:
		a[id] = scalar(knownAfterApply)
	case pid != 0:
		a[id] = scalar(strconv.Itoa(pid))
	case containerID != "":
		a[id] = quoted(containerID)
	}
	for k, v := range a {
		if v.kind == vNone {
			delete(a, k)
		}
	}
	return a
}

// certLines shows the certificates one per line, except the system roots of
// system scope: a hundred-odd distribution roots would bury the few the user
// chose, so they are one line with their count and a digest of the set, which
// still changes whenever the set does.
func certLines(certs []state.Certificate) []string {
	var list []string
	var system []string
	for _, c := range certs {
		if c.Source == sourceSystem {
			system = append(system, c.SHA256)
			continue
		}
		list = append(list, certLine(c))
	}
	if len(system) > 0 {
		h := sha256.Sum256([]byte(strings.Join(system, "\n")))
		list = append(list, strconv.Quote(fmt.Sprintf("%d system root certificates (set digest %s)", len(system), short(hex.EncodeToString(h[:])))))
	}
	return list
}

// certLine shows one certificate: subject, fingerprint prefix, expiry.
func certLine(c state.Certificate) string {
	if c.SHA256 == "" {
		return strconv.Quote(c.Subject + " (created by apply)")
	}
	return strconv.Quote(fmt.Sprintf("%s (sha256 %s, expires %s)", c.Subject, short(c.SHA256), c.NotAfter.UTC().Format("2006-01-02")))
}

func short(sha string) string {
	if len(sha) > 16 {
		return sha[:16]
	}
	return sha
}

// fileLines lists trust files relative to the configuration directory.
// The per-certificate files and hash links of certs/ are summed up in one
// line (the certificates attribute already lists them), with a digest so
// any change in the directory shows.
func (p *Plan) fileLines(s *state.Spec) []string {
	var out []string
	type dirSum struct {
		at, files, links int
		h                []byte
	}
	dirs := map[string]*dirSum{}
	var order []string
	for _, f := range s.Files {
		rel := p.relPath(f.Path)
		dir, base := path.Split(rel)
		if strings.HasSuffix(dir, "/certs/") {
			d := dirs[dir]
			if d == nil {
				d = &dirSum{at: len(out)}
				dirs[dir] = d
				order = append(order, dir)
				out = append(out, "")
			}
			if f.Link != "" {
				d.links++
			} else {
				d.files++
			}
			d.h = append(d.h, base+"\x00"+f.SHA256+"\x00"+f.Link+"\n"...)
			continue
		}
		out = append(out, strconv.Quote(fmt.Sprintf("%s (sha256 %s)", rel, short(f.SHA256))))
	}
	for _, dir := range order {
		d := dirs[dir]
		sum := sha256.Sum256(d.h)
		out[d.at] = strconv.Quote(fmt.Sprintf("%s (%d certificates, %d hash links, sha256 %s)",
			dir, d.files, d.links, short(hex.EncodeToString(sum[:]))))
	}
	return out
}

func sortedAttrNames(sets ...map[string]value) []string {
	seen := map[string]bool{}
	for _, s := range sets {
		for k := range s {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
