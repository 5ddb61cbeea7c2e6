package awssession

import (
	"context"
	"fmt"
	"time"
)

// Tiered is the agent's memory in front of the disk: Get asks Memory first,
// then Disk, and hands Memory what Disk had; Put writes both, so that a
// session outlives the agent (a lock, a reboot) and costs no new code when
// the agent is unlocked again; Lock is Disk's, so that processes served by
// the agent and processes that are not take the same turns.
type Tiered struct {
	Memory Cache // the unlocked agent
	Disk   *FileCache
}

// Get implements Cache.
func (t *Tiered) Get(name string) ([]byte, bool, error) {
	if b, ok, err := t.Memory.Get(name); err == nil && ok {
		return b, true, nil
	}
	s, ok, err := t.Disk.entry(name)
	if err != nil || !ok {
		return nil, false, err
	}
	if ttl := s.Expires.Sub(t.Disk.Now()); ttl > 0 {
		// The agent may be full or locked meanwhile: the disk serves.
		t.Memory.Put(name, s.Secret, ttl)
	}
	return s.Secret, true, nil
}

// Put implements Cache. Only the disk's failure is one: the agent holds
// what it can, and a full or locked agent is served from the disk.
func (t *Tiered) Put(name string, secret []byte, ttl time.Duration) error {
	t.Memory.Put(name, secret, ttl)
	if err := t.Disk.Put(name, secret, ttl); err != nil {
		return fmt.Errorf("on disk: %w", err)
	}
	return nil
}

// Lock implements Locker.
func (t *Tiered) Lock(ctx context.Context, name string) (func(), error) {
	return t.Disk.Lock(ctx, name)
}
