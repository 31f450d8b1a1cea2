package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustform/trustform/internal/command/arguments"
	"github.com/trustform/trustform/internal/command/views"

	"github.com/trustform/trustform/export"
	"github.com/trustform/trustform/internal/atomicfile"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes/container"
)

// exportListName lists, in an output directory, the files the last export
// wrote, so the next one removes those it no longer writes (and nothing
// else): a stale manifest left in the directory would be applied with the
// rest.
const exportListName = ".trustform-export"

func newExportCommand(e *runEnv) *command {
	c := &command{
		synopsis: "Write Kubernetes manifests or a Compose file",
		help: `
Usage: trustform [-chdir=DIR] export -format=kubernetes|compose [-out=DIR|-] [flags]

  Write the configuration's containers, with the same trust as a local apply,
  for an orchestrator. Process resources have no image and are left out.

  kubernetes: per trust set two ConfigMaps (the bundle; the per-certificate
  files, projected under their subject-hash names), per container a
  Deployment, and a Service when it publishes ports. -out=DIR writes one
  file per trust set and per resource; -out=- (the default) writes one
  stream.

  compose: DIR/compose.yaml, whose services bind-mount the trust material
  exported next to it (DIR/trust/SET/). Needs -out=DIR.

  Containers in override and system scope cover the image's bundle files,
  so export reads them through docker or podman as apply does; system
  scope ships the image's roots merged with ours.

Flags:
  -format=FORMAT     kubernetes or compose (required).
  -out=DIR           Write into DIR (created if missing), or - for standard
                     output (kubernetes only).
  -image-roots=skip  Do not read the images: cover every configured bundle
                     path with trustform's certificates only (system scope
                     then loses the image's roots; a warning says so).
  -no-color          Do not colour the output.
` + varFlagsHelp,
	}
	c.run = parsed(e, c, arguments.ParseExport, runExport)
	return c
}

func runExport(e *runEnv, a *arguments.Export) int {
	e.view.Configure(a.NoColor)
	cfg, diags, src := e.loadConfig(a.Vars)
	if diags.HasErrors() {
		e.writeDiagnostics(diags, src)
		return exitError
	}
	dc, err := e.devcertInput()
	if err != nil {
		e.view.Errorf("reading developer certificates: %v", err)
		return exitError
	}
	// A fresh plan, as if nothing ran: an export describes the
	// configuration, not this machine's state.
	p, pdiags := plan.Build(&plan.Input{Config: cfg, Host: e.planHost(), Devcert: dc, Now: e.now(), Version: Version})
	diags = append(diags, pdiags...)
	e.writeDiagnostics(diags, src)
	if diags.HasErrors() {
		return exitError
	}

	ctx, stop := signalContext(context.Background(), nil)
	defer stop()
	opts := export.Options{SkipImageRoots: a.ImageRoots == "skip"}
	if !opts.SkipImageRoots {
		opts.ImageFiles = e.imageReader(cfg.Settings.ContainerRuntime)
	}
	var out *export.Output
	if a.Format == arguments.FormatCompose {
		opts.OutDir = e.path(a.Out)
		out, err = export.Compose(ctx, p, opts)
	} else {
		if a.Out != "-" {
			opts.OutDir = e.path(a.Out)
		}
		out, err = export.Kubernetes(ctx, p, opts)
	}
	if err != nil {
		e.view.Errorf("%v", err)
		if errors.Is(err, export.ErrNoEngine) {
			e.view.Hintf("start docker or podman, or pass -image-roots=skip to write trustform's certificates only (system scope then loses the image's own roots)")
		}
		return exitError
	}
	for _, w := range out.Warnings {
		e.view.Warnf("%s", w)
	}
	if a.Out == "-" {
		if _, err := e.view.Out.Write(out.Stream); err != nil {
			e.view.Errorf("writing the manifests: %v", err)
			return exitError
		}
		return exitOK
	}
	if err := writeExport(opts.OutDir, out.Files); err != nil {
		e.view.Errorf("%v", err)
		return exitError
	}
	e.view.Resultf("Exported %d %s to %s.", len(out.Files), views.Plural(len(out.Files), "file", "files"), a.Out)
	return exitOK
}

// imageReader reads image files through the configured engine, detected on
// first use so that exports without override or system scope need none.
func (e *runEnv) imageReader(preference string) export.ImageFiles {
	var r *container.Runner
	var detectErr error
	detected := false
	return func(ctx context.Context, image string, paths []string) (map[string][]byte, error) {
		if !detected {
			detected = true
			cli := e.containerCLI()
			engine, err := container.Detect(ctx, cli, preference)
			if err == nil {
				r, err = container.New(engine, cli)
			}
			if err != nil {
				detectErr = fmt.Errorf("%w: %v", export.ErrNoEngine, err)
			}
		}
		if detectErr != nil {
			return nil, detectErr
		}
		return r.ReadImageFiles(ctx, image, paths)
	}
}

// writeExport writes files into dir and removes what the previous export
// there wrote and this one does not.
func writeExport(dir string, files []export.File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	listPath := filepath.Join(dir, exportListName)
	var previous []string
	if data, err := os.ReadFile(listPath); err == nil {
		previous = strings.Split(strings.TrimSpace(string(data)), "\n")
	}
	now := map[string]bool{}
	var list strings.Builder
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
		}
		if err := atomicfile.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		now[f.Path] = true
		list.WriteString(f.Path + "\n")
	}
	for _, rel := range previous {
		if rel == "" || now[rel] || strings.Contains(rel, "..") || filepath.IsAbs(rel) {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing %s from the previous export: %w", p, err)
		}
		// Directories the previous export made and this one left empty.
		for d := filepath.Dir(p); d != dir && strings.HasPrefix(d, dir); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
	}
	return atomicfile.WriteFile(listPath, []byte(list.String()), 0o644)
}
