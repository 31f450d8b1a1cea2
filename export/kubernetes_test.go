package export

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testNow is inside the validity of testdata/project/certs.
var testNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// imageRoots stands for the bundle the images in testdata/project ship.
const imageRoots = "-----BEGIN CERTIFICATE-----\nIMAGE ROOTS\n-----END CERTIFICATE-----\n"

// projectPlan plans a configuration directory as `trustform export` does:
// no state, every resource to create.
func projectPlan(t *testing.T, dir string) *plan.Plan {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.Load(dir, lang.Options{Now: testNow, GOOS: "linux"})
	if diags.HasErrors() {
		t.Fatalf("loading %s: %s", dir, diags.Error())
	}
	p, diags := plan.Build(&plan.Input{Config: cfg, Host: plan.Host{GOOS: "linux", Environ: map[string]string{}}, Now: testNow, Version: "test"})
	if diags.HasErrors() {
		t.Fatalf("planning %s: %s", dir, diags.Error())
	}
	return p
}

// fakeImages has /etc/ssl/certs/ca-certificates.crt in every image, and
// records what was asked.
type fakeImages struct{ asked []string }

func (f *fakeImages) read(_ context.Context, image string, paths []string) (map[string][]byte, error) {
	f.asked = append(f.asked, image+" "+strings.Join(paths, " "))
	out := map[string][]byte{}
	for _, p := range paths {
		if p == "/etc/ssl/certs/ca-certificates.crt" {
			out[p] = []byte(imageRoots)
		}
	}
	return out, nil
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./export -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; go test ./export -update rewrites it):\n%s", name, d)
	}
}

func TestKubernetesGolden(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	images := &fakeImages{}
	out, err := Kubernetes(context.Background(), p, Options{ImageFiles: images.read})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "kubernetes.golden.yaml", out.Stream)
	var names []string
	for _, f := range out.Files {
		names = append(names, f.Path)
	}
	golden(t, "kubernetes.files.golden", []byte(strings.Join(names, "\n")+"\n"))
	golden(t, "kubernetes.warnings.golden", []byte(strings.Join(out.Warnings, "\n")+"\n"))
	// Only override and system scope read the image; append covers
	// nothing of it.
	wantAsked := []string{
		"registry.example/legacy:7 /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt",
		"registry.example/worker:2 /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem /etc/pki/tls/cacert.pem /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/ssl/cert.pem",
	}
	if d := cmp.Diff(wantAsked, images.asked); d != "" {
		t.Errorf("images read (-want +got):\n%s", d)
	}

	// Two runs give the same bytes.
	again, err := Kubernetes(context.Background(), p, Options{ImageFiles: (&fakeImages{}).read})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Stream, again.Stream) {
		t.Error("two exports of one plan differ")
	}
}

// decodeStream splits a YAML stream into typed objects by kind.
func decodeStream(t *testing.T, stream []byte) (map[string]*corev1.ConfigMap, map[string]*appsv1.Deployment, map[string]*corev1.Service) {
	t.Helper()
	cms := map[string]*corev1.ConfigMap{}
	deps := map[string]*appsv1.Deployment{}
	svcs := map[string]*corev1.Service{}
	for _, doc := range strings.Split("\n"+string(stream), "\n"+documentSeparator) {
		var meta struct{ Kind string }
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("%v in:\n%s", err, doc)
		}
		var err error
		switch meta.Kind {
		case "ConfigMap":
			var cm corev1.ConfigMap
			err = yaml.UnmarshalStrict([]byte(doc), &cm)
			cms[cm.Name] = &cm
		case "Deployment":
			var d appsv1.Deployment
			err = yaml.UnmarshalStrict([]byte(doc), &d)
			deps[d.Name] = &d
		case "Service":
			var s corev1.Service
			err = yaml.UnmarshalStrict([]byte(doc), &s)
			svcs[s.Name] = &s
		default:
			t.Fatalf("unexpected kind %q", meta.Kind)
		}
		if err != nil {
			t.Fatalf("%s: %v", meta.Kind, err)
		}
	}
	return cms, deps, svcs
}

func env(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, e := range c.Env {
		m[e.Name] = e.Value
	}
	return m
}

func mounts(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, v := range c.VolumeMounts {
		m[v.MountPath] = v.Name + ":" + v.SubPath
	}
	return m
}

// TestKubernetesScopes checks the objects read back, scope by scope,
// against what a local apply gives the same containers.
func TestKubernetesScopes(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	out, err := Kubernetes(context.Background(), p, Options{ImageFiles: (&fakeImages{}).read})
	if err != nil {
		t.Fatal(err)
	}
	cms, deps, svcs := decodeStream(t, out.Stream)
	if len(deps) != 4 {
		t.Fatalf("want 4 Deployments (containers only), got %d", len(deps))
	}
	for name, d := range deps {
		if d.Labels[LabelManagedBy] != "trustform" || d.Spec.Template.Labels[LabelManagedBy] != "trustform" {
			t.Errorf("%s: labels %v", name, d.Labels)
		}
		if d.Annotations[AnnotationAddress] != "container."+name {
			t.Errorf("%s: address annotation %q", name, d.Annotations[AnnotationAddress])
		}
	}

	api := deps["api"].Spec.Template.Spec
	ctr := api.Containers[0]
	if d := cmp.Diff(map[string]string{
		"LOG_LEVEL":    "info",
		"SSL_CERT_DIR": "/usr/lib/ssl/trustform/certs:/opt/certs",
	}, env(ctr)); d != "" {
		t.Errorf("api env (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"--listen", ":8443", "--ca", "/usr/lib/ssl/trustform/cert.pem"}, ctr.Args); d != "" {
		t.Errorf("api args:\n%s", d)
	}
	if d := cmp.Diff(map[string]string{
		"/usr/lib/ssl/trustform":       "trust:",
		"/usr/lib/ssl/trustform/certs": "trust-certs:",
	}, mounts(ctr)); d != "" {
		t.Errorf("append mounts only our directory (-want +got):\n%s", d)
	}
	if api.HostNetwork {
		t.Error("api: hostNetwork without network = \"host\"")
	}
	svc := svcs["api"]
	if svc == nil || len(svc.Spec.Ports) != 2 || svc.Spec.Ports[0].Port != 8443 || svc.Spec.Ports[0].TargetPort.IntValue() != 443 ||
		svc.Spec.Ports[1].Protocol != corev1.ProtocolUDP {
		t.Errorf("api Service: %+v", svc)
	}
	if svcs["worker"] != nil {
		t.Error("a Service for a container without ports")
	}

	// One trust set for api and worker (the same certificate), one for
	// legacy; each a ConfigMap pair whose items give subject-hash names.
	apiVol := api.Volumes
	workerVol := deps["worker"].Spec.Template.Spec.Volumes
	if apiVol[0].ConfigMap.Name != workerVol[0].ConfigMap.Name {
		t.Errorf("api and worker trust the same certificates but use ConfigMaps %s and %s", apiVol[0].ConfigMap.Name, workerVol[0].ConfigMap.Name)
	}
	set := cms[apiVol[0].ConfigMap.Name]
	certs := cms[apiVol[1].ConfigMap.Name]
	if set == nil || certs == nil {
		t.Fatalf("ConfigMaps %s and %s are not in the output", apiVol[0].ConfigMap.Name, apiVol[1].ConfigMap.Name)
	}
	corp, _ := os.ReadFile("testdata/project/certs/corp-ca.pem")
	if set.Data["cert.pem"] != string(corp) {
		t.Errorf("bundle of the corp set:\n%s", set.Data["cert.pem"])
	}
	var hashNames int
	for _, it := range apiVol[1].ConfigMap.Items {
		if _, ok := certs.Data[it.Key]; !ok {
			t.Errorf("item %s names a key the ConfigMap lacks", it.Key)
		}
		if strings.HasSuffix(it.Path, ".0") && len(it.Path) == 10 {
			hashNames++
		}
	}
	if hashNames != 1 {
		t.Errorf("want one subject-hash name, items are %+v", apiVol[1].ConfigMap.Items)
	}

	// override: our bundle over the paths the image has (here one).
	w := deps["worker"].Spec.Template.Spec
	if !w.HostNetwork {
		t.Error("worker: network = \"host\" without hostNetwork")
	}
	if d := cmp.Diff(map[string]string{
		"/usr/lib/ssl/trustform":             "trust:",
		"/usr/lib/ssl/trustform/certs":       "trust-certs:",
		"/etc/ssl/certs/ca-certificates.crt": "trust:cert.pem",
	}, mounts(w.Containers[0])); d != "" {
		t.Errorf("override mounts (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{
		"SSL_CERT_DIR":  "/usr/lib/ssl/trustform/certs",
		"SSL_CERT_FILE": "/usr/lib/ssl/trustform/cert.pem",
	}, env(w.Containers[0])); d != "" {
		t.Errorf("override env (-want +got):\n%s", d)
	}

	// system: the image's bundle followed by ours, from its own ConfigMap.
	l := deps["legacy"].Spec.Template.Spec
	lm := mounts(l.Containers[0])
	m := lm["/etc/ssl/certs/ca-certificates.crt"]
	if !strings.HasPrefix(m, volBundles+":bundle-") || len(lm) != 3 {
		t.Fatalf("system mounts: %v", lm)
	}
	var merged string
	for _, v := range l.Volumes {
		if v.Name == volBundles {
			merged = cms[v.ConfigMap.Name].Data[strings.TrimPrefix(m, volBundles+":")]
		}
	}
	extra, _ := os.ReadFile("testdata/project/certs/extra-ca.pem")
	if merged != imageRoots+string(corp)+string(extra) {
		t.Errorf("system bundle is not the image's followed by ours:\n%s", merged)
	}
	if got := env(l.Containers[0])["APP_CA_FILE"]; got != "/etc/trustform/cert.pem" {
		t.Errorf("certificate_trust_configuration env: %q", got)
	}

	// none: nothing of trust.
	pl := deps["plain"].Spec.Template.Spec
	if len(pl.Volumes) != 0 || len(pl.Containers[0].Env) != 0 {
		t.Errorf("scope none got trust: %+v", pl)
	}
}

func TestKubernetesNoEngine(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	noEngine := fmt.Errorf("%w: no container engine found: install podman", ErrNoEngine)
	_, err := Kubernetes(context.Background(), p, Options{ImageFiles: func(context.Context, string, []string) (map[string][]byte, error) {
		return nil, noEngine
	}})
	if !errors.Is(err, ErrNoEngine) || !strings.Contains(err.Error(), "container.legacy (scope system)") {
		t.Fatalf("want the engine error naming the resource, got %v", err)
	}
	out, err := Kubernetes(context.Background(), p, Options{SkipImageRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	_, deps, _ := decodeStream(t, out.Stream)
	// Every configured path gets our bundle, since nothing says which the
	// image has.
	if n := len(mounts(deps["worker"].Spec.Template.Spec.Containers[0])); n != 2+6 {
		t.Errorf("worker: want our bundle over all 6 default paths, got %d mounts", n)
	}
	if !strings.Contains(strings.Join(out.Warnings, "\n"), "-image-roots=skip: the image's own roots are not in the bundles of container.legacy") {
		t.Errorf("warnings: %q", out.Warnings)
	}
}

func TestKubernetesConfigMapLimit(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	// Make the corp set's bundle 1 MiB + 1 byte.
	for _, c := range p.Changes {
		if c.Address != "container.api" {
			continue
		}
		for _, f := range c.After.Files {
			if strings.HasSuffix(f.Path, "cert.pem") {
				p.Blobs[f.SHA256] = bytes.Repeat([]byte("x"), MaxConfigMapSize+1)
			}
		}
	}
	_, err := Kubernetes(context.Background(), p, Options{SkipImageRoots: true})
	if err == nil || !strings.Contains(err.Error(), "holds 1048577 bytes") || !strings.Contains(err.Error(), "(used by container.api, container.worker)") {
		t.Fatalf("want the size error naming the set, got %v", err)
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		`container.web`:         "web",
		`container.web[0]`:      "web-0",
		`container.web["A b"]`:  "web-a-b",
		`container.9lives`:      "c-9lives",
		`container.Under_score`: "under-score",
	} {
		if got := dnsName(addressName(in)); got != want {
			t.Errorf("dnsName(%s) = %q, want %q", in, got, want)
		}
	}
	cs := []*container{{address: `container.a_b`}, {address: `container.a-b`}}
	assignNames(cs)
	if cs[0].name == cs[1].name || !strings.HasPrefix(cs[0].name, "a-b-") {
		t.Errorf("colliding names: %q %q", cs[0].name, cs[1].name)
	}
	if got := labelValue(`container.web["a"]`); got != "container.web__a" {
		t.Errorf("labelValue = %q", got)
	}
}

// TestKubernetesBinaryData puts a file that is not UTF-8 (a Java trust
// store) into binaryData and mounts it next to the bundle.
func TestKubernetesBinaryData(t *testing.T) {
	p := projectPlan(t, "testdata/project")
	store := []byte{0x30, 0x82, 0xff, 0xfe, 0x00, 0x01}
	p.Blobs["store"] = store
	for _, c := range p.Changes {
		if c.Address == "container.legacy" {
			c.After.Files = append(c.After.Files, c.After.Files[0])
			f := &c.After.Files[len(c.After.Files)-1]
			f.Path = filepath.Join(c.After.TrustDir, "truststore.p12")
			f.SHA256 = "store"
		}
	}
	out, err := Kubernetes(context.Background(), p, Options{SkipImageRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	cms, deps, _ := decodeStream(t, out.Stream)
	vol := deps["legacy"].Spec.Template.Spec.Volumes[0]
	cm := cms[vol.ConfigMap.Name]
	if !bytes.Equal(cm.BinaryData["truststore.p12"], store) {
		t.Errorf("binaryData: %v", cm.BinaryData)
	}
	if _, inData := cm.Data["truststore.p12"]; inData {
		t.Error("a binary file in data")
	}
	var paths []string
	for _, it := range vol.ConfigMap.Items {
		paths = append(paths, it.Path)
	}
	if d := cmp.Diff([]string{"cert.pem", "truststore.p12"}, paths); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}
}
