package awssession

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"
)

// Where a session is held, Held.Where.
const (
	InAgent = "agent"
	OnDisk  = "disk"
)

// Held is a cached session as List tells it: never a secret.
type Held struct {
	Profile string `json:"profile"`
	Kind    string `json:"kind"` // KindSession, KindRole, KindRoleChain
	// Expiration is the credentials' own; the cache stops serving them
	// RefreshMargin before.
	Expiration time.Time `json:"expiration"`
	Where      []string  `json:"where"` // InAgent, OnDisk
	name       string
}

// Forgetter is a Cache that can forget an entry: the agent's memory.
type Forgetter interface {
	Cache
	Delete(name string) error
}

// List returns the sessions disk holds that have not expired, each marked
// as held by memory (the agent; nil for none) too or not, by profile and
// then expiry. An entry that does not decrypt or parse is left out and its
// error returned beside the rest. memory is asked only of disk's names:
// the agent cannot list its own.
func List(disk *FileCache, memory Cache) ([]Held, []error) {
	names, err := disk.Names()
	if err != nil {
		return nil, []error{err}
	}
	var held []Held
	var errs []error
	for _, name := range names {
		s, ok, err := disk.entry(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		var c cachedSession
		err = json.Unmarshal(s.Secret, &c)
		clear(s.Secret)
		if err != nil || c.Profile == "" || c.Expiration.IsZero() {
			continue // not a session, or one of an older vmfa, never served again
		}
		h := Held{Profile: c.Profile, Kind: c.Kind, Expiration: c.Expiration, Where: []string{OnDisk}, name: name}
		if memory != nil {
			if b, ok, err := memory.Get(name); err == nil && ok {
				clear(b)
				h.Where = []string{InAgent, OnDisk}
			}
		}
		held = append(held, h)
	}
	slices.SortFunc(held, func(a, b Held) int {
		return cmp.Or(cmp.Compare(a.Profile, b.Profile), a.Expiration.Compare(b.Expiration))
	})
	return held, errs
}

// Clear forgets, on disk and in memory (nil for none), the sessions of
// profile, or every session when profile is "", and returns how many
// were on disk. Clearing every session opens none: it needs no key.
func Clear(disk *FileCache, memory Forgetter, profile string) (int, error) {
	var names []string
	if profile == "" {
		var err error
		if names, err = disk.Names(); err != nil {
			return 0, err
		}
	} else {
		held, errs := List(disk, nil)
		if len(errs) > 0 {
			return 0, errs[0]
		}
		for _, h := range held {
			if h.Profile == profile {
				names = append(names, h.name)
			}
		}
	}
	for i, name := range names {
		if memory != nil {
			memory.Delete(name)
		}
		if err := disk.Delete(name); err != nil {
			return i, err
		}
	}
	return len(names), nil
}
