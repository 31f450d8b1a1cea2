// Package watch tells trustform up -watch which of the files a
// configuration depends on changed: the *.trust.hcl and variable files,
// the certificate files collections read, and every resource's watch
// entries.
//
// Entries are absolute files, directories (everything below them) or glob
// patterns. The watcher listens on parent directories rather than on the
// files, because editors save by writing a new file and renaming it over
// the old one, which a watch on the old file's inode never sees. Bursts
// (an editor's write, chmod and rename; a git checkout) are reported as
// one Change once the files have been quiet for the debounce interval.
package watch
