// Package views is everything trustform's commands print. A View holds
// one run's two streams and whether each may be coloured (terminal,
// NO_COLOR, -no-color); the per-command views (Plan, Apply, Validate,
// Status, Show, Output, Version) build on it, each with a human and, where the command
// has -json, a JSON form.
//
// The rules every view keeps: results on stdout, everything for the person
// at the terminal (diagnostics, progress, hints) on stderr, so that
// `trustform plan -json | jq` stays clean; "trustform: error: ..." and
// "hint: ..." lines; colour only where the stream may have it; JSON lines
// stamped with one timestamp format (apply.TimestampFormat). Renderers
// that live below the commands (the plan's human, JSON and Markdown
// renderers, apply's progress events) are called from here, never from a
// command directly.
package views
