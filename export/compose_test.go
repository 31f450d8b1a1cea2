package export

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
)

// writeOut writes an export's files under dir.
func writeOut(t *testing.T, dir string, files []File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadCompose reads a Compose file back with compose-go, as docker compose
// does, so the test checks the model a client sees, not our text.
func loadCompose(t *testing.T, dir string) *types.Project {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, ComposeFileName)}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("export-test", true) })
	if err != nil {
		t.Fatalf("compose-go cannot load the export: %v", err)
	}
	return p
}

func TestComposeGoldenAndModel(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	// Written inside the configuration directory, so the user's ./data
	// volume becomes ../data, whatever the machine's paths.
	outDir := filepath.Join(p.Dir, "exported")
	out, err := Compose(context.Background(), p, Options{ImageFiles: (&fakeImages{}).read, OutDir: outDir})
	if err != nil {
		t.Fatal(err)
	}
	if out.Files[0].Path != ComposeFileName {
		t.Fatalf("first file is %s", out.Files[0].Path)
	}
	golden(t, "compose.golden.yaml", out.Files[0].Data)
	var names []string
	for _, f := range out.Files {
		names = append(names, f.Path)
	}
	golden(t, "compose.files.golden", []byte(strings.Join(names, "\n")+"\n"))

	dir := t.TempDir()
	writeOut(t, dir, out.Files)
	proj := loadCompose(t, dir)
	if d := cmp.Diff([]string{"api", "legacy", "plain", "worker"}, proj.ServiceNames()); d != "" {
		t.Fatalf("services (-want +got):\n%s", d)
	}
	binds := func(s types.ServiceConfig) map[string]string {
		m := map[string]string{}
		for _, v := range s.Volumes {
			rel, err := filepath.Rel(dir, v.Source)
			if err != nil {
				rel = v.Source
			}
			if !v.ReadOnly {
				rel += " (rw)"
			}
			m[v.Target] = filepath.ToSlash(rel)
		}
		return m
	}
	envOf := func(s types.ServiceConfig) map[string]string {
		m := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				m[k] = *v
			}
		}
		return m
	}

	api := proj.Services["api"]
	if d := cmp.Diff(map[string]string{"LOG_LEVEL": "info", "SSL_CERT_DIR": "/usr/lib/ssl/trustform/certs:/opt/certs"}, envOf(api)); d != "" {
		t.Errorf("api env (-want +got):\n%s", d)
	}
	if got := binds(api)["/usr/lib/ssl/trustform"]; got != "trust/trust-corp-386dbca7938b" {
		t.Errorf("api trust mount: %q", got)
	}
	// ./data was relative to the configuration directory.
	if got := api.Volumes[0].Source; got != filepath.Join(filepath.Dir(dir), "data") {
		t.Errorf("api user volume source %q", got)
	}
	if len(api.Ports) != 2 || api.Ports[0].Published != "8443" || api.Ports[0].Target != 443 || api.Ports[1].HostIP != "127.0.0.1" {
		t.Errorf("api ports: %+v", api.Ports)
	}
	if d := cmp.Diff(types.ShellCommand{"/api"}, api.Entrypoint); d != "" {
		t.Errorf("entrypoint:\n%s", d)
	}

	w := proj.Services["worker"]
	if w.NetworkMode != "host" {
		t.Errorf("worker network_mode %q", w.NetworkMode)
	}
	if d := cmp.Diff(map[string]string{
		"/usr/lib/ssl/trustform":             "trust/trust-corp-386dbca7938b",
		"/etc/ssl/certs/ca-certificates.crt": "trust/trust-corp-386dbca7938b/cert.pem",
	}, binds(w)); d != "" {
		t.Errorf("override mounts (-want +got):\n%s", d)
	}

	l := proj.Services["legacy"]
	merged := binds(l)["/etc/ssl/certs/ca-certificates.crt"]
	if !strings.HasPrefix(merged, "bundles/") {
		t.Fatalf("system bundle mount: %v", binds(l))
	}
	data, err := os.ReadFile(filepath.Join(dir, merged))
	if err != nil {
		t.Fatal(err)
	}
	corp, _ := os.ReadFile("testdata/project/certs/corp-ca.pem")
	extra, _ := os.ReadFile("testdata/project/certs/extra-ca.pem")
	if string(data) != imageRoots+string(corp)+string(extra) {
		t.Errorf("system bundle is not the image's followed by ours:\n%s", data)
	}
	// Subject-hash names are files (copies), so the directory works from
	// any host, Windows included.
	hashFile, err := os.ReadFile(filepath.Join(dir, "trust/trust-corp-386dbca7938b/certs/3552cfd3.0"))
	if err != nil || string(hashFile) != string(corp) {
		t.Errorf("certs/3552cfd3.0: %v %q", err, hashFile)
	}

	pl := proj.Services["plain"]
	if len(pl.Volumes) != 0 || len(pl.Environment) != 0 {
		t.Errorf("scope none got trust: %+v %+v", pl.Volumes, pl.Environment)
	}
	if pl.Labels[LabelAddress] != "container.plain" || pl.Labels[LabelManagedBy] != "trustform" {
		t.Errorf("labels %v", pl.Labels)
	}
}

// TestComposeDependsOn: docker-compose 1.29 rejects the long depends_on
// form compose-go writes ("required"), so the order is a warning instead.
func TestComposeDependsOn(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	for _, c := range p.Changes {
		if c.Address == "container.worker" {
			c.After.DependsOn = []string{"container.api", "executable.tool"}
		}
	}
	out, err := Compose(context.Background(), p, Options{SkipImageRoots: true, OutDir: filepath.Join(p.Dir, "exported")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out.Files[0].Data), "depends_on") {
		t.Errorf("depends_on written:\n%s", out.Files[0].Data)
	}
	if !strings.Contains(strings.Join(out.Warnings, "\n"), "container.worker: depends_on api is not written") {
		t.Errorf("warnings: %q", out.Warnings)
	}
}
