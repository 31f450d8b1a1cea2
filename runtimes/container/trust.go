package container

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

// maxBundleSize bounds what is read of an image's bundle; real ones are a
// few hundred kilobytes.
const maxBundleSize = 32 << 20

// maxLinkHops bounds symlink chains followed when reading an image's bundle.
const maxLinkHops = 8

// trustEntry is one file, directory or symlink of a resource's trust
// directory, by slash-separated path relative to it.
type trustEntry struct {
	rel     string
	mode    fs.FileMode // fs.ModeDir, fs.ModeSymlink or 0 for a regular file
	data    []byte
	link    string
	modTime time.Time
}

// trustMaterial is a trust directory read into memory.
type trustMaterial struct {
	entries      []trustEntry
	bundle       []byte
	bundleTime   time.Time
	bundleExists bool
}

// readTrustDir reads the whole trust directory. Symlinks must be relative
// and stay inside it (certs/<hash>.0 links), because only the directory's
// content reaches the container.
func readTrustDir(dir string, needBundle bool) (*trustMaterial, error) {
	m := &trustMaterial{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel == "." {
			if !d.IsDir() {
				return fmt.Errorf("%s is not a directory", dir)
			}
			return nil
		}
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := trustEntry{rel: rel, modTime: info.ModTime()}
		switch {
		case d.IsDir():
			e.mode = fs.ModeDir
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if filepath.IsAbs(target) {
				return fmt.Errorf("%s links to the absolute path %s, which does not exist inside a container", p, target)
			}
			resolved := filepath.Join(filepath.Dir(p), target)
			if r, err := filepath.Rel(dir, resolved); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				return fmt.Errorf("%s links outside the trust directory (%s)", p, target)
			}
			e.mode = fs.ModeSymlink
			e.link = filepath.ToSlash(target)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.data = b
			if rel == layout.BundleName {
				m.bundle, m.bundleTime, m.bundleExists = b, e.modTime, true
			}
		default:
			return fmt.Errorf("%s is neither a file, a directory nor a symlink", p)
		}
		m.entries = append(m.entries, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading trust material: %w; run apply again to rewrite it", err)
	}
	if needBundle && !m.bundleExists {
		return nil, fmt.Errorf("trust material in %s has no %s to put over the image's bundles; run apply again to rewrite it", dir, layout.BundleName)
	}
	return m, nil
}

// checkContainerDir validates an in-container absolute directory path.
func checkContainerDir(p string) (string, error) {
	if !path.IsAbs(p) {
		return "", fmt.Errorf("container path %q must be absolute", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", fmt.Errorf("container path %q must not contain \"..\"", p)
		}
	}
	c := path.Clean(p)
	if c == "/" {
		return "", fmt.Errorf("container path %q must not be the root directory", p)
	}
	return c, nil
}

// copyTrust sends the trust material and the overwritten bundles to the
// created container in one tar stream. Only the destination directory and
// what is below it get directory entries: parents the image lacks are
// created by the engine (0755), and parents it has keep their owner and mode
// (a directory entry for /usr or /tmp would reset them).
func (r *Runner) copyTrust(ctx context.Context, id string, c *runtimes.ContainerLaunch, m *trustMaterial) error {
	dest, err := checkContainerDir(c.Destination)
	if err != nil {
		return err
	}
	type overwrite struct {
		name string
		data []byte
	}
	var overwrites []overwrite
	// imageBundle is the first of the image's default bundles: in system
	// scope SSL_CERT_FILE names our bundle, so it must hold the image's
	// roots too, not only the files we overwrite (issue 13).
	var imageBundle []byte
	seen := map[string]bool{}
	for _, p := range c.OverwriteBundles {
		if !path.IsAbs(p) {
			return fmt.Errorf("bundle path %q must be absolute", p)
		}
		p = path.Clean(p)
		if seen[p] {
			continue
		}
		seen[p] = true
		imageData, found, err := r.readImageFile(ctx, id, p)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		data := m.bundle
		if c.MergeImage {
			data = mergeBundles(imageData, m.bundle)
			if imageBundle == nil {
				imageBundle = imageData
			}
		}
		overwrites = append(overwrites, overwrite{name: p[1:], data: data})
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	base := dest[1:]
	dirTime := m.bundleTime
	if err := writeDir(tw, base, dirTime); err != nil {
		return err
	}
	for _, e := range m.entries {
		name := base + "/" + e.rel
		switch e.mode {
		case fs.ModeDir:
			err = writeDir(tw, name, e.modTime)
		case fs.ModeSymlink:
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: e.link,
				Mode: 0o777, ModTime: e.modTime, Uname: "root", Gname: "root"})
		default:
			data := e.data
			if e.rel == layout.BundleName && imageBundle != nil {
				data = mergeBundles(imageBundle, data)
			}
			err = writeFile(tw, name, data, e.modTime)
		}
		if err != nil {
			return err
		}
	}
	for _, o := range overwrites {
		if err := writeFile(tw, o.name, o.data, m.bundleTime); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if _, err := r.run(ctx, &buf, "cp", "-", id+":/"); err != nil {
		return fmt.Errorf("copying trust material into the container: %w", err)
	}
	return nil
}

func writeDir(tw *tar.Writer, name string, t time.Time) error {
	return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755,
		ModTime: t, Uname: "root", Gname: "root"})
}

func writeFile(tw *tar.Writer, name string, data []byte, t time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644,
		Size: int64(len(data)), ModTime: t, Uname: "root", Gname: "root"}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// mergeBundles is the image's bundle followed by ours.
func mergeBundles(image, ours []byte) []byte {
	out := make([]byte, 0, len(image)+len(ours)+1)
	out = append(out, image...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, ours...)
}

// readImageFile reads a regular file of the created (not yet started)
// container. found is false when the path does not exist, is dangling, or
// is not a regular file. Symlinks are followed, by the engine where it can
// (docker cp -L) and here otherwise.
func (r *Runner) readImageFile(ctx context.Context, id, p string) (data []byte, found bool, err error) {
	for hop := 0; hop < maxLinkHops; hop++ {
		args := append([]string{"cp"}, r.d.cpFollow...)
		args = append(args, id+":"+p, "-")
		out, err := r.run(ctx, nil, args...)
		if err != nil {
			if matches(err, r.d.noSuchFile) {
				return nil, false, nil
			}
			return nil, false, fmt.Errorf("looking for %s in the image: %w", p, err)
		}
		tr := tar.NewReader(bytes.NewReader(out))
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading %s from the image: %w", p, err)
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			b, err := io.ReadAll(io.LimitReader(tr, maxBundleSize+1))
			if err != nil {
				return nil, false, fmt.Errorf("reading %s from the image: %w", p, err)
			}
			if len(b) > maxBundleSize {
				return nil, false, fmt.Errorf("%s in the image is larger than %d bytes; it is not a CA bundle", p, maxBundleSize)
			}
			return b, true, nil
		case tar.TypeSymlink:
			t := hdr.Linkname
			if !path.IsAbs(t) {
				t = path.Join(path.Dir(p), t)
			}
			p = path.Clean(t)
		default:
			return nil, false, nil
		}
	}
	return nil, false, fmt.Errorf("%s in the image: too many levels of symbolic links", p)
}
