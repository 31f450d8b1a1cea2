//go:build linux

package e2e

import (
	"os"
	"strconv"
	"testing"
)

// TestContainerSystemKeepsImageRoots runs a Go client in an image that
// ships its own bundle (/etc/ssl/certs/ca-certificates.crt holding a CA of
// its own) under podman. In system scope it must trust both the
// collection's server and the server only the image's CA vouches for: the
// bundle and directories SSL_CERT_FILE and SSL_CERT_DIR name keep the
// image's roots. Before issue 13 system behaved like override there:
// SSL_CERT_FILE named trustform's bundle only, and Go (which reads only
// that file when it is set) lost the image's roots. override still trusts
// the collection only.
func TestContainerSystemKeepsImageRoots(t *testing.T) {
	start(t)
	env := needPodman(t)
	client, err := os.ReadFile(goClientBinary(t))
	must(t, err)
	s := startServer(t, "trustform e2e collection")
	img := startServer(t, "trustform e2e image root")
	image := importImage(t, env, map[string][]byte{
		"/client":                            client,
		"/etc/ssl/certs/ca-certificates.crt": img.CA.PEM,
	})
	p := newProject(t, map[string]string{"ca.pem": string(s.CA.PEM)})
	p.setenv(env...)
	p.engine = "podman"
	container := func(name, scope string, urls ...string) string {
		return resourceBlock("container", name, scope,
			"image = "+strconv.Quote(image), `entrypoint = "/client"`, `network = "host"`,
			"args = "+hclList(urls...), trusts("e2e"))
	}
	p.Write("main.trust.hcl", `trustform {
  developer_certificate_trust = false
  container_runtime           = "podman"
}
certificate_authority_collection "e2e" {
  files = ["ca.pem"]
}
`+container("system", "system", s.URL, img.URL)+
		container("override", "override", img.URL)+
		container("override_ours", "override", s.URL))
	p.apply()
	p.checkOK("container.system", p.containerResult("container.system"))
	p.checkFail("container.override", p.containerResult("container.override"), goCertErrors)
	p.checkOK("container.override_ours", p.containerResult("container.override_ours"))
	wantHits(t, s, 2)
	wantHits(t, img, 1)
}
