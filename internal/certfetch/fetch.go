package certfetch

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Options say where and how to connect.
type Options struct {
	Target Target
	// Proxy is the proxy to tunnel through with CONNECT; nil connects
	// directly. ProxyFor picks it from the environment.
	Proxy *Proxy
	// Dial opens TCP connections; nil uses a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds the whole fetch; 0 means 30 seconds.
	Timeout time.Duration
}

// Result is what the server presented.
type Result struct {
	Target Target
	Proxy  *Proxy
	// Chain is the certificates in the order the server sent them, its
	// own first.
	Chain []*x509.Certificate
	// Version is the negotiated TLS version (tls.VersionName names it).
	Version uint16
}

// Fetch connects to the target (through the proxy when one is given),
// completes a TLS handshake only to read the chain, and closes the
// connection without sending application data.
func Fetch(ctx context.Context, opts Options) (*Result, error) {
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := opts.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	target := opts.Target.Addr()
	addr, via := target, ""
	if opts.Proxy != nil {
		addr = opts.Proxy.URL.Host
		via = fmt.Sprintf(" (the proxy from %s)", opts.Proxy.Var)
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s%s: %w", addr, via, err)
	}
	defer conn.Close()
	// The handshake and CONNECT have no context of their own.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if opts.Proxy != nil {
		if conn, err = connect(conn, opts.Proxy.URL, target); err != nil {
			return nil, withContext(ctx, err)
		}
	}
	// Verification is off for this one handshake, and only so that an
	// untrusted chain can be read and shown: the connection is closed
	// right after it, before any application data, so nothing relies on
	// the server's identity. Everything else trustform does verifies.
	cfg := &tls.Config{InsecureSkipVerify: true} // #nosec G402 -- reads the chain only, see above
	if net.ParseIP(opts.Target.Host) == nil {
		cfg.ServerName = opts.Target.Host
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, withContext(ctx, fmt.Errorf("TLS handshake with %s: %w", target, err))
	}
	st := tc.ConnectionState()
	tc.Close()
	if len(st.PeerCertificates) == 0 {
		return nil, fmt.Errorf("%s presented no certificate", target)
	}
	return &Result{Target: opts.Target, Proxy: opts.Proxy, Chain: st.PeerCertificates, Version: st.Version}, nil
}

func withContext(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", err, context.Cause(ctx))
	}
	return err
}

// connect asks the proxy for a tunnel to target with CONNECT, as curl and
// every other proxy-aware client does, sending Basic credentials when the
// proxy URL has them. It returns the tunnel.
func connect(conn net.Conn, proxy *url.URL, target string) (net.Conn, error) {
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{},
	}
	if u := proxy.User; u != nil {
		pass, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)))
	}
	if err := req.Write(conn); err != nil {
		return nil, fmt.Errorf("sending CONNECT %s to the proxy %s: %w", target, proxy.Host, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("reading the proxy %s's answer to CONNECT %s: %w", proxy.Host, target, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusProxyAuthRequired {
			hint = "; put the credentials in the proxy URL: HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT"
		}
		return nil, fmt.Errorf("the proxy %s refused CONNECT %s: %s%s", proxy.Host, target, resp.Status, hint)
	}
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn reads what the proxy sent after its answer before reading
// the connection itself.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
