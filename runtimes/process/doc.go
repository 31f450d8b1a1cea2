// Package process launches and stops the host processes trustform manages.
//
// A launched process outlives trustform: it runs in a new session (Setsid on
// Unix), so it has no controlling terminal, a Ctrl-C or a closed terminal
// does not reach it, and it leads its own process group whose id equals its
// pid. Its stdin is the null device and its stdout and stderr are appended to
// the resource's log file.
//
// What state records is a Handle: the pid and the start time the OS reports
// for it (on Linux field 22 of /proc/PID/stat, clock ticks since boot; on
// macOS microseconds since the epoch; on Windows the creation FILETIME). Every
// decision to signal a process first checks that the pid still has that start
// time, so a pid the kernel has handed to someone else is never signalled.
//
// Status semantics:
//
//   - running: the pid exists with the recorded start time and is not a
//     zombie.
//   - exited: the process we started has ended: this runner reaped it, it is
//     a zombie, or no process has that pid any more.
//   - missing: the handle names nothing we can recognise: no pid or start
//     time was recorded, or the pid now belongs to another process (its start
//     time differs), so ours ended at some unknown point.
//
// Each process carries TRUSTFORM_ADDRESS and TRUSTFORM_LINEAGE in its
// environment, which is how FindOrphans recovers processes that apply started
// but could not record because trustform crashed in between. TRUSTFORM_DIR
// names the configuration directory: a copy of the project shares the
// lineage, and a Runner made with NewForDir never stops, adopts or reports
// as running a process naming another directory. TRUSTFORM_INSTANCE is
// random per start and inherited by every descendant, so that children that
// left the process group or session (setsid, double fork) are found and
// stopped with the process they came from; only descendants that clear
// their environment escape. Without a usable cgroup this is the best Linux
// offers an unprivileged program.
package process
