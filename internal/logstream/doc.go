// Package logstream shows the output of several resources in one stream,
// the way `docker compose up` does: every line prefixed with its resource's
// address, padded so that the text lines up, one colour per resource on a
// terminal. `trustform up` and `trustform logs` (several addresses, -f)
// share it, so both look alike.
//
// A Writer prints lines; a Follower reads one growing log file (a process
// resource's .trustform/logs/ADDR.log) and hands each complete line to a
// Writer; LineWriter turns a byte stream (a container engine's `logs -f`)
// into lines. Lifecycle lines ("started (pid 4211)", "exited with code 1
// after 2.3s") go through the same Writer, so they interleave with the
// output in the order they happened.
package logstream
