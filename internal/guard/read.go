package guard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Read reads all of r, refusing more than limit bytes and any byte YAML
// does not allow (the C0 controls but tab, line feed and carriage return,
// and DEL): binary input such as /dev/zero fails at its first byte, not
// after the cap. what names the input in messages ("catalog",
// "manifests"), name locates it ("services.yaml", "<stdin>").
func Read(name, what string, r io.Reader, limit int64) ([]byte, error) {
	buf := make([]byte, 256<<10)
	var data []byte
	for {
		n, err := r.Read(buf)
		if i := badByte(buf[:n]); i >= 0 {
			return nil, controlError(name, what, append(data, buf[:n]...), len(data)+i)
		}
		data = append(data, buf[:n]...)
		if int64(len(data)) > limit {
			return nil, Errors{{Pos: Pos{File: name}, Message: fmt.Sprintf("%s is larger than %s, the most novagen reads", what, mib(limit)), tooLarge: true}}
		}
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, Errors{{Pos: Pos{File: name}, Message: fmt.Sprintf("cannot read %s: %s", what, Cause(err))}}
		}
	}
}

// mib writes a cap for messages.
func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// notYAML marks the bytes Read refuses.
var notYAML = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = b != '\t' && b != '\n' && b != '\r'
	}
	t[0x7f] = true
	return t
}()

// badByte is the index of the first byte of p YAML does not allow, or -1.
func badByte(p []byte) int {
	for i, b := range p {
		if notYAML[b] {
			return i
		}
	}
	return -1
}

// controlError locates the byte at i of data.
func controlError(name, what string, data []byte, i int) error {
	line, col := 1, 1
	for _, r := range string(data[:i]) {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	msg := fmt.Sprintf("control character U+%04X: %s must be text (UTF-8)", data[i], what)
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return Errors{{Pos: Pos{File: name, Line: 1, Column: 1}, Message: fmt.Sprintf("%s is UTF-16: save it as UTF-8", what)}}
	}
	return Errors{{Pos: Pos{File: name, Line: line, Column: col}, Message: msg}}
}

// ReadFile reads the regular file at path with Read's rules. A FIFO,
// device or directory is refused without blocking on it: this is how
// files a repository holds are read (a catalog a function config names,
// a file a catalog names, a kustomization).
func ReadFile(path, what string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer; the type
	// check then refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, cannotRead(path, what, err)
	}
	defer f.Close()
	return readOpen(f, path, what, limit, false)
}

// ReadArg reads a file named on the command line: as ReadFile, but a
// pipe or a device (novagen check -f <(kustomize build), /dev/stdin) is
// read too, within the same cap; a directory is refused.
func ReadArg(path, what string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, cannotRead(path, what, err)
	}
	defer f.Close()
	return readOpen(f, path, what, limit, true)
}

// ReadIn is ReadFile of name below root, which it may not leave (by a
// path or a symlink: ErrOutside); errors name it shown, as the user
// wrote it.
func ReadIn(root *os.Root, name, shown, what string, limit int64) ([]byte, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if Escapes(err) {
			return nil, ErrOutside
		}
		return nil, cannotRead(shown, what, err)
	}
	defer f.Close()
	return readOpen(f, shown, what, limit, false)
}

// ErrOutside is a path that leads out of the directory it must stay in.
// Callers word it for their input, the same whether or not the path
// exists there.
var ErrOutside = errors.New("outside the directory it must stay in")

// Escapes says err is os.Root's refusal of a path (or a symlink) that
// leads out of the root.
func Escapes(err error) bool { return err != nil && Cause(err) == "path escapes from parent" }

func cannotRead(name, what string, err error) error {
	return Errors{{Pos: Pos{File: name}, Message: fmt.Sprintf("cannot read %s: %s", what, Cause(err))}}
}

func readOpen(f *os.File, name, what string, limit int64, streams bool) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, cannotRead(name, what, err)
	}
	mode := info.Mode()
	if !mode.IsRegular() && !(streams && mode&(os.ModeNamedPipe|os.ModeCharDevice|os.ModeDevice) != 0) {
		return nil, Errors{{Pos: Pos{File: name}, Message: fmt.Sprintf("cannot read %s: %s", what, describeMode(mode))}}
	}
	return Read(name, what, f, limit)
}

// describeMode says what a file that is not a regular one is.
func describeMode(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "it is a directory"
	case m&os.ModeNamedPipe != 0:
		return "it is a named pipe, not a regular file"
	case m&os.ModeSocket != 0:
		return "it is a socket, not a regular file"
	case m&(os.ModeDevice|os.ModeCharDevice) != 0:
		return "it is a device, not a regular file"
	}
	return "not a regular file"
}

// Cause is an I/O error without the operation and path the caller
// already names ("no such file or directory", not "open x: no such …").
func Cause(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}
