package vault

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// The member "merge" of vault.age (merge.go) holds the stamps of every
// account, thousands of them, which every save reads and writes: by hand,
// as encoding/json would, that costs a fraction of what encoding/json's
// reflection does. Reading takes a fast path for what vmfa writes, and
// leaves anything else (escapes, members of other names or case, null) to
// encoding/json, so that the two read everything alike
// (FuzzSyncStateRead).

// appendJSON appends s as encoding/json writes it (members in order, those
// empty left out, the keys of maps sorted), without reflection: a vault
// holds the stamps of thousands of accounts, and each save writes them.
// Indented, it is as json.MarshalIndent writes the member "merge" of
// vault.age's plaintext (encodeData); else compact but for a tombstone's
// account, copied as it is (encoding/json compacts the member as a whole,
// asJSON).
func (s *syncState) appendJSON(b []byte, indented bool) ([]byte, error) {
	w := &syncWriter{b: b}
	if indented {
		w.nl = []byte("\n\t")
	}
	w.open('{')
	n := 0 // members written
	if len(s.Accounts) > 0 {
		w.key(n, "accounts")
		n++
		w.open('{')
		for i, id := range slices.Sorted(maps.Keys(s.Accounts)) {
			w.key(i, id)
			m := s.Accounts[id]
			if m == nil {
				w.b = append(w.b, "null"...)
				continue
			}
			w.open('{')
			if len(m.Stamps) > 0 {
				w.key(0, "stamps")
				w.stamps(m.Stamps)
			}
			if len(m.Dots) > 0 {
				w.key(len(m.Stamps), "dots")
				w.dots(m.Dots)
			}
			w.close('}', len(m.Stamps)+len(m.Dots) == 0)
		}
		w.close('}', false)
	}
	if len(s.Vault) > 0 {
		w.key(n, "vault")
		n++
		w.stamps(s.Vault)
	}
	if len(s.Removed) > 0 {
		w.key(n, "removed")
		n++
		w.open('{')
		for i, id := range slices.Sorted(maps.Keys(s.Removed)) {
			w.key(i, id)
			t := s.Removed[id]
			if t == nil {
				w.b = append(w.b, "null"...)
				continue
			}
			at, err := t.At.MarshalJSON()
			if err != nil {
				return nil, err
			}
			w.open('{')
			w.key(0, "at")
			w.b = append(w.b, at...)
			if len(t.Dots) > 0 {
				w.key(1, "dots")
				w.dots(t.Dots)
			}
			if t.Counter != 0 {
				w.key(1, "counter")
				w.b = strconv.AppendUint(w.b, t.Counter, 10)
			}
			if len(t.Stamps) > 0 {
				w.key(1, "stamps")
				w.stamps(t.Stamps)
			}
			if len(t.Entry) > 0 {
				w.key(1, "entry")
				if err := w.raw(t.Entry); err != nil {
					return nil, err
				}
			}
			w.close('}', false)
		}
		w.close('}', false)
	}
	w.close('}', n == 0)
	return w.b, nil
}

// syncWriter writes JSON compact, or indented as json.MarshalIndent does.
type syncWriter struct {
	b []byte
	// nl is a newline and the indentation of the depth written at; nil
	// when compact.
	nl []byte
}

// open starts an object or an array.
func (w *syncWriter) open(c byte) {
	w.b = append(w.b, c)
	if w.nl != nil {
		w.nl = append(w.nl, '\t')
	}
}

// close ends an object or an array, which is empty if nothing was written
// in it.
func (w *syncWriter) close(c byte, empty bool) {
	if w.nl != nil {
		w.nl = w.nl[:len(w.nl)-1]
		if !empty {
			w.b = append(w.b, w.nl...)
		}
	}
	w.b = append(w.b, c)
}

// next starts the element i of an array, or a member's value.
func (w *syncWriter) next(i int) {
	if i > 0 {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, w.nl...)
}

// key starts the member i of an object.
func (w *syncWriter) key(i int, name string) {
	w.next(i)
	w.b = append(appendJSONString(w.b, name), ':')
	if w.nl != nil {
		w.b = append(w.b, ' ')
	}
}

func (w *syncWriter) stamp(s stamp) {
	w.b = append(s.appendText(append(w.b, '"')), '"')
}

func (w *syncWriter) stamps(st stamps) {
	keys := make([]string, 0, 8) // an account has 5 registers, and rarely more
	for k := range st {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.open('{')
	for i, k := range keys {
		w.key(i, k)
		w.stamp(st[k])
	}
	w.close('}', len(keys) == 0)
}

func (w *syncWriter) dots(d dots) {
	w.open('[')
	for i, x := range d {
		w.next(i)
		w.stamp(x)
	}
	w.close(']', len(d) == 0)
}

// raw writes a JSON value as it is, or indented.
func (w *syncWriter) raw(v json.RawMessage) error {
	if w.nl == nil {
		w.b = append(w.b, v...)
		return nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, v, string(w.nl[1:]), "\t"); err != nil {
		return err
	}
	w.b = append(w.b, out.Bytes()...)
	return nil
}

// appendJSONString appends s as a JSON string: as it is where it needs no
// escaping (IDs, register names), else as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// readSyncState reads b, the member "merge" as read from vault.age.
func readSyncState(b []byte) (*syncState, error) {
	s := &syncState{}
	if !s.readFast(b) {
		*s = syncState{}
		if err := json.Unmarshal(b, s); err != nil {
			return nil, err
		}
	}
	s.normalize()
	return s, nil
}

// readFast reads b into s, an empty state, and reports whether it could:
// it reads objects whose members are named as vmfa writes them, once each,
// strings without escapes, stamps that read; "removed", which holds
// accounts, is left to encoding/json.
func (s *syncState) readFast(b []byte) bool {
	r := &syncReader{b: b}
	var seen [3]bool
	once := func(i int) bool {
		ok := !seen[i]
		seen[i] = true
		return ok
	}
	ok := r.object(func(key []byte) bool {
		switch string(key) {
		case "accounts":
			s.Accounts = map[string]*accountMeta{}
			return once(0) && r.object(func(id []byte) bool {
				m, ok := r.accountMeta()
				s.Accounts[string(id)] = m
				return ok
			})
		case "vault":
			var ok bool
			s.Vault, ok = r.stamps()
			return once(1) && ok
		case "removed":
			raw, ok := r.object0()
			return once(2) && ok && json.Unmarshal(raw, &s.Removed) == nil
		}
		return false
	})
	r.space()
	return ok && r.i == len(b)
}

// syncReader reads the JSON of a sync state, at i in b.
type syncReader struct {
	b []byte
	i int
}

func (r *syncReader) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

// eat reads c, after any space.
func (r *syncReader) eat(c byte) bool {
	r.space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (r *syncReader) str() ([]byte, bool) {
	if !r.eat('"') {
		return nil, false
	}
	start := r.i
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			r.i++
			return r.b[start : r.i-1], true
		case c < 0x20 || c > 0x7e || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

// object reads an object, calling member for each member with the reader
// just past its colon.
func (r *syncReader) object(member func(key []byte) bool) bool {
	if !r.eat('{') {
		return false
	}
	if r.eat('}') {
		return true
	}
	for {
		key, ok := r.str()
		if !ok || !r.eat(':') || !member(key) {
			return false
		}
		if !r.eat(',') {
			return r.eat('}')
		}
	}
}

// object0 returns the bytes of an object, unread, for encoding/json.
func (r *syncReader) object0() ([]byte, bool) {
	r.space()
	start := r.i
	r.i = skipValue(r.b, r.i)
	return r.b[start:r.i], start < len(r.b) && r.b[start] == '{'
}

func (r *syncReader) stamp() (stamp, bool) {
	text, ok := r.str()
	var s stamp
	return s, ok && s.UnmarshalText(text) == nil
}

func (r *syncReader) stamps() (stamps, bool) {
	st := stamps{}
	return st, r.object(func(key []byte) bool {
		s, ok := r.stamp()
		st[register(key)] = s
		return ok
	})
}

func (r *syncReader) dots() (dots, bool) {
	d := dots{}
	if !r.eat('[') {
		return nil, false
	}
	if r.eat(']') {
		return d, true
	}
	for {
		s, ok := r.stamp()
		if !ok {
			return nil, false
		}
		d = append(d, s)
		if !r.eat(',') {
			return d, r.eat(']')
		}
	}
}

func (r *syncReader) accountMeta() (*accountMeta, bool) {
	m := &accountMeta{}
	var stamped, dotted bool
	return m, r.object(func(key []byte) bool {
		var ok bool
		switch string(key) {
		case "stamps":
			m.Stamps, ok = r.stamps()
			ok, stamped = ok && !stamped, true
		case "dots":
			m.Dots, ok = r.dots()
			ok, dotted = ok && !dotted, true
		}
		return ok
	})
}

// register returns the name of a register, the common ones without
// allocating.
func register(name []byte) string {
	for _, r := range entryRegisters {
		if string(name) == r.name {
			return r.name
		}
	}
	return string(name)
}
