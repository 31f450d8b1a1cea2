//go:build linux

package e2e

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Helpers that write *.trust.hcl text. Tests spell out their resources;
// these only remove the repetition of the header and the env map.

// header turns the development certificate off unless a test asks for it,
// so every other test measures its own CA only, and declares one
// collection per CA file.
func header(devcert bool, caFiles map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "trustform {\n  developer_certificate_trust = %v\n}\n", devcert)
	names := make([]string, 0, len(caFiles))
	for n := range caFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\ncertificate_authority_collection %q {\n  files = [%q]\n}\n", n, caFiles[n])
	}
	return b.String()
}

// hclMap renders a map of strings as an HCL object, keys sorted.
func hclMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s = %s", k, strconv.Quote(m[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// hclList renders a list of strings.
func hclList(l ...string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// resourceBlock renders resource "typ" "name" with the given attribute
// lines; scope "" or "default" leaves certificate_trust_scope unset.
func resourceBlock(typ, name, scope string, lines ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nresource %q %q {\n", typ, name)
	for _, l := range lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	if scope != "" && scope != "default" {
		fmt.Fprintf(&b, "  certificate_trust_scope = %q\n", scope)
	}
	b.WriteString("}\n")
	return b.String()
}

// trusts is the attribute line naming collections.
func trusts(names ...string) string {
	refs := make([]string, len(names))
	for i, n := range names {
		refs[i] = "certificate_authority_collection." + n
	}
	return "certificate_authority_collections = [" + strings.Join(refs, ", ") + "]"
}

// freePort returns a loopback port that was free a moment ago, for servers
// that trustform launches (their port must be known at plan time, so they
// cannot bind :0 themselves). It is drawn at random from below the kernel's
// ephemeral range: every :0 listener and outgoing connection of the tests
// running in parallel takes its port from that range, so between this check
// and the server's bind only another freePort caller could take it.
func freePort(t *testing.T) int {
	t.Helper()
	lo, hi := 20000, 32000
	if data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(data)); len(f) == 2 {
			if first, err := strconv.Atoi(f[0]); err == nil && first > 12000 {
				lo, hi = first-12000, first-1
			}
		}
	}
	for range 200 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(hi-lo+1)))
		if err != nil {
			t.Fatal(err)
		}
		port := lo + int(n.Int64())
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatalf("no free loopback port in %d-%d after 200 tries", lo, hi)
	return 0
}

// scopeTest describes one resource type run once per scope against one
// server: every scope but none must reach it, none must fail with a
// certificate error.
type scopeTest struct {
	typ    string
	scopes []string // "default" leaves the scope unset
	// attrs are the type's own attribute lines (script, command, ...).
	attrs []string
	env   map[string]string
	// files maps project file names to e2e/testdata files.
	files map[string]string
	// reasons are the certificate errors scope none may fail with.
	reasons []string
	// requests is how many requests one successful client makes.
	requests int
	// prepare may add files or settings before apply.
	prepare func(p *project)
}

// run applies the resources, checks every RESULT and the server's count,
// and returns the project (destroyed at cleanup) for extra checks.
func (st scopeTest) run(t *testing.T) *project {
	t.Helper()
	s := startServer(t, "trustform e2e "+st.typ)
	hcl := header(false, map[string]string{"e2e": "ca.pem"})
	env := map[string]string{"E2E_URLS": s.URL}
	for k, v := range st.env {
		env[k] = v
	}
	for _, scope := range st.scopes {
		lines := append(append([]string{}, st.attrs...), "env = "+hclMap(env), trusts("e2e"))
		hcl += resourceBlock(st.typ, scope, scope, lines...)
	}
	p := newProject(t, map[string]string{"main.trust.hcl": hcl, "ca.pem": string(s.CA.PEM)})
	for dst, src := range st.files {
		p.copyTestdata(src, dst)
	}
	if st.prepare != nil {
		st.prepare(p)
	}
	p.apply()
	ok := 0
	for _, scope := range st.scopes {
		addr := st.typ + "." + scope
		if scope == "none" {
			p.expectFail(addr, st.reasons...)
		} else {
			p.expectOK(addr)
			ok++
		}
	}
	requests := st.requests
	if requests == 0 {
		requests = 1
	}
	wantHits(t, s, ok*requests)
	return p
}
