package container

import (
	"context"
	"fmt"
	"path"
	"time"
)

// probeEntrypoint is given to the container ReadImageFiles creates: images
// without a command (scratch) cannot be created otherwise, and the
// container is never started.
const probeEntrypoint = "/trustform-image-probe"

// ReadImageFiles reads regular files of an image, following symbolic links
// as apply does when it covers an image's bundles: it creates a container
// that is never started, copies each path out, and removes the container.
// The result holds only the paths that exist.
func (r *Runner) ReadImageFiles(ctx context.Context, image string, paths []string) (map[string][]byte, error) {
	out, err := r.run(ctx, nil, "create", "--entrypoint", probeEntrypoint, image)
	if err != nil {
		if matches(err, r.d.noSuchImage) {
			return nil, fmt.Errorf("image %q is not available to %s: pull it (%s pull %s) or import it, then export again: %w",
				image, r.engine, r.engine, image, err)
		}
		return nil, err
	}
	id := lastLine(string(out))
	if id == "" {
		return nil, fmt.Errorf("%s create printed no container id", r.engine)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = r.run(cctx, nil, "rm", "-f", id)
	}()
	found := map[string][]byte{}
	for _, p := range paths {
		if !path.IsAbs(p) {
			return nil, fmt.Errorf("bundle path %q must be absolute", p)
		}
		data, ok, err := r.readImageFile(ctx, id, path.Clean(p))
		if err != nil {
			return nil, err
		}
		if ok {
			found[p] = data
		}
	}
	return found, nil
}
