package export

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
)

// ImageFiles reads files of an image, following symbolic links. The result
// holds only the paths that exist as regular files.
type ImageFiles func(ctx context.Context, image string, paths []string) (map[string][]byte, error)

// Options are the choices of one export.
type Options struct {
	// ImageFiles reads the image's bundle files, which override and system
	// scope cover (and system scope merges with ours). When no engine can
	// read them it returns an error wrapping ErrNoEngine; nil means the same.
	ImageFiles ImageFiles
	// SkipImageRoots writes trustform's certificates only, over every
	// configured bundle path, without reading the image (-image-roots=skip).
	SkipImageRoots bool
	// OutDir is where a Compose export is written (absolute): container
	// volumes written relative to the configuration directory are made
	// relative to it.
	OutDir string
}

// File is one file of an export, by slash-separated path relative to the
// output directory.
type File struct {
	Path string
	Data []byte
}

// Output is what an export produced.
type Output struct {
	// Files in the order they are written.
	Files []File
	// Stream is every document in one stream (Kubernetes only), for -out=-.
	Stream []byte
	// Warnings are problems the user should know of; the export is still
	// valid.
	Warnings []string
}

// ErrNoEngine is returned, wrapped, when a resource needs the image's
// bundle files and no engine can read them; -image-roots=skip is the way
// out.
var ErrNoEngine = errors.New("no container engine to read the image")

// container is one container resource of the plan with its trust set.
type container struct {
	address string
	// name is the DNS-1123 name of its Deployment, Service or Compose
	// service.
	name   string
	change *plan.Change
	set    *trustSet
	// bundles maps each in-container bundle path to cover to the blob of
	// its content (ours, or merged with the image's).
	bundles map[string][]byte
}

// containers collects the plan's container resources, sorted by address,
// and the one warning naming the process resources left out.
func containers(p *plan.Plan) ([]*container, []string, error) {
	var out []*container
	var processes []string
	for _, c := range p.Changes {
		if c.After == nil {
			continue
		}
		if c.After.Kind != runtimes.KindContainer || c.After.Container == nil {
			processes = append(processes, c.Address)
			continue
		}
		if c.DevcertPending {
			return nil, nil, fmt.Errorf("%s trusts the development CA, which does not exist yet: create it with `trustform devcert create` (or apply once), then export again", c.Address)
		}
		if len(c.After.SensitiveArgs) > 0 {
			return nil, nil, fmt.Errorf("%s has sensitive arguments, which an exported file would hold in clear; pass the secret through env, which export turns into a reference", c.Address)
		}
		out = append(out, &container{address: c.Address, change: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].address < out[j].address })
	assignNames(out)
	var warnings []string
	if len(processes) > 0 {
		sort.Strings(processes)
		noun := "resources have"
		if len(processes) == 1 {
			noun = "resource has"
		}
		warnings = append(warnings, fmt.Sprintf("left out: %d process %s no image, so no orchestrator can run %s: %s",
			len(processes), noun, them(len(processes)), strings.Join(processes, ", ")))
	}
	return out, warnings, nil
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// resolveBundles decides, per container, which image bundle paths are
// covered and with what, as apply does: override covers every configured
// path that exists in the image with our bundle; system covers it with the
// image's file followed by ours. Without an engine (SkipImageRoots), every
// configured path is covered with ours alone.
func resolveBundles(ctx context.Context, p *plan.Plan, cs []*container, opts Options) ([]string, error) {
	var warnings []string
	var skipped []string
	for _, c := range cs {
		l := c.change.After.Container
		if c.set == nil || len(l.OverwriteBundles) == 0 {
			continue
		}
		ours := c.set.bundle(p)
		paths := cleanPaths(l.OverwriteBundles)
		c.bundles = map[string][]byte{}
		if opts.SkipImageRoots {
			for _, bp := range paths {
				c.bundles[bp] = ours
			}
			if l.MergeImage {
				skipped = append(skipped, c.address)
			}
			continue
		}
		if opts.ImageFiles == nil {
			return nil, fmt.Errorf("%s (scope %s) covers the image's bundle files, so export must read image %s as apply does: %w",
				c.address, c.change.After.Scope, l.Image, ErrNoEngine)
		}
		found, err := opts.ImageFiles(ctx, l.Image, paths)
		if err != nil {
			return nil, fmt.Errorf("%s (scope %s) covers the image's bundle files, so export must read image %s as apply does: %w",
				c.address, c.change.After.Scope, l.Image, err)
		}
		for _, bp := range paths {
			data, ok := found[bp]
			if !ok {
				continue
			}
			if l.MergeImage {
				c.bundles[bp] = mergeBundles(data, ours)
			} else {
				c.bundles[bp] = ours
			}
		}
	}
	if len(skipped) > 0 {
		warnings = append(warnings, fmt.Sprintf("-image-roots=skip: the image's own roots are not in the bundles of %s (scope system): they trust trustform's certificates only", strings.Join(skipped, ", ")))
	}
	return warnings, nil
}

func cleanPaths(ps []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		p = path.Clean(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// mergeBundles is the image's bundle followed by ours, as apply writes it.
func mergeBundles(image, ours []byte) []byte {
	out := make([]byte, 0, len(image)+len(ours)+1)
	out = append(out, image...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, ours...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
