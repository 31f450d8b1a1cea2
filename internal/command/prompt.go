package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/ui"
	"github.com/trustform/trustform/lang"
)

// loadConfigAsking loads the configuration like loadConfig, and, when
// input is allowed and standard input is a terminal, asks for each
// required variable that has no value, as Terraform does. Without a
// terminal nothing is asked and such a variable is the usual error.
func (e *runEnv) loadConfigAsking(ctx context.Context, vars []lang.VarFlag, input bool) (*lang.Config, hcl.Diagnostics, *ui.Sources) {
	opts := e.loadOptions(vars)
	if input && e.stdinIsTerminal() {
		opts.Ask = func(v lang.VariablePrompt) (string, error) {
			s, err := e.askVariable(ctx, v)
			if err == nil {
				e.answered = append(e.answered, lang.VarFlag{Name: v.Name, Value: s})
			}
			return s, err
		}
	}
	return e.loadConfigWith(opts)
}

// askVariable shows Terraform's prompt for one variable on stderr and reads
// a line from the terminal. Ctrl-C while waiting ends the wait (the signal
// context is cancelled) rather than leaving us blocked on the read.
func (e *runEnv) askVariable(ctx context.Context, v lang.VariablePrompt) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "var.%s\n", v.Name)
	if d := strings.TrimSpace(v.Description); d != "" {
		for _, line := range strings.Split(d, "\n") {
			fmt.Fprintf(&b, "  %s\n", line)
		}
		b.WriteString("\n")
	}
	b.WriteString("  Enter a value: ")
	fmt.Fprint(e.view.Err, b.String())
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := readLine(e.stdin)
		got <- answer{line, err}
	}()
	select {
	case a := <-got:
		fmt.Fprintln(e.view.Err)
		if a.err != nil {
			return "", a.err
		}
		return a.line, nil
	case <-ctx.Done():
		fmt.Fprintln(e.view.Err)
		return "", errors.New("interrupted")
	}
}

// readLine reads up to a newline one byte at a time, so nothing after the
// line (the next answer) is consumed. A line cut short by end of input is
// an error: the user gave no answer.
func readLine(r io.Reader) (string, error) {
	var line strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSuffix(line.String(), "\r"), nil
			}
			line.WriteByte(buf[0])
		}
		if err == io.EOF {
			return "", errors.New("end of input before a value was entered")
		}
		if err != nil {
			return "", err
		}
	}
}
