// Package agent keeps a vault unlocked between vmfa commands, as ssh-agent
// keeps keys: one process per user and vault directory holds the vault's
// X25519 identity and answers its clients over a Unix socket, so that only
// the first command pays for the scrypt and asks for the passphrase.
//
// # Transport
//
// Package wire holds the protocol, apart, so that vmfa's front end can speak
// it without linking this package. The socket is wire.SocketPath(vaultDir):
// a name derived from a hash of the absolute vault directory, in
// $XDG_RUNTIME_DIR/vmfa, else in vmfa-UID in the temporary directory, else
// (when another user made that one first) in vmfa/agent in the user's state
// directory; each is created 0700 and refused unless it is the user's own
// directory that no one else can enter. On every connection the server asks
// the kernel for the peer's uid (SO_PEERCRED on Linux, LOCAL_PEERCRED on
// macOS and FreeBSD) and hangs up on any other user's process. A connection
// carries one request and one response, each a 4-byte big-endian length and
// that many bytes of JSON, at most MaxMessage; the whole exchange has a
// deadline (ConnTimeout), so a client that connects and hangs, or sends
// garbage, costs the server one goroutine for a moment and never blocks the
// others. Only one agent serves a socket: it holds a lock on the socket's
// path plus ".lock" for its lifetime, so a socket left by a killed agent is
// replaced by the next one, and two agents starting at once do not both
// serve.
//
// # Requests
//
// Client's methods, each one request:
//
//   - Status: whether the agent holds the key, its pid, when it locks, and
//     the vault's recipient (its public key), never the key.
//   - Unlock(identity, timeout): the agent takes the key and keeps it until
//     Lock, or until timeout passes without a request (0: until Lock) by
//     the monotonic clock or by the wall clock, whichever sees it first: a
//     suspend counts as idle time (Go's monotonic clock stops meanwhile;
//     on Linux the agent reads CLOCK_BOOTTIME, which does not). A wall
//     clock set back, which could hide a suspend, locks it at once.
//   - Lock: the agent forgets the key and the secret cache at once.
//   - Unwrap: Client is an age.Identity. The agent unwraps the recipient
//     stanzas of an age header with the key and returns the file key, so
//     the client decrypts vault.age itself and writes it through package
//     vault's lock, atomic saves and generations, exactly as with the key in
//     hand; the key never leaves the agent. Stanzas the key does not open
//     fail with age.ErrIncorrectIdentity and malformed ones with age's own
//     error, as with the key in hand, so that a damaged file is said to be
//     damaged; the agent's other failures (locked, gone) wrap
//     vault.ErrKeyUnavailable.
//   - AuthTag: Client is a vault.Authenticator. The agent computes the
//     vault's authentication tag (vault.AuthTag) of a file key with the key,
//     so that a vault opened through it writes and checks vault.age's
//     authentication as with the key in hand.
//   - Code (wire.OpCode, sent by the front end with wire.Do): the agent
//     of a vault (Server.ServeCodes) hands out the code of the one TOTP
//     account a query designates, as 'vmfa code' does, through
//     vault.Vault.HandOut: recorded as handed out, fresh if asked, at the
//     timesync.Clock corrected as the settings directory of the client's
//     environment says (wire.CodeRequest.Settings), read for each request,
//     as the full program run there would. It answers wire.CodeElsewhere
//     to anything else (an HOTP account, no match, several, an error, a
//     file-sync tool's conflict copy beside vault.age to merge first): the
//     full program does those and says what is wrong. It keeps the vault it decrypted while
//     vault.age is unchanged, and forgets it on lock.
//   - Put(name, value, ttl), Get(name) and Delete(name): a small cache of secrets, such
//     as temporary cloud credentials, held while the agent is unlocked:
//     values up to MaxSecret bytes, at most MaxSecrets names, each
//     forgotten after its ttl (0: with the key), and all of them on lock.
//     Put on a locked agent fails with ErrLocked; Get of a name that is not
//     there (or expired) returns ok=false.
//
// Every request but Status and Lock re-arms the idle timer. A locked agent
// answers key-needing requests with ErrLocked.
//
// # Memory
//
// The agent runs as a vmfa process, which internal/harden makes undumpable
// (no core, no ptrace by other processes) and, where the system allows,
// locks all its memory. The identity arrives over the socket only, never in
// argv or the environment.
//
// On Windows there is no agent: every function returns ErrUnsupported.
package agent

import (
	"errors"
	"fmt"
	"time"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Limits of the protocol.
const (
	MaxMessage  = wire.MaxMessage
	ConnTimeout = wire.ConnTimeout
	MaxSecret   = 16 << 10 // bytes of a cached secret
	MaxSecrets  = 64       // names in the cache
)

// DefaultTimeout is how long an unlocked agent waits for a request before
// it forgets the key.
const DefaultTimeout = 15 * time.Minute

// Errors callers branch on.
var (
	ErrNoAgent     = wire.ErrNoAgent
	ErrLocked      = errors.New("the agent is locked")
	ErrUnsupported = errors.New("the agent is not available on Windows")
	ErrRunning     = errors.New("an agent already runs for this vault")
	// ErrExited is wrapped by Start's error for an agent that exited
	// before it answered: run in the foreground, it says why.
	ErrExited = errors.New("the agent exited at once")
)

// Status is what an agent says of itself.
type Status = wire.Status

// remoteError is an error the agent reported.
type remoteError struct{ msg string }

func (e *remoteError) Error() string { return fmt.Sprintf("the agent: %s", e.msg) }

// badStanzaError is age's error for a malformed stanza the agent was asked
// to unwrap, in age's words.
type badStanzaError struct{ msg string }

func (e *badStanzaError) Error() string { return e.msg }

// CodesOf is h as 'vmfa code' prints it, from the agent or not: with a
// warning in Notes when its codes could not be recorded as handed out.
func CodesOf(h vault.Handout) wire.Codes {
	c := wire.Codes{Issuer: h.Entry.Issuer, Name: h.Entry.Name, Code: h.Codes[0]}
	if h.Entry.Type == otp.HOTP {
		counter := h.Entry.Counter // of Codes[0]: the entry is as it was before they were taken
		c.Counter = &counter
	} else {
		c.Remaining, c.Period = h.Entry.SecondsLeft(h.At), h.Entry.Period
	}
	if len(h.Codes) > 1 {
		c.Next = h.Codes[1]
	}
	if h.Unrecorded != nil {
		c.Notes = append(c.Notes, "warning: "+h.Unrecorded.Error())
	}
	return c
}
