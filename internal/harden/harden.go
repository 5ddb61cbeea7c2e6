// Package harden keeps the secrets of a running process out of core dumps
// and, where the system allows, out of swap.
//
// A vmfa process holds the vault's identity and every seed in memory. A
// crash (or a SIGQUIT with GOTRACEBACK=crash) would write them to a core
// file, and memory the kernel pages out lands on the swap device, where it
// outlives the process. Process, called before any secret is read, closes
// both doors as far as the platform lets it:
//
//   - Unix: RLIMIT_CORE is set to 0, soft and hard, so no core is written
//     and no child can raise it again.
//   - Linux: the process is made undumpable (PR_SET_DUMPABLE 0), which also
//     stops cores piped to a crash handler and keeps other processes of the
//     same user from reading its memory through ptrace or /proc/PID/mem.
//   - Linux: all memory, present and future, is locked (mlockall) when the
//     process may lock without limit: root, CAP_IPC_LOCK, or an unlimited
//     memlock limit. With a finite limit, locking all of it would make the
//     Go runtime die the first time the heap outgrew the limit, and locking
//     only some buffers would leave the copies Go makes elsewhere, so the
//     process locks nothing and says so when there is swap on disk to
//     reach.
//
// macOS encrypts swap itself; elsewhere only the core limit is set.
package harden

// Process hardens the running process. It returns what it could not do that
// leaves secrets exposed, one line each, for the caller to show.
func Process() (notes []string) {
	if err := noCoreDumps(); err != nil {
		notes = append(notes, "core dumps could not be turned off ("+err.Error()+"): a crash could write secrets to disk")
	}
	if note := lockMemory(); note != "" {
		notes = append(notes, note)
	}
	return notes
}
