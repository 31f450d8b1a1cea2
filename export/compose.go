package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/plan"
)

// ComposeFileName is the Compose file an export writes.
const ComposeFileName = "compose.yaml"

// Directories of a Compose export, next to the Compose file.
const (
	composeTrustDir   = "trust"
	composeBundlesDir = "bundles"
)

// Compose exports the plan's containers as one Compose file whose services
// bind-mount trust material exported next to it: trust/SET/ is each trust
// set's directory (cert.pem, certs/ with subject-hash names as copies),
// mounted read-only at the resource's destination; in override and system
// scope the bundle covering each of the image's bundle files is mounted
// over it (bundles/ holds the merged ones of system scope).
//
// Bind mounts rather than configs: Compose implements file configs as bind
// mounts outside Swarm anyway, and docker-compose 1.29 would need a
// per-file config for every certificate.
func Compose(ctx context.Context, p *plan.Plan, opts Options) (*Output, error) {
	cs, warnings, err := containers(p)
	if err != nil {
		return nil, err
	}
	if _, err := trustSets(p, cs); err != nil {
		return nil, err
	}
	w, err := resolveBundles(ctx, p, cs, opts)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, w...)

	out := &Output{}
	written := map[string]bool{}
	file := func(rel string, data []byte) {
		if !written[rel] {
			written[rel] = true
			out.Files = append(out.Files, File{Path: rel, Data: data})
		}
	}
	project := &types.Project{Services: types.Services{}}
	exported := map[string]string{}
	for _, c := range cs {
		exported[c.address] = c.name
	}
	for _, c := range cs {
		svc, w, err := composeService(p, c, opts, exported, file)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
		for _, v := range svc.Volumes {
			if v.Type == types.VolumeTypeVolume {
				if project.Volumes == nil {
					project.Volumes = types.Volumes{}
				}
				project.Volumes[v.Source] = types.VolumeConfig{}
			}
		}
		project.Services[c.name] = svc
	}
	data, err := project.MarshalYAML()
	if err != nil {
		return nil, fmt.Errorf("encoding the Compose file: %w", err)
	}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	out.Files = append([]File{{Path: ComposeFileName, Data: data}}, out.Files...)
	out.Warnings = warnings
	return out, nil
}

// composeService builds one service and adds its trust files through file.
func composeService(p *plan.Plan, c *container, opts Options, exported map[string]string, file func(string, []byte)) (types.ServiceConfig, []string, error) {
	spec := c.change.After
	l := spec.Container
	var warnings []string
	svc := types.ServiceConfig{Name: c.name}
	svc.Image = l.Image
	svc.Labels = types.Labels{LabelManagedBy: managedBy, LabelAddress: c.address}
	if l.Entrypoint != "" {
		svc.Entrypoint = types.ShellCommand{l.Entrypoint}
	}
	if len(l.Args) > 0 {
		svc.Command = types.ShellCommand(append([]string(nil), l.Args...))
	}
	if len(spec.Env) > 0 {
		svc.Environment = types.MappingWithEquals{}
	}
	var secret []string
	for _, k := range keys.Sorted(spec.Env) {
		if contains(spec.SensitiveEnv, k) {
			// No value: Compose passes the variable through from the
			// environment it runs in.
			svc.Environment[k] = nil
			secret = append(secret, k)
			continue
		}
		v := spec.Env[k]
		svc.Environment[k] = &v
	}
	if len(secret) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: sensitive env %s is not written; Compose takes it from the environment it runs in", c.address, strings.Join(secret, ", ")))
	}
	for _, ps := range l.Ports {
		pt, err := parsePort(ps)
		if err != nil {
			return svc, nil, fmt.Errorf("%s: %w", c.address, err)
		}
		svc.Ports = append(svc.Ports, types.ServicePortConfig{HostIP: pt.ip, Published: fmt.Sprint(pt.host), Target: uint32(pt.container), Protocol: pt.protocol})
	}
	if l.Network != "" {
		svc.NetworkMode = l.Network
	}
	if len(l.RuntimeArgs) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: runtime_args %s are engine flags with no Compose equivalent and are left out", c.address, strings.Join(l.RuntimeArgs, " ")))
	}
	for _, v := range l.Volumes {
		vol, err := composeVolume(v, spec.WorkingDir, opts.OutDir)
		if err != nil {
			return svc, nil, fmt.Errorf("%s: %w", c.address, err)
		}
		svc.Volumes = append(svc.Volumes, vol)
	}
	// compose-go writes depends_on in the long form with "required", which
	// docker-compose 1.x rejects; the order is said instead of written.
	var deps []string
	for _, dep := range spec.DependsOn {
		if name, ok := exported[dep]; ok {
			deps = append(deps, name)
		}
	}
	if len(deps) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: depends_on %s is not written (docker-compose 1.x rejects the form compose-go writes); start order is up to the services", c.address, strings.Join(deps, ", ")))
	}

	if s := c.set; s != nil {
		dir := composeTrustDir + "/" + s.name
		for _, f := range s.top {
			file(dir+"/"+f.name, p.Blobs[f.sha])
		}
		for _, f := range s.certs {
			file(dir+"/"+certsDirName+"/"+f.name, p.Blobs[f.sha])
		}
		for _, ln := range s.links {
			for _, f := range s.certs {
				if f.name == ln.target {
					file(dir+"/"+certsDirName+"/"+ln.name, p.Blobs[f.sha])
				}
			}
		}
		svc.Volumes = append(svc.Volumes, bind("./"+dir, strings.TrimSuffix(l.Destination, "/")))
		ours := s.bundle(p)
		paths := make([]string, 0, len(c.bundles))
		for bp := range c.bundles {
			paths = append(paths, bp)
		}
		sort.Strings(paths)
		for _, bp := range paths {
			data := c.bundles[bp]
			src := "./" + dir + "/" + bundleName
			if string(data) != string(ours) {
				sum := sha256.Sum256(data)
				src = "./" + composeBundlesDir + "/" + hex.EncodeToString(sum[:])[:12] + ".pem"
				file(strings.TrimPrefix(src, "./"), data)
			}
			svc.Volumes = append(svc.Volumes, bind(src, bp))
		}
	}
	return svc, warnings, nil
}

func bind(src, target string) types.ServiceVolumeConfig {
	return types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: src, Target: target, ReadOnly: true}
}

// composeVolume turns a container's "SOURCE:TARGET[:OPTIONS]" into a
// Compose volume: a path is made relative to the Compose file (it was
// relative to the configuration directory), a name stays a named volume.
func composeVolume(v, workDir, outDir string) (types.ServiceVolumeConfig, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || !path.IsAbs(parts[1]) {
		return types.ServiceVolumeConfig{}, fmt.Errorf("volume %q is not SOURCE:TARGET[:OPTIONS] with an absolute TARGET", v)
	}
	vol := types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: parts[0], Target: parts[1]}
	if len(parts) == 3 {
		for _, o := range strings.Split(parts[2], ",") {
			switch o {
			case "ro":
				vol.ReadOnly = true
			case "rw", "z", "Z":
			default:
				return vol, fmt.Errorf("volume %q: option %q is not exported (ro and rw are)", v, o)
			}
		}
	}
	src := parts[0]
	if filepath.IsAbs(src) || strings.HasPrefix(src, ".") {
		vol.Type = types.VolumeTypeBind
		if !filepath.IsAbs(src) && workDir != "" {
			src = filepath.Join(workDir, src)
		}
		if outDir != "" {
			if rel, err := filepath.Rel(outDir, src); err == nil {
				src = filepath.ToSlash(rel)
				if !strings.HasPrefix(src, ".") {
					src = "./" + src
				}
			}
		}
		vol.Source = src
	}
	return vol, nil
}
