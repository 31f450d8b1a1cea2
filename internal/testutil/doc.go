// Package testutil holds the helpers the tests of several packages share,
// so that each exists once:
//
//   - CA, TLSServer and InspectingProxy: a throwaway certificate authority
//     whose leaves pass strict RFC 5280 checks, a loopback HTTPS server and
//     a TLS-inspecting proxy, for real handshakes;
//   - Project: a configuration directory the real trustform runs in (the
//     built binary, or the test binary acting as it), with CleanEnv for an
//     environment free of the developer's settings;
//   - NeedTool and Required: skip with an install hint when a tool is
//     missing, but fail in CI, where TRUSTFORM_E2E=require promises it;
//   - Alive and ProcState: is a process still running, zombies counted as
//     gone;
//   - LockedBuffer: a buffer one goroutine writes while another reads.
//
// Only tests import this package.
//
//	openssl := testutil.NeedTool(t, "openssl", "apt-get install -y openssl")
package testutil
