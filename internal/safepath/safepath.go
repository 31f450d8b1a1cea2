package safepath

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinkError reports a symbolic link, or an entry of the wrong kind, found
// where trustform expects a directory or file of its own.
type LinkError struct {
	// Path is the offending entry.
	Path string
	// Target is where the link points ("" when it is not a link).
	Target string
	// Kind describes what was found when it is not a link ("a named pipe").
	Kind string
	// Want is what belongs there ("a directory", "a regular file").
	Want string
}

func (e *LinkError) Error() string {
	if e.Target != "" {
		return fmt.Sprintf("%s is a symbolic link (to %s), where trustform keeps %s of its own: trustform never follows links inside %s; remove the link (and move back any files that are yours), then run the command again", e.Path, e.Target, e.Want, ".trustform")
	}
	return fmt.Sprintf("%s is %s, where trustform keeps %s of its own: move it away, then run the command again", e.Path, e.Kind, e.Want)
}

// Inside reports whether p is root or lexically below it. Use it only as a
// first filter; Dir and File check what is on disk.
func Inside(root, p string) bool {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(p))
	return err == nil && !filepath.IsAbs(rel) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// OutsideError reports a path that is not below root at all.
type OutsideError struct{ Root, Path string }

func (e *OutsideError) Error() string {
	return fmt.Sprintf("%s is outside %s: trustform only writes and removes inside it", e.Path, e.Root)
}

// walk checks root and every existing component of p below it: each must
// be a directory and none a symbolic link. It returns the Lstat of p (nil
// when p, or a directory on the way to it, does not exist).
func walk(root, p string) (fs.FileInfo, error) {
	root, p = filepath.Clean(root), filepath.Clean(p)
	if !Inside(root, p) {
		return nil, &OutsideError{Root: root, Path: p}
	}
	rel, _ := filepath.Rel(root, p)
	cur := root
	parts := []string{}
	if rel != "." {
		parts = strings.Split(rel, string(filepath.Separator))
	}
	for i := -1; i < len(parts); i++ {
		if i >= 0 {
			cur = filepath.Join(cur, parts[i])
		}
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		last := i == len(parts)-1
		if fi.Mode()&fs.ModeSymlink != 0 {
			if last {
				return fi, nil // the caller decides whether a leaf link is ours
			}
			target, _ := os.Readlink(cur)
			return nil, &LinkError{Path: cur, Target: target, Want: "a directory"}
		}
		if !last && !fi.IsDir() {
			return nil, &LinkError{Path: cur, Kind: kind(fi.Mode()), Want: "a directory"}
		}
		if last {
			return fi, nil
		}
	}
	return nil, nil
}

// Dir checks that p, below root, is reached without following a link and
// is a directory if it exists.
func Dir(root, p string) error {
	fi, err := walk(root, p)
	if err != nil || fi == nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(p)
		return &LinkError{Path: filepath.Clean(p), Target: target, Want: "a directory"}
	}
	if !fi.IsDir() {
		return &LinkError{Path: filepath.Clean(p), Kind: kind(fi.Mode()), Want: "a directory"}
	}
	return nil
}

// File checks that p, below root, is reached without following a link and
// is a regular file if it exists.
func File(root, p string) error {
	fi, err := walk(root, p)
	if err != nil || fi == nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(p)
		return &LinkError{Path: filepath.Clean(p), Target: target, Want: "a regular file"}
	}
	if !fi.Mode().IsRegular() {
		return &LinkError{Path: filepath.Clean(p), Kind: kind(fi.Mode()), Want: "a regular file"}
	}
	return nil
}

// Parent checks that the directory holding p is reached without following
// a link; p itself may be anything (a leaf link of ours is removed, not
// followed).
func Parent(root, p string) error {
	return Dir(root, filepath.Dir(filepath.Clean(p)))
}

// MkdirAll creates p and its missing parents below root (mode perm), after
// checking that nothing on the way is a link.
func MkdirAll(root, p string, perm fs.FileMode) error {
	if err := Dir(root, p); err != nil {
		return err
	}
	if err := os.MkdirAll(p, perm); err != nil {
		return err
	}
	// Checked again: a link made while we created would have been
	// followed by MkdirAll.
	return Dir(root, p)
}

// OpenFile opens the regular file p below root with flag and perm. No
// component is followed if it is a link, the last one included
// (O_NOFOLLOW), and what is opened must be a regular file: a named pipe
// or a device would hang or never end.
func OpenFile(root, p string, flag int, perm fs.FileMode) (*os.File, error) {
	if err := File(root, p); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, flag|noFollow|nonBlock, perm)
	if err != nil {
		if isLoop(err) {
			target, _ := os.Readlink(p)
			return nil, &LinkError{Path: filepath.Clean(p), Target: target, Want: "a regular file"}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &LinkError{Path: filepath.Clean(p), Kind: kind(fi.Mode()), Want: "a regular file"}
	}
	if err := clearNonBlock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// kind names a file mode for a message.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a regular file"
}

// MaxInputFile is the most trustform reads from one file the user names:
// a configuration file, a certificate file matched by files, or file().
// A certificate bundle is rarely more than a megabyte.
const MaxInputFile = 10 << 20

// InputError reports a file the user named that trustform will not read:
// not a regular file (a named pipe would hang the read, a device such as
// /dev/zero never ends), or larger than the limit.
type InputError struct {
	Path string
	// Kind is what the path is when it is not a regular file.
	Kind string
	// Size and Limit are set when the file is too large.
	Size, Limit int64
}

func (e *InputError) Error() string { return e.Path + " " + e.Reason() }

// Reason is the message without the path: "is a named pipe, not a regular
// file", for callers that name the file their own way.
func (e *InputError) Reason() string {
	if e.Kind != "" {
		return fmt.Sprintf("is %s, not a regular file", e.Kind)
	}
	return fmt.Sprintf("is %s, more than the %s trustform reads from one file", humanSize(e.Size), humanSize(e.Limit))
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadInput reads a file the user named. Links are followed (certificate
// directories such as /etc/ssl/certs are made of them), but what is reached
// must be a regular file of at most limit bytes; anything else is an
// *InputError, found without reading (or hanging on) the file.
func ReadInput(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &InputError{Path: path, Kind: kind(fi.Mode())}
	}
	if fi.Size() > limit {
		return nil, &InputError{Path: path, Size: fi.Size(), Limit: limit}
	}
	// O_NONBLOCK: the path may have been replaced by a pipe since.
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &InputError{Path: path, Kind: kind(fi.Mode())}
	}
	if err := clearNonBlock(f); err != nil {
		return nil, err
	}
	// Bounded even if the file grows while being read.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &InputError{Path: path, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}
