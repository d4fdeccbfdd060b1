package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/novagen/novagen/internal/guard"
)

// writeCatalog writes a new catalog at path: a new file, or with force
// one that replaces what is there.
func writeCatalog(path string, data []byte, force bool) error {
	if force {
		if _, err := os.Stat(path); err == nil {
			return replaceFile(path, data)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: novagen init --service NAME adds a service to it, --force replaces it", guard.Escape(path))
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %s", guard.Escape(path), guard.Cause(err))
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // not half a catalog
		return fmt.Errorf("cannot write %s: %s", guard.Escape(path), guard.Cause(err))
	}
	return nil
}

// replaceFile replaces the file at path (through a symlink: the file it
// names) with data, keeping its permissions: written beside it and
// renamed into place, so a reader sees the old file or the new one.
func replaceFile(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %s", guard.Escape(path), guard.Cause(err))
	}
	info, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("cannot write %s: %s", guard.Escape(path), guard.Cause(err))
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("cannot write %s: not a regular file", guard.Escape(path))
	}
	err = writeReplacing(target, info.Mode().Perm(), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot write %s: %s", guard.Escape(path), guard.Cause(err))
	}
	return nil
}

// writeReplacing writes dst through write into a temporary file beside
// it, with mode perm, and renames that into place.
func writeReplacing(dst string, perm fs.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
