package process

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// A frame is what trustform and its supervisor send each other: a uvarint
// count of fields, then each field as a uvarint length and its bytes.

// maxFrameFields and maxFieldLen bound what a frame may claim, so a
// garbled stream fails instead of allocating without end.
const (
	maxFrameFields = 1 << 20
	maxFieldLen    = 64 << 20
)

var errFrame = errors.New("malformed frame")

func appendFrame(b []byte, fields ...string) []byte {
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

func readFrame(r *bufio.Reader) ([]string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxFrameFields {
		return nil, errFrame
	}
	fields := make([]string, n)
	for i := range fields {
		l, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, unexpected(err)
		}
		if l > maxFieldLen {
			return nil, errFrame
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, unexpected(err)
		}
		fields[i] = string(b)
	}
	return fields, nil
}

// unexpected turns the end of the stream inside a frame into an error of
// its own: only a frame boundary is a clean end.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// frame encodes a request: "start", the numbers and paths, the argument
// count, the arguments, then the environment.
func (q *supRequest) frame() []byte {
	f := make([]string, 0, 7+len(q.Argv)+len(q.Env))
	f = append(f, "start", strconv.FormatUint(q.ID, 10), q.Path, q.Dir, q.Log, q.Exit, strconv.Itoa(len(q.Argv)))
	f = append(f, q.Argv...)
	f = append(f, q.Env...)
	return appendFrame(nil, f...)
}

func (q *supRequest) read(r *bufio.Reader) error {
	f, err := readFrame(r)
	if err != nil {
		return err
	}
	if len(f) < 7 || f[0] != "start" {
		return errFrame
	}
	id, err1 := strconv.ParseUint(f[1], 10, 64)
	argc, err2 := strconv.Atoi(f[6])
	if err1 != nil || err2 != nil || argc < 0 || argc > len(f)-7 {
		return errFrame
	}
	*q = supRequest{ID: id, Path: f[2], Dir: f[3], Log: f[4], Exit: f[5], Argv: f[7 : 7+argc], Env: f[7+argc:]}
	return nil
}

// frame encodes an answer or an exit.
func (m *supMessage) frame() []byte {
	exited := "0"
	if m.Exited {
		exited = "1"
	}
	return appendFrame(nil, "msg", strconv.FormatUint(m.ID, 10), strconv.Itoa(m.PID), strconv.FormatUint(m.Start, 10),
		m.Err, exited, strconv.Itoa(m.Code), strconv.FormatInt(m.At, 10))
}

func (m *supMessage) read(r *bufio.Reader) error {
	f, err := readFrame(r)
	if err != nil {
		return err
	}
	if len(f) != 8 || f[0] != "msg" {
		return errFrame
	}
	var errs [5]error
	*m = supMessage{Err: f[4], Exited: f[5] == "1"}
	m.ID, errs[0] = strconv.ParseUint(f[1], 10, 64)
	m.PID, errs[1] = strconv.Atoi(f[2])
	m.Start, errs[2] = strconv.ParseUint(f[3], 10, 64)
	m.Code, errs[3] = strconv.Atoi(f[6])
	m.At, errs[4] = strconv.ParseInt(f[7], 10, 64)
	if err := errors.Join(errs[:]...); err != nil {
		return fmt.Errorf("%w: %v", errFrame, err)
	}
	return nil
}
