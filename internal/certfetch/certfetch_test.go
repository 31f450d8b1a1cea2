package certfetch

import (
	"context"
	"crypto/x509"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com":            "example.com:443",
		"https://example.com:8443/a?b=c": "example.com:8443",
		"wss://example.com/socket":       "example.com:443",
		"example.com:8443":               "example.com:8443",
		"example.com":                    "example.com:443",
		"127.0.0.1:9443":                 "127.0.0.1:9443",
		"[::1]:9443":                     "[::1]:9443",
		"https://[::1]/":                 "[::1]:443",
	} {
		got, err := ParseTarget(in)
		if err != nil || got.Addr() != want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %s", in, got.Addr(), err, want)
		}
	}
	for in, want := range map[string]string{
		"":                   "no server given",
		"http://example.com": "http:// is not TLS; use https://",
		"ftp://example.com":  `scheme "ftp" is not supported`,
		"example.com:0":      "port \"0\" is not a number from 1 to 65535",
		"example.com:https":  "not a number",
		"https:///path":      "has no host name",
		"example.com/path x": "neither a URL nor HOST:PORT",
	} {
		if _, err := ParseTarget(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTarget(%q): error %v, want it to say %q", in, err, want)
		}
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestProxyFor(t *testing.T) {
	target := Target{Host: "api.corp.example", Port: "443"}
	for _, tc := range []struct {
		env  []string
		want string // proxy URL, "" for direct
		from string
	}{
		{nil, "", ""},
		{[]string{"HTTPS_PROXY", "http://proxy.corp:3128"}, "http://proxy.corp:3128", "HTTPS_PROXY"},
		{[]string{"https_proxy", "proxy.corp:8080", "HTTPS_PROXY", "http://other:1"}, "http://proxy.corp:8080", "https_proxy"},
		{[]string{"HTTPS_PROXY", "proxy.corp"}, "http://proxy.corp:1080", "HTTPS_PROXY"},
		{[]string{"ALL_PROXY", "http://all:3128"}, "http://all:3128", "ALL_PROXY"},
		{[]string{"HTTP_PROXY", "http://plain:3128"}, "", ""}, // http_proxy is for http:// only
		{[]string{"HTTPS_PROXY", "http://p:1", "NO_PROXY", "corp.example"}, "", ""},
		{[]string{"HTTPS_PROXY", "http://p:1", "NO_PROXY", ".corp.example"}, "", ""},
		{[]string{"HTTPS_PROXY", "http://p:1", "NO_PROXY", "*.corp.example"}, "", ""},
		{[]string{"HTTPS_PROXY", "http://p:1", "no_proxy", "localhost, *"}, "", ""},
		{[]string{"HTTPS_PROXY", "http://p:1", "NO_PROXY", "example"}, "", ""},
		{[]string{"HTTPS_PROXY", "http://p:1", "NO_PROXY", "xample, api.corp.example:8443"}, "http://p:1", "HTTPS_PROXY"},
		{[]string{"HTTPS_PROXY", "http://p:1", "NO_PROXY", "api.corp.example:443"}, "", ""},
		{[]string{"HTTPS_PROXY", "http://user:secret@p:1"}, "http://user:secret@p:1", "HTTPS_PROXY"},
	} {
		p, err := ProxyFor(target, env(tc.env...))
		got, from := "", ""
		if p != nil {
			got, from = p.URL.String(), p.Var
		}
		if err != nil || got != tc.want || from != tc.from {
			t.Errorf("%v: proxy %q from %q (err %v), want %q from %q", tc.env, got, from, err, tc.want, tc.from)
		}
	}

	ip := Target{Host: "10.1.2.3", Port: "443"}
	for list, exempt := range map[string]bool{
		"10.0.0.0/8": true, "10.1.2.3": true, "10.1.2.4": false, "192.168.0.0/16": false, "127.0.0.1": false,
	} {
		p, _ := ProxyFor(ip, env("HTTPS_PROXY", "http://p:1", "NO_PROXY", list))
		if (p == nil) != exempt {
			t.Errorf("NO_PROXY=%s for 10.1.2.3: direct %v, want %v", list, p == nil, exempt)
		}
	}
	// Loopback goes through the proxy unless NO_PROXY says otherwise, as
	// curl does (the proxy may be what re-signs it).
	if p, _ := ProxyFor(Target{Host: "127.0.0.1", Port: "8443"}, env("HTTPS_PROXY", "http://p:1")); p == nil {
		t.Error("loopback bypassed the proxy")
	}
	for _, bad := range []string{"socks5://p:1080", "https://p:443", "http://"} {
		if _, err := ProxyFor(target, env("HTTPS_PROXY", bad)); err == nil || !strings.Contains(err.Error(), "HTTPS_PROXY="+bad) {
			t.Errorf("HTTPS_PROXY=%s: error %v", bad, err)
		}
	}
}

func fetch(t *testing.T, target string, proxy string) *Result {
	t.Helper()
	tg, err := ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Target: tg, Timeout: 20 * time.Second}
	if proxy != "" {
		opts.Proxy, err = ProxyFor(tg, env("HTTPS_PROXY", proxy))
		if err != nil || opts.Proxy == nil {
			t.Fatalf("proxy %v %v", opts.Proxy, err)
		}
	}
	r, err := Fetch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFetchDirect reads a plain loopback TLS server's chain: its own
// certificate and its CA, which is the root.
func TestFetchDirect(t *testing.T) {
	srv := testutil.StartTLSServer(t, "Direct Test CA", true)
	r := fetch(t, srv.URL, "")
	if len(r.Chain) != 2 || !r.Chain[1].Equal(srv.CA.Cert) || r.Proxy != nil {
		t.Fatalf("chain of %d, proxy %v", len(r.Chain), r.Proxy)
	}
	a := Analyze(r.Chain, "127.0.0.1", nil, time.Now())
	if a.Root == nil || !a.Root.Equal(srv.CA.Cert) || a.RootIndex != 1 || !a.TopSelfSigned || a.RootInSystem || a.SystemTrusts {
		t.Errorf("analysis %+v", a)
	}
	if a.SystemErr == nil || !strings.Contains(a.SystemErr.Error(), "unknown authority") {
		t.Errorf("system error %v", a.SystemErr)
	}
	// With the CA in the system store, the chain is trusted and the root
	// is known to be there.
	a = Analyze(r.Chain, "127.0.0.1", []*x509.Certificate{srv.CA.Cert}, time.Now())
	if !a.SystemTrusts || !a.RootInSystem {
		t.Errorf("with the CA in the system store: %+v", a)
	}
	if srv.Hits() != 0 {
		t.Errorf("fetch sent %d requests; it must send no application data", srv.Hits())
	}
}

// TestFetchLeafOnly: a server that sends only its own certificate. The
// top is not self-signed, so the root is the system's certificate of its
// issuer, when the system has it.
func TestFetchLeafOnly(t *testing.T) {
	srv := testutil.StartTLSServer(t, "Leaf Only CA", false)
	r := fetch(t, srv.Addr, "")
	if len(r.Chain) != 1 {
		t.Fatalf("chain of %d", len(r.Chain))
	}
	a := Analyze(r.Chain, "127.0.0.1", []*x509.Certificate{testutil.NewCA(t, "Leaf Only CA").Cert}, time.Now())
	if a.Root != nil || a.TopSelfSigned || a.Top.Issuer.CommonName != "Leaf Only CA" {
		t.Errorf("a CA of the same name but another key was taken as the issuer: %+v", a)
	}
	a = Analyze(r.Chain, "127.0.0.1", []*x509.Certificate{srv.CA.Cert}, time.Now())
	if a.Root == nil || !a.Root.Equal(srv.CA.Cert) || a.RootIndex != -1 || !a.RootInSystem || !a.SystemTrusts {
		t.Errorf("analysis %+v", a)
	}
}

// TestFetchThroughInspectingProxy: through HTTPS_PROXY, the chain is the
// proxy's forgery for the requested host, rooted in the proxy's CA, and
// fetching sends nothing through the tunnel.
func TestFetchThroughInspectingProxy(t *testing.T) {
	srv := testutil.StartTLSServer(t, "Real Server CA", true)
	pool := x509.NewCertPool()
	pool.AddCert(srv.CA.Cert)
	proxy := testutil.StartInspectingProxy(t, "Corp Inspection CA", pool, true)
	r := fetch(t, srv.URL, proxy.URL)
	if r.Proxy == nil || r.Proxy.Var != "HTTPS_PROXY" || len(r.Chain) != 2 {
		t.Fatalf("proxy %v, chain of %d", r.Proxy, len(r.Chain))
	}
	if r.Chain[0].Issuer.CommonName != "Corp Inspection CA" || !r.Chain[1].Equal(proxy.CA.Cert) {
		t.Errorf("chain is not the proxy's: issuer %s", r.Chain[0].Issuer)
	}
	a := Analyze(r.Chain, "127.0.0.1", []*x509.Certificate{srv.CA.Cert}, time.Now())
	if a.Root == nil || !a.Root.Equal(proxy.CA.Cert) || a.SystemTrusts {
		t.Errorf("analysis %+v", a)
	}
	if proxy.Connects() != 1 || proxy.Relayed() != 0 || srv.Hits() != 0 {
		t.Errorf("connects %d, relayed %d, server hits %d: want 1 CONNECT and no application data", proxy.Connects(), proxy.Relayed(), srv.Hits())
	}
}

// TestFetchProxyRefuses: a proxy that wants credentials; the error says
// how to give them.
func TestFetchProxyRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		c.Read(buf)
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
	}()
	u, _ := url.Parse("http://" + ln.Addr().String())
	_, err = Fetch(context.Background(), Options{Target: Target{Host: "example.com", Port: "443"}, Proxy: &Proxy{URL: u, Var: "HTTPS_PROXY"}, Timeout: 10 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "refused CONNECT example.com:443: 407 Proxy Authentication Required") ||
		!strings.Contains(err.Error(), "HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT") {
		t.Errorf("error %v", err)
	}
}

// TestFetchTimeout: a server that accepts and never answers does not hang
// the fetch.
func TestFetchTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(5 * time.Second)
		}
	}()
	tg, _ := ParseTarget(ln.Addr().String())
	start := time.Now()
	_, err = Fetch(context.Background(), Options{Target: tg, Timeout: 300 * time.Millisecond})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("error %v after %v", err, time.Since(start))
	}
}
