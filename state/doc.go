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
//     appending a line keeps the total linear. Lines are written, not
//     fsynced: they survive trustform's death, and a power loss ends the
//     processes they describe too. Closing the journal folds it into
//     state.json (saved durably); Load replays a journal left by a crash.
//   - state.lock: who holds the state (pid, host, start, command), guarded
//     by an OS advisory lock, so a holder that died is detected and its lock
//     taken over instead of blocking forever.
//
// # Format
//
// Format version 2 stores trust material once per distinct content: the
// top-level "materials" table maps a digest (SHA-256 of the material's
// compact JSON) to its files, with paths relative to the resource's
// trust_dir, and its certificate summaries; a resource's spec names its
// material ("material": digest) instead of listing them. A thousand
// resources trusting the same 150 certificates (301 files each) thus
// record them once, not a thousand times: at that size the file went from
// 110 MB to 1.4 MB and Load from 5.4 s to 40 ms in BenchmarkLoad1000. A
// spec with a file outside its trust_dir keeps its files and certificates
// inline, as version 1 did; Load reads version 1 files and Save writes
// version 2.
//
// Load rebuilds each Spec.Files with absolute paths, and gives every spec
// of one material the same Certificates slice, which callers must not
// modify in place (replace the slice instead).
//
// The file stays indented for people who read it: after deduplication
// compact JSON would save a quarter of 1.4 MB and about 25 ms per save at
// 1,000 resources, which is not worth unreadable state. The header
// (version, lineage, serial) is written first, so Load and Save read it
// with a streaming decoder that stops there, and the whole file is decoded
// once.
//
// The journal's lines are compact JSON in the same shape: a line carries a
// material's definition only the first time its digest appears in the
// journal or in the state file the journal starts from.
//
// A state file written by a newer trustform (higher format version) is never
// read or overwritten, and a corrupt one is never modified: the user restores
// it from the backup.
package state
