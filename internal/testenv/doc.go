// Package testenv lets tests that need an external tool (openssl, python3,
// node, curl, podman) skip with an install hint on developer machines, yet
// fail in CI where TRUSTFORM_E2E=require promises every tool is present.
//
// Usage:
//
//	openssl := testenv.NeedTool(t, "openssl", "apt-get install -y openssl")
package testenv
