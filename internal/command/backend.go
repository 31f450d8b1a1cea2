package command

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/trustform/trustform/internal/command/arguments"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/plan"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// This file holds what plan, apply, destroy, up and check share on top of
// the workspace: making a plan (asking for variables on a terminal),
// stopping on a signal, and asking for approval.

// planResult is a plan with what it was made from.
type planResult struct {
	plan  *plan.Plan
	state *state.State
	diags hcl.Diagnostics
	src   *ui.Sources
}

// errorDiag turns a run-time error into a diagnostic without a source.
func errorDiag(summary string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: err.Error()}
}

// makePlan loads configuration and state, refreshes, and builds a plan.
// The result always carries the diagnostics and sources to print them; its
// plan is nil when they hold errors.
func (e *runEnv) makePlan(ctx context.Context, a *arguments.Planning) *planResult {
	e.planningGC()
	r := &planResult{src: ui.NewSources(e.dir, nil)}
	st, err := e.loadState()
	if err != nil {
		r.diags = append(r.diags, errorDiag("Cannot read the state", err))
		return r
	}
	r.state = st
	host, now := e.planHost(), e.now()
	var prefetched *plan.Prefetched
	var cfg *lang.Config
	if a.Destroy {
		// Destroying needs only state: a configuration that no longer
		// loads must not keep processes running.
		cfg = &lang.Config{Dir: e.dir}
	} else {
		// The bundles trust variables name are parsed while the
		// configuration loads, on the CPU loading leaves idle.
		prefetched = plan.PrefetchBundles(host, now)
		cfg, r.diags, r.src = e.loadConfigAsking(ctx, a.Vars, a.Input)
		if !r.diags.HasErrors() {
			r.diags = append(r.diags, lang.CheckFiles(cfg)...)
		}
		if r.diags.HasErrors() {
			return r
		}
	}
	var refreshed map[string]runtimes.Status
	if a.Refresh && len(st.Resources) > 0 {
		rs := e.newRunnerSet(cfg.Settings.ContainerRuntime)
		refreshed, _ = e.refresh(ctx, rs, st)
	}
	dc, err := e.devcertInput()
	if err != nil {
		r.diags = append(r.diags, errorDiag("Cannot read developer certificates", err))
		return r
	}
	p, pdiags := plan.Build(&plan.Input{
		Config:     cfg,
		State:      st,
		Refreshed:  refreshed,
		Destroy:    a.Destroy,
		Targets:    a.Targets,
		Replace:    a.Replace,
		Host:       host,
		Devcert:    dc,
		Now:        now,
		Version:    Version,
		Prefetched: prefetched,
	})
	r.diags = append(r.diags, pdiags...)
	if !r.diags.HasErrors() {
		r.plan = p
	}
	return r
}

// signalContext is cancelled on the first SIGINT or SIGTERM, so apply stops
// starting resources, saves state and releases the lock. A second signal
// kills us the default way.
func signalContext(parent context.Context, onSignal func(os.Signal)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			if onSignal != nil {
				onSignal(sig)
			}
			cancel()
			signal.Stop(ch)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(ch)
		cancel()
	}
}

// stdinIsTerminal reports whether we may prompt.
func (e *runEnv) stdinIsTerminal() bool {
	f, ok := e.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks for "yes" on the terminal. Ctrl-C while waiting (ctx is
// the signal context) ends the wait with ctx's error instead of leaving us
// blocked on the read.
func (e *runEnv) confirm(ctx context.Context, question, detail string) (bool, error) {
	fmt.Fprintf(e.view.Err, "\n%s\n  %s\n\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question, detail)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		var line strings.Builder
		buf := make([]byte, 1)
		for {
			n, err := e.stdin.Read(buf)
			if n == 1 {
				if buf[0] == '\n' {
					break
				}
				line.WriteByte(buf[0])
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				got <- answer{err: err}
				return
			}
		}
		got <- answer{line: line.String()}
	}()
	select {
	case a := <-got:
		yes := a.err == nil && strings.TrimSpace(a.line) == "yes"
		if !yes {
			// Apart from what follows. After "yes" the blank line before
			// the progress comes from apply itself, as after -auto-approve.
			fmt.Fprintln(e.view.Err)
		}
		if a.err != nil {
			return false, a.err
		}
		return yes, nil
	case <-ctx.Done():
		fmt.Fprintln(e.view.Err)
		return false, ctx.Err()
	}
}
