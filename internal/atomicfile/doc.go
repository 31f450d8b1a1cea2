// Package atomicfile writes files and directories so that a reader, or a
// later run after a crash, sees either the old content or the new one, never
// a mix or a truncated file.
//
// Files are written to a temporary file in the same directory and renamed
// into place; a rename within one directory is atomic on every platform
// trustform supports. WriteFile also fsyncs the file and its directory, which
// state needs; WriteFileNoSync and ReplaceDir skip the per-file fsync, which
// suits trust material: it is derived from the plan and rewritten by the next
// apply, so losing it in a power cut costs nothing, while fsyncing thousands
// of small files costs seconds.
//
// Temporary names start with "." and contain ".tmp-", so a crash leaves only
// hidden leftovers that RemoveStale cleans up.
package atomicfile
