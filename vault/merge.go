package vault

import (
	"bytes"
	"cmp"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Merging copies of a vault.
//
// Copies of one vault changed apart (on two machines, or beside each other
// by a file-sync tool) are merged account by account, by a join: the
// result does not depend on the order copies are merged in, nor on how
// often, so any number of machines that exchange copies in any order end
// with the same accounts.
//
// Each account's JSON members fall in registers, each changed as a whole:
// "created"; "label" (issuer, name); "otp" (secret, type, algorithm,
// digits, period); "note"; "pinned"; and every other member (one this
// version does not know) a register of its own, under its member name.
// Each save stamps the registers it changed with a Lamport time, "N.TAG":
// N one more than the highest N in the vault, TAG 8 random hex digits that
// order two writes of the same N. Merging takes, register by register, the
// value of the highest stamp (equal stamps, as in vaults from before
// stamps, by the greater value), and for the HOTP "counter" the higher
// count. The vault's own settings ("generations", unknown top-level
// members) are registers too.
//
// Each account also keeps its "dots", the stamps of every save that
// changed it: its causal history. A removed account leaves a tombstone:
// the dots it had when removed ("dots"), its HOTP counter then, when
// ("at"), and the account itself with its stamps ("entry", "stamps"). An
// account is alive when it has a dot its tombstone lacks (a change the
// removal did not see), or a counter beyond the tombstone's: removed on
// one side and changed on the other, it is kept. Tombstones of different
// copies join by the union of their dots, and the accounts they hold
// register by register, which keeps the join exact; the account a
// tombstone holds is dropped tombstoneLife after the removal, its dots
// never.
//
// All this is in the member "merge" of vault.age's JSON:
//
//	"merge": {
//	  "accounts": {"ID": {"stamps": {"label": "12.1f2e3d4c", "otp": "3.00a1b2c3", …},
//	                      "dots": ["3.00a1b2c3", "12.1f2e3d4c"]}},
//	  "vault":    {"generations": "7.9c8b7a6d"},
//	  "removed":  {"ID": {"at": "2026-12-06T06:00:00Z", "dots": […], "counter": 4,
//	                      "stamps": {…}, "entry": {…}}}
//	}
//
// A vault.age without it, from before merging, reads as all stamps zero
// and gets them as its registers change. The record of handed-out codes
// (steps.json), copies.json and the generations are this machine's and
// never merged.

// tombstoneLife is how long a tombstone keeps the account it removed.
const tombstoneLife = 30 * 24 * time.Hour

// stamp is the Lamport time of a write to a register.
type stamp struct {
	n   uint64
	tag uint32
}

func (s stamp) compare(o stamp) int {
	if c := cmp.Compare(s.n, o.n); c != 0 {
		return c
	}
	return cmp.Compare(s.tag, o.tag)
}

func (s stamp) MarshalText() ([]byte, error) { return s.appendText(nil), nil }

// appendText appends "N.TAG", TAG as 8 hex digits.
func (s stamp) appendText(b []byte) []byte {
	b = strconv.AppendUint(b, s.n, 10)
	b = append(b, '.')
	const hex = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, hex[s.tag>>shift&0xf])
	}
	return b
}

func (s *stamp) UnmarshalText(b []byte) error {
	n, tag, ok := strings.Cut(string(b), ".")
	var err1, err2 error
	var t uint64
	s.n, err1 = strconv.ParseUint(n, 10, 64)
	t, err2 = strconv.ParseUint(tag, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return errors.New("a merge stamp that is not N.TAG")
	}
	s.tag = uint32(t)
	return nil
}

// stamps are the stamps of registers, by name.
type stamps map[string]stamp

// syncState is the member "merge" of vault.age.
type syncState struct {
	Accounts map[string]*accountMeta `json:"accounts,omitempty"`
	Vault    stamps                  `json:"vault,omitempty"`
	Removed  map[string]*tombstone   `json:"removed,omitempty"`
}

// accountMeta is an alive account's bookkeeping.
type accountMeta struct {
	Stamps stamps `json:"stamps,omitempty"`
	Dots   dots   `json:"dots,omitempty"`
}

// dots is a set of stamps, sorted.
type dots []stamp

func (d dots) has(s stamp) bool {
	_, ok := slices.BinarySearchFunc(d, s, stamp.compare)
	return ok
}

func (d dots) with(s stamp) dots {
	i, ok := slices.BinarySearchFunc(d, s, stamp.compare)
	if ok {
		return d
	}
	return slices.Insert(slices.Clip(d), i, s)
}

// normalized returns d, a list as read, as a set: a list may come in any
// order, and repeat itself.
func (d dots) normalized() dots {
	for i := 1; i < len(d); i++ {
		if d[i-1].compare(d[i]) >= 0 {
			return union(d)
		}
	}
	return d
}

// union returns the union of sets, a new slice.
func union(sets ...dots) dots {
	var out dots
	for _, s := range sets {
		out = append(out, s...)
	}
	slices.SortFunc(out, stamp.compare)
	return slices.Compact(out)
}

// subset reports whether every dot of d is in of.
func (d dots) subset(of dots) bool {
	for _, x := range d {
		if !of.has(x) {
			return false
		}
	}
	return true
}

// tombstone is what a removal leaves.
type tombstone struct {
	At      time.Time       `json:"at"`
	Dots    dots            `json:"dots,omitempty"`
	Counter uint64          `json:"counter,omitempty"`
	Stamps  stamps          `json:"stamps,omitempty"`
	Entry   json.RawMessage `json:"entry,omitempty"`
}

// orNil returns s, or nil if it holds nothing.
func (s *syncState) orNil() *syncState {
	if s == nil || len(s.Accounts) == 0 && len(s.Vault) == 0 && len(s.Removed) == 0 {
		return nil
	}
	return s
}

// state returns d's sync state, read or made if need be.
func (d *Data) state() (*syncState, error) {
	if d.sync == nil {
		d.sync = &syncState{}
		if d.syncRaw != nil {
			s, err := readSyncState(d.syncRaw)
			if err != nil {
				d.sync = nil
				return nil, fmt.Errorf("its merge bookkeeping can't be read: %w", jsonError(err))
			}
			d.sync, d.syncRaw = s, nil
		}
	}
	if d.sync.Accounts == nil {
		d.sync.Accounts = map[string]*accountMeta{}
	}
	if d.sync.Vault == nil {
		d.sync.Vault = stamps{}
	}
	if d.sync.Removed == nil {
		d.sync.Removed = map[string]*tombstone{}
	}
	return d.sync, nil
}

// normalize makes s, as read, what the merge expects: dots as sets, and no
// account or tombstone that is null, which the join reads as none.
func (s *syncState) normalize() {
	for id, m := range s.Accounts {
		if m == nil {
			delete(s.Accounts, id)
		} else {
			m.Dots = m.Dots.normalized()
		}
	}
	for id, t := range s.Removed {
		if t == nil {
			delete(s.Removed, id)
		} else {
			t.Dots = t.Dots.normalized()
		}
	}
}

// snapshot is d as it is, for restamp to compare a change of d with:
// fields and accounts copied, the bookkeeping shared (restamp changes
// none of it).
func (d *Data) snapshot() *Data {
	return &Data{Version: d.Version, Accounts: slices.Clone(d.Accounts), Generations: d.Generations,
		extra: d.extra, sync: d.sync, syncRaw: d.syncRaw}
}

// maxN is the highest Lamport counter in s.
func (s *syncState) maxN() uint64 {
	var n uint64
	each := func(st stamps) {
		for _, x := range st {
			n = max(n, x.n)
		}
	}
	for _, m := range s.Accounts {
		each(m.Stamps)
		if len(m.Dots) > 0 {
			n = max(n, m.Dots[len(m.Dots)-1].n)
		}
	}
	each(s.Vault)
	for _, t := range s.Removed {
		each(t.Stamps)
		if len(t.Dots) > 0 {
			n = max(n, t.Dots[len(t.Dots)-1].n)
		}
	}
	return n
}

// An entryRegister is a register of the members this version knows.
type entryRegister struct {
	name  string
	value func(*Entry) string // comparable, and ordered for ties
	copy  func(dst, src *Entry)
}

var entryRegisters = []entryRegister{
	{"created", func(e *Entry) string { return e.Created.UTC().Format(time.RFC3339Nano) },
		func(d, s *Entry) { d.Created = s.Created }},
	{"label", func(e *Entry) string { return e.Issuer + "\x00" + e.Name },
		func(d, s *Entry) { d.Issuer, d.Name = s.Issuer, s.Name }},
	{"otp", func(e *Entry) string {
		return fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%d", e.Secret, e.Type, e.Algorithm, e.Digits, e.Period)
	}, func(d, s *Entry) {
		d.Secret, d.Type, d.Algorithm, d.Digits, d.Period = s.Secret, s.Type, s.Algorithm, s.Digits, s.Period
	}},
	{"note", func(e *Entry) string { return e.Note }, func(d, s *Entry) { d.Note = s.Note }},
	{"pinned", func(e *Entry) string { return strconv.FormatBool(e.Pinned) }, func(d, s *Entry) { d.Pinned = s.Pinned }},
}

// members parses a string of unknown members (fields.go) into a map of
// their compacted values.
func members(extra string) map[string]string {
	if extra == "" {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte("{"+extra+"}"), &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var c bytes.Buffer
		json.Compact(&c, v)
		out[k] = c.String()
	}
	return out
}

// joinMembers is the inverse of members.
func joinMembers(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	raw := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		raw[k] = json.RawMessage(v)
	}
	return unknownMembers(raw, nil)
}

// newStamp returns the stamp of the writes of one save on top of s.
func newStamp(s *syncState) stamp {
	var b [4]byte
	crand.Read(b[:])
	return stamp{n: s.maxN() + 1, tag: binary.BigEndian.Uint32(b[:])}
}

// restamp gives next, which a change made from prev, the sync state that
// records it: prev's, with the registers that changed stamped anew, and
// tombstones for the accounts removed. The stamps next holds are ignored.
// What no change touched is shared with prev's state, not copied: a save
// changes a few accounts of thousands.
func restamp(prev, next *Data, now time.Time) error {
	ps, err := prev.state()
	if err != nil {
		return err
	}
	base := &syncState{Accounts: make(map[string]*accountMeta, len(next.Accounts)),
		Vault: maps.Clone(ps.Vault), Removed: maps.Clone(ps.Removed)}
	st := newStamp(ps)
	before := make(map[string]*Entry, len(prev.Accounts))
	for i := range prev.Accounts {
		before[prev.Accounts[i].ID] = &prev.Accounts[i]
	}
	for i := range next.Accounts {
		e := &next.Accounts[i]
		p := before[e.ID]
		was := ps.Accounts[e.ID]
		if p != nil && was != nil && *p == *e {
			base.Accounts[e.ID] = was
			continue
		}
		m := &accountMeta{Stamps: stamps{}}
		if p != nil && was != nil {
			m.Stamps, m.Dots = maps.Clone(was.Stamps), was.Dots
			if m.Stamps == nil {
				m.Stamps = stamps{}
			}
		}
		changed := false
		write := func(register string) { m.Stamps[register], changed = st, true }
		for _, r := range entryRegisters {
			if p == nil || r.value(p) != r.value(e) {
				write(r.name)
			}
		}
		var pm map[string]string
		if p != nil {
			pm = members(p.extra)
		}
		em := members(e.extra)
		for k, v := range em {
			if old, ok := pm[k]; !ok || old != v {
				write(k)
			}
		}
		for k := range pm {
			if _, ok := em[k]; !ok {
				write(k)
			}
		}
		if changed {
			m.Dots = m.Dots.with(st)
		}
		base.Accounts[e.ID] = m
	}
	for id, p := range before {
		if _, ok := base.Accounts[id]; ok {
			continue
		}
		t := &tombstone{}
		if old := base.Removed[id]; old != nil {
			*t = *old
		}
		m := ps.Accounts[id]
		if m == nil {
			m = &accountMeta{}
		}
		t.At = now.UTC()
		t.Dots = union(t.Dots, m.Dots)
		t.Stamps = m.Stamps // the join it came from holds any older life's
		t.Counter = max(t.Counter, p.Counter)
		t.Entry = encodeEntry(p)
		base.Removed[id] = t
	}
	if prev.Generations != next.Generations {
		base.Vault["generations"] = st
	}
	pm, nm := members(prev.extra), members(next.extra)
	for k, v := range nm {
		if old, ok := pm[k]; !ok || old != v {
			base.Vault[k] = st
		}
	}
	for k := range pm {
		if _, ok := nm[k]; !ok {
			base.Vault[k] = st
		}
	}
	next.sync, next.syncRaw = base, nil
	return nil
}

// pruneTombstones drops the accounts held by tombstones older than
// tombstoneLife at now.
func (d *Data) pruneTombstones(now time.Time) {
	if d.sync == nil {
		return // never read: nothing changed since it was saved
	}
	for id, t := range d.sync.Removed {
		if t.Entry != nil && now.Sub(t.At) > tombstoneLife {
			pruned := *t // t may be shared with the state d was changed from
			pruned.Entry, pruned.Stamps = nil, nil
			d.sync.Removed[id] = &pruned
		}
	}
}

func maxStamps(a, b stamps) stamps {
	out := maps.Clone(a)
	if out == nil {
		out = stamps{}
	}
	for k, v := range b {
		if v.compare(out[k]) > 0 {
			out[k] = v
		}
	}
	return out
}

// encodeEntry is e's JSON as vault.age holds it, unknown members included.
func encodeEntry(e *Entry) json.RawMessage {
	b, err := json.Marshal((*entryFields)(e))
	if err != nil {
		return nil
	}
	return withMembers(b, e.extra)
}

// decodeEntry reads what encodeEntry writes.
func decodeEntry(b json.RawMessage) (Entry, error) {
	var e Entry
	if err := json.Unmarshal(b, (*entryFields)(&e)); err != nil {
		return Entry{}, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return Entry{}, err
	}
	e.extra = unknownMembers(m, entryKeys)
	return e, nil
}

// replica is one copy of an account: an alive one, or one a tombstone
// holds.
type replica struct {
	e       *Entry
	stamps  stamps
	dots    dots
	members map[string]string
}

// joinEntries joins copies of one account, register by register, and
// their dots.
func joinEntries(copies []replica) (Entry, *accountMeta) {
	var out Entry
	s := stamps{}
	var ds []dots
	for _, c := range copies {
		ds = append(ds, c.dots)
	}
	out.ID = copies[0].e.ID
	for _, r := range entryRegisters {
		best := -1
		var bestStamp stamp
		var bestValue string
		for i, c := range copies {
			st, v := c.stamps[r.name], r.value(c.e)
			if best < 0 || st.compare(bestStamp) > 0 || st == bestStamp && v > bestValue {
				best, bestStamp, bestValue = i, st, v
			}
		}
		r.copy(&out, copies[best].e)
		if bestStamp != (stamp{}) {
			s[r.name] = bestStamp
		}
	}
	var names []string
	for _, c := range copies {
		out.Counter = max(out.Counter, c.e.Counter)
		for k := range c.members {
			names = append(names, k)
		}
		for k := range c.stamps {
			if !slices.ContainsFunc(entryRegisters, func(r entryRegister) bool { return r.name == k }) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	m := map[string]string{}
	for _, k := range names {
		var bestStamp stamp
		var bestValue string
		for i, c := range copies {
			st, v := c.stamps[k], c.members[k]
			if i == 0 || st.compare(bestStamp) > 0 || st == bestStamp && v > bestValue {
				bestStamp, bestValue = st, v
			}
		}
		if bestValue != "" {
			m[k] = bestValue
		}
		if bestStamp != (stamp{}) {
			s[k] = bestStamp
		}
	}
	out.extra = joinMembers(m)
	return out, &accountMeta{Stamps: s, Dots: union(ds...)}
}

// aliveAfter reports whether an account of dots d and that counter
// outlives a tombstone t: t did not see one of its changes.
func aliveAfter(d dots, counter uint64, t *tombstone) bool {
	return t == nil || counter > t.Counter || !d.subset(t.Dots)
}

// join returns the join of a and b. Its accounts are a's in a's order,
// then those only b holds in b's. Neither a nor b is changed.
func join(a, b *Data) (*Data, error) {
	sa, err := a.state()
	if err != nil {
		return nil, err
	}
	sb, err := b.state()
	if err != nil {
		return nil, err
	}
	out := &Data{Version: Version, Accounts: []Entry{}}
	so, _ := out.state()

	var order []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			order = append(order, id)
		}
	}
	for _, e := range a.Accounts {
		add(e.ID)
	}
	for _, e := range b.Accounts {
		add(e.ID)
	}
	for _, id := range slices.Sorted(maps.Keys(sa.Removed)) {
		add(id)
	}
	for _, id := range slices.Sorted(maps.Keys(sb.Removed)) {
		add(id)
	}
	ia, ib := indexByID(a), indexByID(b)

	for _, id := range order {
		var copies []replica
		if i, ok := ia[id]; ok {
			copies = append(copies, alive(&a.Accounts[i], sa.Accounts[id]))
		}
		if i, ok := ib[id]; ok {
			copies = append(copies, alive(&b.Accounts[i], sb.Accounts[id]))
		}
		var t *tombstone
		var held [2]Entry // the accounts the tombstones hold
		for k, x := range []*tombstone{sa.Removed[id], sb.Removed[id]} {
			if x == nil {
				continue
			}
			if t == nil {
				t = &tombstone{}
			}
			if x.At.After(t.At) {
				t.At = x.At
			}
			t.Dots = union(t.Dots, x.Dots)
			t.Counter = max(t.Counter, x.Counter)
			if x.Entry == nil {
				continue
			}
			e, err := decodeEntry(x.Entry)
			if err != nil {
				return nil, fmt.Errorf("the account removed with id %q can't be read: %w", id, jsonError(err))
			}
			held[k] = e
			copies = append(copies, replica{&held[k], x.Stamps, x.Dots, members(e.extra)})
		}
		if len(copies) == 0 {
			so.Removed[id] = t
			continue
		}
		e, m := joinEntries(copies)
		if aliveAfter(m.Dots, e.Counter, t) {
			out.Accounts = append(out.Accounts, e)
			so.Accounts[id] = m
			if t != nil {
				so.Removed[id] = t
			}
			continue
		}
		t.Stamps, t.Entry = m.Stamps, encodeEntry(&e)
		so.Removed[id] = t
	}

	// The vault's own registers.
	out.Generations, so.Vault = a.Generations, stamps{}
	ga, gb := sa.Vault["generations"], sb.Vault["generations"]
	if c := gb.compare(ga); c > 0 || c == 0 && b.Generations > a.Generations {
		out.Generations = b.Generations
	}
	if g := maxStamp(ga, gb); g != (stamp{}) {
		so.Vault["generations"] = g
	}
	ma, mb := members(a.extra), members(b.extra)
	names := slices.Concat(slices.Collect(maps.Keys(ma)), slices.Collect(maps.Keys(mb)),
		slices.Collect(maps.Keys(sa.Vault)), slices.Collect(maps.Keys(sb.Vault)))
	m := map[string]string{}
	for _, k := range names {
		if k == "generations" {
			continue
		}
		x, y := sa.Vault[k], sb.Vault[k]
		v := ma[k]
		if c := y.compare(x); c > 0 || c == 0 && mb[k] > v {
			v = mb[k]
		}
		if v != "" {
			m[k] = v
		}
		if s := maxStamp(x, y); s != (stamp{}) {
			so.Vault[k] = s
		}
	}
	out.extra = joinMembers(m)
	return out, nil
}

// alive is the replica of an alive account.
func alive(e *Entry, m *accountMeta) replica {
	if m == nil {
		m = &accountMeta{}
	}
	return replica{e, m.Stamps, m.Dots, members(e.extra)}
}

func maxStamp(a, b stamp) stamp {
	if b.compare(a) > 0 {
		return b
	}
	return a
}

func indexByID(d *Data) map[string]int {
	m := make(map[string]int, len(d.Accounts))
	for i, e := range d.Accounts {
		m[e.ID] = i
	}
	return m
}

// canonical is d's JSON with its accounts in the order of their IDs: two
// Data with the same canonical form hold the same state, whatever the
// order of their accounts.
func canonical(d *Data) ([]byte, error) {
	c := *d
	c.Accounts = slices.Clone(d.Accounts)
	slices.SortFunc(c.Accounts, func(x, y Entry) int { return strings.Compare(x.ID, y.ID) })
	if _, err := c.state(); err != nil { // read as written: a raw one may differ
		return nil, err
	}
	return c.MarshalJSON()
}

// MergeReport says what MergeFile did.
type MergeReport struct {
	// In is how many accounts the other copy changed here: added,
	// changed or removed.
	In int
	// Out is how many accounts the other copy lacks, or holds older or
	// removed, than the join.
	Out int
	// Behind says the other copy lacks something the join holds (the Out
	// accounts, or bookkeeping alone, such as a tombstone): a copy that
	// travels is worth sending on.
	Behind bool
	// Changes are the In changes, as History says them.
	Changes []Change
	// Kept is the generation the replaced vault.age was kept as, "" when
	// the join was the vault as it was and nothing was saved.
	Kept string
}

// MergeFile merges ct, another copy of this vault's vault.age (a remote's,
// a file-sync tool's conflict copy), into the vault: it decrypts and
// authenticates ct with the vault's key, joins it with vault.age under the
// vault's lock, and saves the join if it differs, the version it replaces
// kept as a generation.
//
// A ct that is not authenticated by the vault's key (auth.go) is refused
// with an error wrapping ErrUnauthenticated; one encrypted to another key
// with an error wrapping ErrOtherVault; one damaged, or from a newer vmfa, with an error
// that says so. Then, as on
// any error, vault.age is unchanged.
func (v *Vault) MergeFile(ct []byte) (MergeReport, error) {
	other, err := v.openCopy(ct)
	if err != nil {
		return MergeReport{}, err
	}
	release, err := lock(v.store.dir)
	if err != nil {
		return MergeReport{}, err
	}
	defer release()
	return v.merge(other)
}

// openCopy decrypts and authenticates another copy of vault.age.
func (v *Vault) openCopy(ct []byte) (*Data, error) {
	if int64(len(ct)) > maxVaultSize {
		return nil, fmt.Errorf("not merged: the copy is over %s", sizeText(maxVaultSize))
	}
	d, err := v.decryptData(ct, nil)
	switch {
	case err == nil:
		return d, nil
	case errors.Is(err, ErrUnauthenticated):
		return nil, fmt.Errorf("not merged: %w", err)
	case errors.Is(err, errNotToIdentity):
		return nil, fmt.Errorf("not merged: %w", ErrOtherVault)
	case errors.Is(err, ErrNewerVersion), errors.Is(err, ErrKeyUnavailable):
		return nil, fmt.Errorf("not merged: %w", err)
	}
	return nil, fmt.Errorf("not merged: the copy is damaged (%w)", err)
}

// merge joins other into vault.age. The caller holds the lock.
func (v *Vault) merge(other *Data) (MergeReport, error) {
	cur, err := v.Load()
	if err != nil {
		return MergeReport{}, err
	}
	steps, stepsErr := v.store.readSteps()
	keepCounters(cur, steps.Counters)
	joined, err := join(cur, other)
	if err != nil {
		return MergeReport{}, fmt.Errorf("not merged: %w", err)
	}
	if err := joined.validate(); err != nil {
		return MergeReport{}, fmt.Errorf("not merged: the merged vault would not be valid: %w", err)
	}
	r := MergeReport{In: differing(cur, joined), Out: differing(other, joined)}
	// Accounts alike may still differ in bookkeeping (a tombstone, a
	// stamp): then the whole states are compared.
	jc, err := canonical(joined)
	if err != nil {
		return MergeReport{}, err
	}
	same := func(d *Data) bool {
		c, err := canonical(d)
		return err == nil && bytes.Equal(c, jc)
	}
	r.Behind = r.Out > 0 || !same(other)
	if r.In == 0 && same(cur) {
		return r, nil
	}
	r.Changes = changes(cur, joined)
	if r.Kept, err = v.save(joined); err != nil {
		return MergeReport{}, err
	}
	if stepsErr == nil {
		v.store.noteCounters(steps, joined)
	}
	return r, nil
}

// differing counts the accounts that a and b do not hold alike: held by
// one only, or different.
func differing(a, b *Data) int {
	ia, ib := indexByID(a), indexByID(b)
	n := 0
	for id, i := range ia {
		if j, ok := ib[id]; !ok || a.Accounts[i] != b.Accounts[j] {
			n++
		}
	}
	for id := range ib {
		if _, ok := ia[id]; !ok {
			n++
		}
	}
	return n
}
