// Package wire is the agent's protocol: where its socket is, the messages,
// and how they are framed. It imports little on purpose: vmfa's front end
// (cmd/vmfa) asks the agent for codes with it, and a process that links
// nothing more starts in a few milliseconds.
//
// A connection carries one request and one response, each a 4-byte
// big-endian length and that many bytes of JSON, at most MaxMessage; the
// whole exchange must end within ConnTimeout.
package wire

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strings"
	"time"
)

// Limits of the protocol.
const (
	MaxMessage  = 64 << 10        // bytes of JSON in a request or a response
	ConnTimeout = 2 * time.Second // for a whole exchange
)

// Operations, Request.Op.
const (
	OpStatus = "status"
	OpUnlock = "unlock"
	OpLock   = "lock"
	OpUnwrap = "unwrap"
	OpPut    = "put"
	OpGet    = "get"
	OpDelete = "delete"
	OpCode   = "code"
	// OpAuthTag asks for the vault's authentication tag of a file key
	// (vault.AuthTag), which the key held computes.
	OpAuthTag = "auth-tag"
)

// Error codes, Response.Code, with Response.Error.
const (
	CodeLocked    = "locked"
	CodeNoMatch   = "incorrect-identity" // age.ErrIncorrectIdentity
	CodeBadInput  = "bad-request"
	CodeForbidden = "forbidden"
	// CodeBadStanza: the stanzas to unwrap are malformed, the fault of the
	// file they come from; Error is what age says of them, as an
	// identity in the client's hands would.
	CodeBadStanza = "bad-stanza"
	// CodeElsewhere: the agent does not answer this code request (an HOTP
	// account, no match, an ambiguous query…); the full program does, and
	// says why if it fails.
	CodeElsewhere = "elsewhere"
)

// Request is what a client asks.
type Request struct {
	Op string `json:"op"` // one of the Op* constants

	Identity []byte        `json:"identity,omitempty"` // unlock: "AGE-SECRET-KEY-1…"
	Timeout  time.Duration `json:"timeout,omitempty"`  // unlock

	Stanzas []Stanza `json:"stanzas,omitempty"` // unwrap

	FileKey []byte `json:"file_key,omitempty"` // auth-tag

	Name  string        `json:"name,omitempty"`  // put, get, delete
	Value []byte        `json:"value,omitempty"` // put
	TTL   time.Duration `json:"ttl,omitempty"`   // put

	Code *CodeRequest `json:"code,omitempty"` // code
}

// Stanza is a recipient stanza of an age header.
type Stanza struct {
	Type string   `json:"type"`
	Args []string `json:"args"`
	Body []byte   `json:"body"`
}

// CodeRequest asks for the code of the one TOTP account Query designates,
// as 'vmfa code QUERY' does, recorded as handed out.
type CodeRequest struct {
	Query string `json:"query"`
	Fresh bool   `json:"fresh,omitempty"` // a code never handed out before
	Next  bool   `json:"next,omitempty"`  // the next code is handed out too
	// Settings is the absolute settings directory of the client's
	// environment (dirs.Settings), whose clock correction the code
	// is computed at, as the full program run there would; "" for the
	// agent's own.
	Settings string `json:"settings,omitempty"`
}

// Response is what the agent answers.
type Response struct {
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"` // one of the Code* constants, with Error

	Status  *Status `json:"status,omitempty"`
	FileKey []byte  `json:"file_key,omitempty"` // unwrap
	Tag     []byte  `json:"tag,omitempty"`      // auth-tag
	Value   []byte  `json:"value,omitempty"`    // get
	Found   bool    `json:"found,omitempty"`    // get

	Codes *Codes `json:"codes,omitempty"` // code
}

// Status is what an agent says of itself.
type Status struct {
	Locked bool `json:"locked"`
	PID    int  `json:"pid"`
	// ExpiresIn is how long until the agent locks if no request comes;
	// 0 when locked, and -1 when it stays unlocked until Lock.
	ExpiresIn time.Duration `json:"expires_in"`
	// Recipient is the vault's public key, "age1…", when unlocked.
	Recipient string `json:"recipient,omitempty"`
}

// Codes answers a CodeRequest.
type Codes struct {
	Issuer string `json:"issuer"`
	Name   string `json:"name"`
	Code   string `json:"code"`
	Next   string `json:"next"`
	// Wait is how long until Code is valid: 0, or with Fresh when this
	// window's code was handed out, the time left of this window.
	Wait      time.Duration `json:"wait"`
	Remaining int           `json:"remaining_seconds"` // of Code's window, from its start or now; TOTP only
	Period    int           `json:"period"`            // TOTP only
	// Counter is an HOTP account's counter of Code; nil for TOTP.
	Counter *uint64 `json:"counter,omitempty"`
	// Notes are what the full program would say on stderr before the code
	// (a clock correction that is stale or could not be read, a code that
	// could not be recorded as handed out).
	Notes []string `json:"notes,omitempty"`
}

// ErrNoAgent is what Do returns when no agent listens on the socket.
var ErrNoAgent = errors.New("no agent runs for this vault")

// SocketName is the name of the socket of a vault directory, which must be
// absolute and clean. The hash only tells one user's vault directories
// apart, in a directory no one else can enter, so FNV does: SHA-256 would
// bring in the crypto packages, whose start-up costs the front end about
// 1 ms.
func SocketName(absDir string) string {
	h := fnv.New64a()
	h.Write([]byte(absDir))
	return "agent-" + hex.EncodeToString(h.Sum(nil)) + ".sock"
}

// ReadMessage reads one length-prefixed JSON message into v.
func ReadMessage(r io.Reader, v any) error {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		var timeout interface{ Timeout() bool }
		if errors.As(err, &timeout) && timeout.Timeout() {
			return fmt.Errorf("nothing within %v", ConnTimeout)
		}
		return errors.New("no message")
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > MaxMessage {
		return fmt.Errorf("a message of %d bytes, over the limit of %d", size, MaxMessage)
	}
	b := make([]byte, size)
	defer clear(b)
	if _, err := io.ReadFull(r, b); err != nil {
		return errors.New("a truncated message")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("a message that is not JSON of the agent's protocol")
	}
	return nil
}

// WriteMessage writes v as one length-prefixed JSON message.
func WriteMessage(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	defer clear(b)
	if len(b) > MaxMessage {
		return fmt.Errorf("a message of %d bytes, over the limit of %d", len(b), MaxMessage)
	}
	msg := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(b)), uint32(len(b)))
	msg = append(msg, b...)
	defer clear(msg)
	_, err = w.Write(msg)
	return err
}

// Off reports whether the user turned the agent off: VMFA_AGENT=off (or 0,
// false, no). --no-agent is the command line's word for it.
func Off() bool {
	switch strings.ToLower(os.Getenv("VMFA_AGENT")) {
	case "off", "0", "false", "no":
		return true
	}
	return false
}
