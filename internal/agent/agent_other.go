//go:build !unix

package agent

import (
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/timesync"
)

// Client is the agent's client; on Windows every method returns
// ErrUnsupported.
type Client struct{}

func NewClient(dir string) (*Client, error) { return nil, ErrUnsupported }

func (c *Client) Status() (Status, error) { return Status{}, ErrUnsupported }

func (c *Client) Unlock(id *age.X25519Identity, timeout time.Duration) (Status, error) {
	return Status{}, ErrUnsupported
}

func (c *Client) Lock() error { return ErrUnsupported }

func (c *Client) Unwrap(stanzas []*age.Stanza) ([]byte, error) { return nil, ErrUnsupported }

func (c *Client) Put(name string, value []byte, ttl time.Duration) error { return ErrUnsupported }

func (c *Client) Delete(name string) error { return ErrUnsupported }

func (c *Client) Get(name string) ([]byte, bool, error) { return nil, false, ErrUnsupported }

func (c *Client) Start(exe string, args []string, timeout time.Duration) error {
	return ErrUnsupported
}

// Run is Serve's entry point; on Windows it returns ErrUnsupported.
func Run(dir string, logf func(string), clock *timesync.Clock) error {
	return ErrUnsupported
}
