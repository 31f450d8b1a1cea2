// Package safepath resolves paths below the .trustform directory without
// following symbolic links, so that nothing trustform writes or removes can
// land outside it (issue 12).
//
// trustform creates every directory and file under .trustform itself and
// never a symbolic link to a directory there. A link found on the way to a
// path of ours was therefore planted (by hand, by a copy, by another
// program): following it could truncate or delete a file anywhere the user
// can write. Such a link is refused with a *LinkError naming it, and never
// followed. Links trustform makes itself (the subject-hash names inside a
// certs directory) are leaves: they are removed, never resolved.
//
// Containment is checked by walking the path one component at a time with
// Lstat, not by comparing strings: a string prefix says nothing about what
// the components are on disk.
package safepath
