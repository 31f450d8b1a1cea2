//go:build !linux

package process

import (
	"context"

	"github.com/trustform/trustform/runtimes"
)

// FindOrphans finds nothing outside Linux: it needs another process's
// environment, which macOS gives only through KERN_PROCARGS2 parsing that
// trustform does not do yet, and Windows and the other systems not at all.
func (r *Runner) FindOrphans(_ context.Context, lineage string) ([]runtimes.Orphan, error) {
	return nil, nil
}
