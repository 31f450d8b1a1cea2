package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tmpMarker is part of every temporary name this package creates, so that
// RemoveStale recognises leftovers without touching anything else.
const tmpMarker = ".tmp-"

// WriteFile writes data to path atomically and durably: a temporary file in
// the same directory is written, fsynced, given perm, and renamed over path;
// then the directory is fsynced so the rename itself survives a crash.
//
// perm is applied exactly (the umask does not apply), so secrets written with
// 0600 are never readable by others, not even briefly. If path is a symlink,
// the link itself is replaced, not its target.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, true)
}

// WriteFileNoSync is WriteFile without any fsync: the file still appears
// atomically (old or new content), but after a power cut it may be missing
// or empty. Use it for material that is regenerated anyway.
func WriteFileNoSync(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, false)
}

func write(path string, data []byte, perm os.FileMode, sync bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tmpMarker+"*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if sync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	// CreateTemp always uses 0600; Chmod on the open file sets the final
	// mode before the name becomes visible.
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if sync {
		if err = SyncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceDir builds a directory in a hidden sibling of final and moves it
// into place, so a reader never sees a half-written directory. build receives
// the temporary directory (mode 0755) and fills it with ordinary writes; no
// file in it is fsynced, only the parent directory once the rename is done.
//
// An existing final (directory or file) is first renamed aside, then the new
// directory is renamed in, then the old one is removed. If build fails,
// nothing is left behind and final is untouched. If moving the new directory
// in fails, the old one is put back.
func ReplaceDir(final string, build func(tmp string) error) error {
	final = filepath.Clean(final)
	parent, base := filepath.Split(final)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", final, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+tmpMarker)
	if err != nil {
		return fmt.Errorf("creating %s: %w", final, err)
	}
	// MkdirTemp uses 0700; trust material directories are world-readable
	// so that processes running as other users can read them.
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("creating %s: %w", final, err)
	}
	if err := build(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}

	// tmp is unique, so tmp+".old" is too; renaming over an existing
	// directory is not portable, hence the three-step swap.
	old := tmp + ".old"
	hadOld := false
	if _, err := os.Lstat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("replacing %s: moving the previous copy aside: %w", final, err)
		}
		hadOld = true
	} else if !errors.Is(err, os.ErrNotExist) {
		os.RemoveAll(tmp)
		return fmt.Errorf("replacing %s: %w", final, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		if hadOld {
			if rerr := os.Rename(old, final); rerr != nil {
				return fmt.Errorf("replacing %s: %w; the previous copy is at %s, move it back by hand", final, err, old)
			}
		}
		os.RemoveAll(tmp)
		return fmt.Errorf("replacing %s: %w", final, err)
	}
	if err := SyncDir(parent); err != nil {
		return fmt.Errorf("replacing %s: %w", final, err)
	}
	if hadOld {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("%s is in place, but removing the previous copy failed: %w; remove %s by hand", final, err, old)
		}
	}
	return nil
}

// RemoveStale removes the temporary files and directories that an
// interrupted WriteFile or ReplaceDir left in dir. Entries not created by
// this package are never touched. A missing dir is not an error.
func RemoveStale(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if IsTemp(e.Name()) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// IsTemp reports whether a base name is one of this package's temporary
// names, so that listings (for example of resource directories) can skip
// them.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tmpMarker)
}
