package safepath

import (
	"errors"
	"fmt"
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

// Kind names what mode describes ("a named pipe", "a device"), for
// messages of callers that refuse it.
func Kind(m fs.FileMode) string { return kind(m) }
