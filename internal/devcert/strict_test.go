package devcert

import (
	"context"
	"crypto/tls"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/testutil"
)

// These tests hold the CA to what real verifiers demand; they use the real
// clock because openssl and Python do.

func TestOpenSSLVerifyStrict(t *testing.T) {
	openssl := testutil.NeedTool(t, "openssl", "apt-get install -y openssl")
	dir := t.TempDir()
	ca := create(t, dir, time.Now())
	for _, args := range [][]string{
		{"verify", "-x509_strict", "-CAfile", ca.Paths.CACert, ca.Paths.LeafCert},
		{"verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "localhost", "-CAfile", ca.Paths.CACert, ca.Paths.LeafCert},
		{"verify", "-x509_strict", "-purpose", "sslserver", "-verify_ip", "::1", "-CAfile", ca.Paths.CACert, ca.Paths.LeafCert},
		{"verify", "-x509_strict", "-verify_hostname", "host.containers.internal", "-CAfile", ca.Paths.CACert, ca.Paths.LeafCert},
	} {
		out, err := exec.Command(openssl, args...).CombinedOutput()
		if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), ": OK") {
			t.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// The check must be able to fail: a wrong name is refused.
	out, err := exec.Command(openssl, "verify", "-x509_strict", "-verify_hostname", "example.com",
		"-CAfile", ca.Paths.CACert, ca.Paths.LeafCert).CombinedOutput()
	if err == nil {
		t.Errorf("openssl accepted a wrong host name:\n%s", out)
	}
}

const pythonClient = `
import socket, ssl, sys
ca, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
ctx.load_verify_locations(cafile=ca)
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
    with ctx.wrap_socket(sock, server_hostname=name) as tls:
        print("OK", tls.version())
`

func TestPythonStrictHandshake(t *testing.T) {
	python := testutil.NeedTool(t, "python3", "apt-get install -y python3")
	dir := t.TempDir()
	ca := create(t, dir, time.Now())
	pair, err := tls.LoadX509KeyPair(ca.Paths.LeafCert, ca.Paths.LeafKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(30 * time.Second))
				if err := conn.(*tls.Conn).Handshake(); err == nil {
					conn.Write([]byte("hi"))
				}
			}()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for _, name := range []string{"localhost", "127.0.0.1"} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, python, "-c", pythonClient, ca.Paths.CACert, port, name).CombinedOutput()
		cancel()
		if err != nil || !strings.HasPrefix(string(out), "OK ") {
			t.Errorf("python strict handshake as %s: %v\n%s", name, err, out)
		}
	}
	// And it can fail: a name the certificate does not hold is refused.
	out, err := exec.Command(python, "-c", pythonClient, ca.Paths.CACert, port, "example.com").CombinedOutput()
	if err == nil {
		t.Errorf("python accepted a wrong host name:\n%s", out)
	}
}
