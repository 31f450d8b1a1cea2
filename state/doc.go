// Package state owns trustform's record of what it created: the versioned
// JSON state file with serial and lineage, its backup, the lock held while a
// command changes state, and atomic saves.
//
// The files, all in .trustform/:
//
//   - state.json: the state, written atomically (temp file, fsync, rename),
//     mode 0600 because resources' env may hold secrets.
//   - state.json.backup: the state before the last save.
//   - state.json.journal: changes made since state.json was written, one
//     JSON line each, while apply or destroy runs. Saving after each of a
//     thousand resources by rewriting state.json would write O(N²) bytes;
//     appending a line keeps the total linear. Closing the journal folds it
//     into state.json; Load replays a journal left by a crash.
//   - state.lock: who holds the state (pid, host, start, command), guarded
//     by an OS advisory lock, so a holder that died is detected and its lock
//     taken over instead of blocking forever.
//
// A state file written by a newer trustform (higher format version) is never
// read or overwritten, and a corrupt one is never modified: the user restores
// it from the backup.
package state
