package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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
	// id tells apart values that show the same: a trust set's name, whose
	// content (and directory) changed.
	id string
}

func (v value) equal(o value) bool {
	if v.kind != o.kind || v.id != o.id {
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

// maskTagged is the mask shown for a sensitive value, followed by a tag
// that display removes: a digest of the value, so that a changed secret
// shows as changed (~ "API_TOKEN" = (sensitive value)) without being
// printed.
func maskTagged(v string) string {
	sum := sha256.Sum256([]byte(v))
	return SensitiveMask + "\x00" + hex.EncodeToString(sum[:8])
}

// display is how a rendered value is written: without maskTagged's tag.
func display(v string) string {
	shown, _, _ := strings.Cut(v, "\x00")
	return shown
}

// renderCache holds what one render call has already built, so the
// resources that share trust material do not build it again: 1,000
// resources sharing one 150-certificate collection quoted the same 150
// certificate lines a thousand times and made filepath.Rel of 301 files per
// resource that sit in two directories. It lives for one call only; a plan
// rendered twice is computed twice.
type renderCache struct {
	dir string // the configuration directory, Plan.Dir
	// certLine is the quoted line of one certificate.
	certLine map[certKey]string
	// certLists are whole certificate lists by the identity of their
	// backing array: resources of one plan share the list of their
	// material.
	certLists map[certListID][]string
	jsonLists map[certListID][]jsonCert
	// relDirs is how the files of one directory show; lastDir is the one
	// looked up last, since consecutive files share a directory.
	relDirs map[string]relDir
	lastKey string
	lastDir relDir
	// dirDigests is the short digest of a certs/ directory by the text it
	// is computed from: resources with the same material have the same
	// names and contents there, and comparing is cheaper than SHA-256.
	dirDigests map[string]string
	// scratch is reused for that text of the first certs/ directory of
	// each spec (there is usually one).
	scratch []byte
	// sets is set by the plan views, which list each trust set once in
	// their own section: a resource then shows only its set's name, and
	// paths into the set's directory as ${trust_set.NAME}/...
	sets bool
	// shares, when set, are the trust variables and inherited decisions
	// each group of resources shares with its set, which a create then
	// leaves to the set's listing (see setShares).
	shares map[shareKey]*setShare
}

func newRenderCache(dir string) *renderCache {
	return &renderCache{
		dir:        dir,
		certLine:   map[certKey]string{},
		certLists:  map[certListID][]string{},
		jsonLists:  map[certListID][]jsonCert{},
		relDirs:    map[string]relDir{},
		dirDigests: map[string]string{},
	}
}

// certKey is what a certificate line shows: the expiry is shown as a
// date, so seconds are precise enough to tell two lines apart.
type certKey struct {
	sha, subject string
	notAfter     int64
}

type certListID struct {
	first *state.Certificate
	n     int
}

// relDir is how the paths in one directory show: relative to the
// configuration directory when they are inside it, absolute otherwise.
type relDir struct {
	rel  string // relative directory with a trailing slash; "" for the configuration directory itself
	abs  string // the directory as given, slash-separated, with a trailing slash
	top  bool   // the directory is the configuration directory
	keep bool   // show paths in it absolute (not inside the configuration directory)
	// ancestor: the directory holds the configuration directory, so one
	// of its entries is the configuration directory itself, shown as ".".
	ancestor bool
}

// splitRel is path.Split(p.relPath(file)), with filepath.Rel done once per
// directory rather than once per file.
func (rc *renderCache) splitRel(file string) (dir, base string) {
	if rc.dir == "" {
		return path.Split(filepath.ToSlash(file))
	}
	i := len(file) - 1
	for i >= 0 && !os.IsPathSeparator(file[i]) {
		i--
	}
	base = file[i+1:]
	if i < 0 || base == "" || base == "." || base == ".." {
		return path.Split((&Plan{Dir: rc.dir}).relPath(file))
	}
	key := file[:i+1]
	d, ok := rc.lastDir, key == rc.lastKey
	if !ok {
		d, ok = rc.relDirs[key]
	}
	if !ok {
		d.abs = filepath.ToSlash(key)
		rel, err := filepath.Rel(rc.dir, key)
		switch {
		case err != nil:
			d.keep = true
		case strings.HasPrefix(rel, ".."):
			d.keep = true
			d.ancestor = strings.Trim(strings.ReplaceAll(filepath.ToSlash(rel), "..", ""), "/") == ""
		case rel == ".":
			d.top = true
		default:
			d.rel = filepath.ToSlash(rel) + "/"
		}
		rc.relDirs[key] = d
	}
	rc.lastKey, rc.lastDir = key, d
	if d.ancestor {
		return path.Split((&Plan{Dir: rc.dir}).relPath(file))
	}
	// A name starting with ".." right in the configuration directory looks
	// like a way out of it to relPath, which then keeps the path absolute.
	if d.keep || d.top && strings.HasPrefix(base, "..") {
		return d.abs, base
	}
	return d.rel, base
}

// specAttrs are the attributes shown for one spec. handle supplies pid or
// container_id; unknownID shows it as known after apply.
func (rc *renderCache) specAttrs(s *state.Spec, pid int, containerID string, unknownID, pending bool) map[string]value {
	a := map[string]value{}
	if s == nil {
		return a
	}
	container := s.Container != nil || s.Kind == runtimes.KindContainer
	inSet := rc.sets && s.TrustSet != "" && s.TrustDir != ""
	show := func(v string) string { return v }
	if inSet {
		ref := "${trust_set." + s.TrustSet + "}"
		show = func(v string) string { return moveDirIn(v, s.TrustDir, ref) }
	}
	if !container {
		argv := s.Argv
		if inSet {
			argv = make([]string, len(s.Argv))
			for i, v := range s.Argv {
				argv[i] = show(v)
			}
		}
		a["command"] = quotedList(argv, s.SensitiveArgs)
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
				m[k] = maskTagged(v)
			} else {
				m[k] = strconv.Quote(show(v))
			}
		}
		a["env"] = value{kind: vMap, m: m}
	}
	a["trust_scope"] = quoted(string(s.Scope))
	if s.TrustSet != "" {
		a["trust_set"] = value{kind: vScalar, scalar: strconv.Quote(s.TrustSet), id: s.TrustDir}
	}
	// In a set, certificates and files are the set's, shown once.
	if !inSet {
		if len(s.Certificates) > 0 {
			a["certificates"] = value{kind: vList, list: rc.certLines(s.Certificates)}
		}
		if pending {
			a["files"] = scalar(knownAfterApply)
		} else if len(s.Files) > 0 {
			a["files"] = value{kind: vList, list: rc.fileLines(s)}
		}
	}
	if s.StopTimeout != 0 {
		a["stop_timeout"] = quoted(s.StopTimeout.String())
	}
	// Shown only when set to something else than the default, so that
	// plans do not grow a line per resource that nobody wrote.
	if s.StartPeriod != 0 && s.StartPeriod != defaultStartPeriod {
		a["start_period"] = quoted(s.StartPeriod.String())
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
	a["watch"] = quotedList(s.Watch, nil)
	// Shown only when it is not the default, like start_period.
	if p := restartPolicy(s.Restart); p != "no" {
		a["restart"] = quoted(p)
	}
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
// still changes whenever the set does. The result is shared by every caller
// with the same list and must not be modified.
func (rc *renderCache) certLines(certs []state.Certificate) []string {
	if len(certs) == 0 {
		return nil
	}
	key := certListID{&certs[0], len(certs)}
	if l, ok := rc.certLists[key]; ok {
		return l
	}
	list := make([]string, 0, len(certs))
	var system []string
	for _, c := range certs {
		if c.Source == sourceSystem {
			system = append(system, c.SHA256)
			continue
		}
		list = append(list, rc.certLineOf(c))
	}
	if len(system) > 0 {
		h := sha256.Sum256([]byte(strings.Join(system, "\n")))
		list = append(list, strconv.Quote(strconv.Itoa(len(system))+" system root certificates (set digest "+short(hex.EncodeToString(h[:]))+")"))
	}
	rc.certLists[key] = list
	return list
}

func (rc *renderCache) certLineOf(c state.Certificate) string {
	k := certKey{sha: c.SHA256, subject: c.Subject, notAfter: c.NotAfter.Unix()}
	if l, ok := rc.certLine[k]; ok {
		return l
	}
	l := certLine(c)
	rc.certLine[k] = l
	return l
}

// certLine shows one certificate: subject, fingerprint prefix, expiry.
func certLine(c state.Certificate) string {
	if c.SHA256 == "" {
		return strconv.Quote(c.Subject + " (created by apply)")
	}
	return strconv.Quote(c.Subject + " (sha256 " + short(c.SHA256) + ", expires " + c.NotAfter.UTC().Format("2006-01-02") + ")")
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
func (rc *renderCache) fileLines(s *state.Spec) []string {
	var out []string
	type dirSum struct {
		dir              string
		at, files, links int
		h                []byte // what the digest is computed from
	}
	// Usually one certs/ directory: a slice beats a map.
	var dirs []*dirSum
	for _, f := range s.Files {
		dir, base := rc.splitRel(f.Path)
		if strings.HasSuffix(dir, "/certs/") {
			var d *dirSum
			for _, x := range dirs {
				if x.dir == dir {
					d = x
					break
				}
			}
			if d == nil {
				d = &dirSum{dir: dir, at: len(out)}
				if len(dirs) == 0 {
					d.h = rc.scratch[:0]
				}
				dirs = append(dirs, d)
				out = append(out, "")
			}
			if f.Link != "" {
				d.links++
			} else {
				d.files++
			}
			d.h = append(d.h, base...)
			d.h = append(d.h, 0)
			d.h = append(d.h, f.SHA256...)
			d.h = append(d.h, 0)
			d.h = append(d.h, f.Link...)
			d.h = append(d.h, '\n')
			continue
		}
		out = append(out, strconv.Quote(dir+base+" (sha256 "+short(f.SHA256)+")"))
	}
	if len(dirs) > 0 {
		defer func() { rc.scratch = dirs[0].h }()
	}
	for _, d := range dirs {
		digest, ok := rc.dirDigests[string(d.h)]
		if !ok {
			sum := sha256.Sum256(d.h)
			digest = short(hex.EncodeToString(sum[:]))
			rc.dirDigests[string(d.h)] = digest
		}
		out[d.at] = strconv.Quote(d.dir + " (" + strconv.Itoa(d.files) + " certificates, " + strconv.Itoa(d.links) +
			" hash links, sha256 " + digest + ")")
	}
	return out
}

func sortedAttrNames(sets ...map[string]value) []string {
	n := 0
	for _, s := range sets {
		n += len(s)
	}
	out := make([]string, 0, n)
	for _, s := range sets {
		for k := range s {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// defaultStartPeriod is lang.DefaultStartPeriod as a duration: plans show
// start_period only when it differs.
const defaultStartPeriod = 500 * time.Millisecond
