package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/plan"
)

// Kubernetes labels and annotations trustform sets.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelName      = "app.kubernetes.io/name"
	// LabelAddress carries the resource address, made a valid label value;
	// AnnotationAddress carries it exactly.
	LabelAddress      = "trustform.address"
	AnnotationAddress = "trustform.address"
	// LabelTrustSet names the trust set a ConfigMap holds.
	LabelTrustSet = "trustform.trust-set"
	managedBy     = "trustform"
)

// MaxConfigMapSize is Kubernetes' limit on a ConfigMap's data (1 MiB).
const MaxConfigMapSize = 1 << 20

// Pod volume names.
const (
	volTrust   = "trust"
	volCerts   = "trust-certs"
	volBundles = "image-bundles"
)

// documentSeparator separates the documents of one YAML stream.
const documentSeparator = "---\n"

// Kubernetes exports the plan's containers as Kubernetes objects: per trust
// set a ConfigMap with the bundle (and a Java store, in binaryData) and one
// with the per-certificate files; per container a Deployment, plus a
// Service when it publishes ports; per container whose image's bundles are
// covered with content other than our bundle (system scope), a ConfigMap
// holding those bundles.
//
// Files are one per trust set, per image-bundle ConfigMap and per resource;
// Stream is all of them in that order.
func Kubernetes(ctx context.Context, p *plan.Plan, opts Options) (*Output, error) {
	cs, warnings, err := containers(p)
	if err != nil {
		return nil, err
	}
	sets, err := trustSets(p, cs)
	if err != nil {
		return nil, err
	}
	w, err := resolveBundles(ctx, p, cs, opts)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, w...)

	out := &Output{}
	add := func(name string, objs ...any) error {
		var buf bytes.Buffer
		for i, o := range objs {
			if i > 0 {
				buf.WriteString(documentSeparator)
			}
			data, err := yaml.Marshal(o)
			if err != nil {
				return fmt.Errorf("encoding %s: %w", name, err)
			}
			buf.Write(data)
		}
		if len(out.Stream) > 0 {
			out.Stream = append(out.Stream, documentSeparator...)
		}
		out.Stream = append(out.Stream, buf.Bytes()...)
		out.Files = append(out.Files, File{Path: name + ".yaml", Data: buf.Bytes()})
		return nil
	}
	for _, s := range sets {
		top, certs, err := setConfigMaps(p, s)
		if err != nil {
			return nil, err
		}
		if err := add(s.name, top, certs); err != nil {
			return nil, err
		}
	}
	bundleMaps := map[string]string{}
	for _, c := range cs {
		cm := bundleConfigMap(p, c)
		if cm == nil || bundleMaps[cm.Name] != "" {
			continue
		}
		if err := checkSize(cm, "the image bundles of "+c.address); err != nil {
			return nil, err
		}
		bundleMaps[cm.Name] = c.address
		if err := add(cm.Name, cm); err != nil {
			return nil, err
		}
	}
	for _, c := range cs {
		d, svc, w, err := deployment(p, c)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
		objs := []any{d}
		if svc != nil {
			objs = append(objs, svc)
		}
		if err := add(c.name, objs...); err != nil {
			return nil, err
		}
	}
	out.Warnings = warnings
	return out, nil
}

func objectMeta(name string, labels map[string]string, annotations map[string]string) metav1.ObjectMeta {
	l := map[string]string{LabelManagedBy: managedBy}
	for k, v := range labels {
		l[k] = v
	}
	return metav1.ObjectMeta{Name: name, Labels: l, Annotations: annotations}
}

// setConfigMaps builds the two ConfigMaps of a trust set: NAME holds the
// files of the trust directory (cert.pem; a Java store goes to binaryData),
// NAME-certs the per-certificate files, keyed by file name; the pod's
// volumes project them under their subject-hash names too.
//
// Two maps rather than one with "certs/..." item paths, because podman 4.3
// (kube play) cannot write an item into a subdirectory; the certs volume is
// mounted inside the first one, which Kubernetes prepares for (nested
// mount points in ConfigMap volumes) and podman allows as long as that
// mount is not read-only.
func setConfigMaps(p *plan.Plan, s *trustSet) (*corev1.ConfigMap, *corev1.ConfigMap, error) {
	labels := map[string]string{LabelTrustSet: s.name}
	ann := map[string]string{"trustform.resources": strings.Join(s.users, ",")}
	immutable := true
	top := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(s.name, labels, ann),
		Immutable:  &immutable,
	}
	for _, f := range s.top {
		data := p.Blobs[f.sha]
		if utf8.Valid(data) {
			if top.Data == nil {
				top.Data = map[string]string{}
			}
			top.Data[f.name] = string(data)
		} else {
			if top.BinaryData == nil {
				top.BinaryData = map[string][]byte{}
			}
			top.BinaryData[f.name] = data
		}
	}
	certs := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(s.name+"-certs", labels, ann),
		Immutable:  &immutable,
		Data:       map[string]string{},
	}
	for _, f := range s.certs {
		certs.Data[f.name] = string(p.Blobs[f.sha])
	}
	what := "trust set " + s.name + " (used by " + strings.Join(s.users, ", ") + ")"
	for _, cm := range []*corev1.ConfigMap{top, certs} {
		if err := checkSize(cm, what); err != nil {
			return nil, nil, err
		}
	}
	return top, certs, nil
}

// checkSize refuses a ConfigMap Kubernetes would reject.
func checkSize(cm *corev1.ConfigMap, what string) error {
	n := 0
	for _, v := range cm.Data {
		n += len(v)
	}
	for _, v := range cm.BinaryData {
		n += len(v)
	}
	if n > MaxConfigMapSize {
		return fmt.Errorf("ConfigMap %s for %s holds %d bytes (%.2f MiB), over Kubernetes' limit of %d bytes (1 MiB); trust fewer certificates in that set, or split its collections between resources",
			cm.Name, what, n, float64(n)/float64(1<<20), MaxConfigMapSize)
	}
	return nil
}

// bundleKeys maps each distinct covering bundle of c that is not our own
// cert.pem to a ConfigMap key; nil when every covered path gets cert.pem.
func bundleKeys(p *plan.Plan, c *container) map[string]string {
	if c.set == nil {
		return nil
	}
	ours := c.set.bundle(p)
	var keys map[string]string
	for _, data := range c.bundles {
		if bytes.Equal(data, ours) {
			continue
		}
		sum := sha256.Sum256(data)
		if keys == nil {
			keys = map[string]string{}
		}
		keys[string(data)] = "bundle-" + hex.EncodeToString(sum[:])[:12] + ".pem"
	}
	return keys
}

// bundleConfigMap holds the merged bundles of a system-scope container,
// named by their digest so that the same image and set share one.
func bundleConfigMap(p *plan.Plan, c *container) *corev1.ConfigMap {
	bundles := bundleKeys(p, c)
	if bundles == nil {
		return nil
	}
	data := map[string]string{}
	for content, key := range bundles {
		data[key] = content
	}
	h := sha256.New()
	for _, k := range keys.Sorted(data) {
		h.Write([]byte(k))
	}
	immutable := true
	name := "bundles-" + hex.EncodeToString(h.Sum(nil))[:12]
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(name, map[string]string{LabelTrustSet: c.set.name},
			map[string]string{"trustform.image": c.change.After.Container.Image}),
		Immutable: &immutable,
		Data:      data,
	}
}

// deployment builds the Deployment (and Service) of one container.
func deployment(p *plan.Plan, c *container) (*appsv1.Deployment, *corev1.Service, []string, error) {
	spec := c.change.After
	l := spec.Container
	var warnings []string
	labels := map[string]string{LabelName: c.name, LabelAddress: labelValue(c.address)}
	ann := map[string]string{AnnotationAddress: c.address}
	selector := map[string]string{LabelName: c.name, LabelManagedBy: managedBy}

	ctr := corev1.Container{Name: c.name, Image: l.Image, Args: l.Args}
	if l.Entrypoint != "" {
		ctr.Command = []string{l.Entrypoint}
	}
	var secret []string
	for _, k := range keys.Sorted(spec.Env) {
		if contains(spec.SensitiveEnv, k) {
			secret = append(secret, k)
			ctr.Env = append(ctr.Env, corev1.EnvVar{Name: k, ValueFrom: &corev1.EnvVarSource{
				SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: c.name + "-env"}, Key: k},
			}})
			continue
		}
		ctr.Env = append(ctr.Env, corev1.EnvVar{Name: k, Value: spec.Env[k]})
	}
	if len(secret) > 0 {
		lits := make([]string, len(secret))
		for i, k := range secret {
			lits[i] = "--from-literal=" + k + "=..."
		}
		warnings = append(warnings, fmt.Sprintf("%s: sensitive env %s is read from Secret %s, which export does not write: kubectl create secret generic %s %s",
			c.address, strings.Join(secret, ", "), c.name+"-env", c.name+"-env", strings.Join(lits, " ")))
	}

	var svcPorts []corev1.ServicePort
	for _, ps := range l.Ports {
		pt, err := parsePort(ps)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", c.address, err)
		}
		proto := corev1.Protocol(strings.ToUpper(pt.protocol))
		name := fmt.Sprintf("%s-%d", pt.protocol, pt.container)
		ctr.Ports = append(ctr.Ports, corev1.ContainerPort{Name: portName(name), ContainerPort: pt.container, Protocol: proto})
		svcPorts = append(svcPorts, corev1.ServicePort{Name: portName(fmt.Sprintf("%s-%d", pt.protocol, pt.host)), Port: pt.host,
			TargetPort: intstr.FromInt32(pt.container), Protocol: proto})
	}

	pod := corev1.PodSpec{}
	switch l.Network {
	case "":
	case "host":
		pod.HostNetwork = true
		// Service names still resolve from the host's network.
		pod.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	default:
		warnings = append(warnings, fmt.Sprintf("%s: network %q has no Kubernetes equivalent and is left out (pods share the cluster network)", c.address, l.Network))
	}
	if len(l.Volumes) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: volumes %s are left out: a hostPath would tie the pod to one node; declare them in the manifest as your cluster stores data", c.address, strings.Join(l.Volumes, ", ")))
	}
	if len(l.RuntimeArgs) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: runtime_args %s are engine flags with no Kubernetes equivalent and are left out", c.address, strings.Join(l.RuntimeArgs, " ")))
	}

	if s := c.set; s != nil {
		dest := strings.TrimSuffix(l.Destination, "/")
		items := make([]corev1.KeyToPath, 0, len(s.top))
		for _, f := range s.top {
			items = append(items, corev1.KeyToPath{Key: f.name, Path: f.name})
		}
		certItems := make([]corev1.KeyToPath, 0, len(s.certs)+len(s.links))
		for _, f := range s.certs {
			certItems = append(certItems, corev1.KeyToPath{Key: f.name, Path: f.name})
		}
		for _, ln := range s.links {
			certItems = append(certItems, corev1.KeyToPath{Key: ln.target, Path: ln.name})
		}
		pod.Volumes = append(pod.Volumes,
			corev1.Volume{Name: volTrust, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: s.name}, Items: items}}},
			corev1.Volume{Name: volCerts, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: s.name + "-certs"}, Items: certItems}}})
		ctr.VolumeMounts = append(ctr.VolumeMounts,
			corev1.VolumeMount{Name: volTrust, MountPath: dest},
			corev1.VolumeMount{Name: volCerts, MountPath: dest + "/" + certsDirName, ReadOnly: true})

		keys := bundleKeys(p, c)
		if cm := bundleConfigMap(p, c); cm != nil {
			pod.Volumes = append(pod.Volumes, corev1.Volume{Name: volBundles, VolumeSource: corev1.VolumeSource{
				ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: cm.Name}}}})
		}
		paths := make([]string, 0, len(c.bundles))
		for bp := range c.bundles {
			paths = append(paths, bp)
		}
		sort.Strings(paths)
		for _, bp := range paths {
			m := corev1.VolumeMount{Name: volTrust, MountPath: bp, SubPath: bundleName, ReadOnly: true}
			if k, ok := keys[string(c.bundles[bp])]; ok {
				m.Name, m.SubPath = volBundles, k
			}
			ctr.VolumeMounts = append(ctr.VolumeMounts, m)
		}
	}
	pod.Containers = []corev1.Container{ctr}

	replicas := int32(1)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(c.name, labels, ann),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: objectMeta("", labels, ann),
				Spec:       pod,
			},
		},
	}
	var svc *corev1.Service
	if len(svcPorts) > 0 {
		svc = &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: objectMeta(c.name, labels, ann),
			Spec:       corev1.ServiceSpec{Selector: selector, Ports: svcPorts},
		}
	}
	return d, svc, warnings, nil
}

// portName fits a port name into Kubernetes' 15-character limit.
func portName(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}
