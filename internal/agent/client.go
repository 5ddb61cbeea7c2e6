//go:build unix

package agent

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/vault"
)

// Client talks to the agent of one vault directory. It is an age.Identity:
// what it unwraps, the agent unwraps with the key it holds.
type Client struct {
	path string
}

// NewClient returns the client of the agent of the vault directory dir. It
// makes the socket's directory if needed but connects to nothing.
func NewClient(dir string) (*Client, error) {
	path, err := wire.SocketPath(dir)
	if err != nil {
		return nil, err
	}
	return &Client{path: path}, nil
}

// Status asks the agent what it is. With no agent running, it returns
// ErrNoAgent.
func (c *Client) Status() (Status, error) {
	return c.doStatus(wire.Request{Op: wire.OpStatus})
}

// doStatus sends req, whose answer is the agent's status.
func (c *Client) doStatus(req wire.Request) (Status, error) {
	resp, err := c.do(req)
	if err != nil {
		return Status{}, err
	}
	if resp.Status == nil {
		return Status{}, errors.New("the agent did not say its status (an agent of another vmfa version?)")
	}
	return *resp.Status, nil
}

// Unlock hands the agent the vault's identity, to keep until Lock or until
// timeout passes without a request (0: until Lock).
func (c *Client) Unlock(id *age.X25519Identity, timeout time.Duration) (Status, error) {
	key := []byte(id.String())
	defer clear(key)
	return c.doStatus(wire.Request{Op: wire.OpUnlock, Identity: key, Timeout: timeout})
}

// Lock makes the agent forget the key and the secrets.
func (c *Client) Lock() error {
	_, err := c.do(wire.Request{Op: wire.OpLock})
	return err
}

// Unwrap implements age.Identity.
func (c *Client) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	req := wire.Request{Op: wire.OpUnwrap, Stanzas: make([]wire.Stanza, len(stanzas))}
	for i, s := range stanzas {
		req.Stanzas[i] = wire.Stanza{Type: s.Type, Args: s.Args, Body: s.Body}
	}
	resp, err := c.do(req)
	var bad *badStanzaError
	if errors.Is(err, age.ErrIncorrectIdentity) || errors.As(err, &bad) {
		// The file's fault, said as the key in hand would say it.
		return nil, err
	}
	if err != nil {
		// Not the file's fault: package vault says so rather than call
		// vault.age damaged.
		return nil, fmt.Errorf("%w: %w", vault.ErrKeyUnavailable, err)
	}
	return resp.FileKey, nil
}

// AuthTag implements vault.Authenticator: the agent computes the vault's
// authentication tag of a file key with the key it holds. Its failures wrap
// vault.ErrKeyUnavailable, as Unwrap's do.
func (c *Client) AuthTag(fileKey []byte) ([]byte, error) {
	resp, err := c.do(wire.Request{Op: wire.OpAuthTag, FileKey: fileKey})
	var remote *remoteError
	if errors.As(err, &remote) {
		return nil, fmt.Errorf("%w: the agent can't authenticate the vault (an agent started by an older vmfa?): %w", vault.ErrKeyUnavailable, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", vault.ErrKeyUnavailable, err)
	}
	return resp.Tag, nil
}

// Put keeps value under name while the agent is unlocked, for at most ttl
// (0: until the agent locks).
func (c *Client) Put(name string, value []byte, ttl time.Duration) error {
	_, err := c.do(wire.Request{Op: wire.OpPut, Name: name, Value: value, TTL: ttl})
	return err
}

// Delete forgets the value kept under name, if any.
func (c *Client) Delete(name string) error {
	_, err := c.do(wire.Request{Op: wire.OpDelete, Name: name})
	return err
}

// Get returns the value kept under name, or ok=false if there is none.
func (c *Client) Get(name string) (value []byte, ok bool, err error) {
	resp, err := c.do(wire.Request{Op: wire.OpGet, Name: name})
	if err != nil {
		return nil, false, err
	}
	return resp.Value, resp.Found, nil
}

// do sends one request and maps the agent's error codes back to the
// errors callers branch on.
func (c *Client) do(req wire.Request) (wire.Response, error) {
	resp, err := wire.Do(c.path, req)
	if err != nil {
		return resp, err
	}
	switch resp.Code {
	case "":
		return resp, nil
	case wire.CodeLocked:
		return resp, ErrLocked
	case wire.CodeNoMatch:
		return resp, age.ErrIncorrectIdentity
	case wire.CodeBadStanza:
		return resp, &badStanzaError{msg: resp.Error}
	}
	return resp, &remoteError{msg: resp.Error}
}

// Start starts an agent for the vault directory dir in the background, by
// running exe with args (vmfa's "agent --dir DIR"): in a session of its own,
// so that closing the terminal does not end it, in /, with stdin, stdout
// and stderr on /dev/null. It waits until the agent answers, at most timeout.
// The environment is the caller's, which must hold no secret: the key goes
// to the agent over the socket afterwards (Unlock).
func (c *Client) Start(exe string, args []string, timeout time.Duration) error {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/" // not to keep the caller's directory busy for hours
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("can't start the agent: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if _, err := c.Status(); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			// Another agent started first: that one serves.
			if _, serr := c.Status(); serr == nil {
				return nil
			}
			return fmt.Errorf("%w (%v)", ErrExited, err)
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the agent did not answer within %v", timeout)
		}
	}
}
