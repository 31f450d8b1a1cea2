package plan

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustform/trustform/internal/pem"
)

// TestPlanFileNamesMergedBundles: a plan merging an inherited bundle file
// stores each certificate once. The bundle's certificates are not in the
// file (its path and digest are), the merged bundles are lists of keys,
// reading the plan rebuilds every blob, and a bundle that changed since
// makes the plan stale with a message naming it.
func TestPlanFileNamesMergedBundles(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "ca-certificates.crt")
	system := []*pem.Certificate{loadCert(t, "system-1"), loadCert(t, "system-2"), loadCert(t, "user-extra")}
	data := pem.Bundle(system)
	if err := os.WriteFile(bundle, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fh := newFakeHost(t)
	fh.files[bundle] = data
	probe := res("executable", "probe", withCollections("corp"))
	p := mustBuild(t, input(testConfig(t, probe), fh.host(map[string]string{"SSL_CERT_FILE": bundle, "CURL_CA_BUNDLE": bundle})))

	path := filepath.Join(dir, "tf.plan")
	if err := WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Plan struct {
			Blobs map[string][]byte `json:"blobs"`
		} `json:"plan"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range system {
		sum := sha256.Sum256(c.PEM())
		if _, ok := doc.Plan.Blobs[hex.EncodeToString(sum[:])]; ok {
			t.Errorf("the plan file holds %s, which %s has", c.SHA256, bundle)
		}
	}
	for key, b := range doc.Plan.Blobs {
		if bytes.Count(b, []byte("-----BEGIN CERTIFICATE-----")) > 1 {
			t.Errorf("the plan file holds bundle %s whole, not as a list of its certificates", key)
		}
	}
	if !bytes.Contains(raw, []byte(`"bundle_files":[{"path":"`+bundle+`"`)) || !bytes.Contains(raw, []byte(`"composite_blobs"`)) {
		t.Errorf("the plan file does not name %s or has no composite blobs:\n%.2000s", bundle, raw)
	}

	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckApplicable(got, nil); err != nil {
		t.Fatalf("fresh plan refused: %v", err)
	}
	for key, want := range p.Blobs {
		if !bytes.Equal(got.Blobs[key], want) {
			t.Errorf("blob %s not rebuilt (%d bytes, want %d)", key, len(got.Blobs[key]), len(want))
		}
	}
	if diff := cmp.Diff(len(p.Blobs), len(got.Blobs)); diff != "" && len(got.Blobs) < len(p.Blobs) {
		t.Errorf("blobs lost: %s", diff)
	}

	// The bundle changes (a CA is added): the plan is stale.
	if err := os.WriteFile(bundle, append(data, loadCert(t, "proxy-ca").PEM()...), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = ReadFile(path)
	if err != nil {
		t.Fatalf("a stale plan must still read (show renders it): %v", err)
	}
	err = CheckApplicable(got, nil)
	if !errors.Is(err, ErrStalePlan) || !strings.Contains(err.Error(), bundle+", which changed since the plan was made") {
		t.Errorf("CheckApplicable after the bundle changed: %v, want a stale plan naming %s", err, bundle)
	}
	if err := os.Remove(bundle); err != nil {
		t.Fatal(err)
	}
	got, _ = ReadFile(path)
	if err := CheckApplicable(got, nil); !errors.Is(err, ErrStalePlan) || !strings.Contains(err.Error(), "cannot be read now") {
		t.Errorf("CheckApplicable after the bundle vanished: %v", err)
	}
}
