package vault

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// TestMergeProperty drives random changes of every kind (add, rename, note,
// pin, new secret, HOTP counter, a member this version does not know,
// remove) on replicas of one vault, syncing random pairs with MergeFile on
// their real vault.age files in between. After each replica has merged
// every other once, all hold the same state; an account is there if and
// only if it was never removed, or changed where a removal had not seen it
// (the test keeps each replica's causal history to know); every value was
// written by someone; every HOTP counter is the highest reached. The join itself is checked to be commutative,
// associative and idempotent on states met on the way.
func TestMergeProperty(t *testing.T) {
	t.Parallel()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			mergeProperty(t, seed, 3+int(seed%2), 60)
		})
	}
}

// history is what the test did, to check the outcome against.
type history struct {
	removed  map[string]bool
	writes   map[string][]int           // id → the ops that changed it
	removals map[string][]removal       // id → its removals
	written  map[string]map[string]bool // id → register → values written
	counters map[string]uint64          // id → highest HOTP counter set
	members  map[string]bool            // id: an unknown member was set
}

// removal is one removal of an account: the ops its replica knew of, and
// the account's HOTP counter then.
type removal struct {
	known   map[int]bool
	counter uint64
}

func (h *history) wrote(e *Entry) {
	if h.written[e.ID] == nil {
		h.written[e.ID] = map[string]bool{}
	}
	for _, r := range entryRegisters {
		h.written[e.ID][r.name+"="+r.value(e)] = true
	}
	if e.extra != "" {
		h.members[e.ID] = true
		h.written[e.ID]["extra="+e.extra] = true
	}
	h.counters[e.ID] = max(h.counters[e.ID], e.Counter)
}

func mergeProperty(t *testing.T, seed uint64, n, ops int) {
	rng := rand.New(rand.NewPCG(seed, 42))
	vs := replicas(t, n)
	known := make([]map[int]bool, n) // the ops each replica knows of
	for i := range known {
		known[i] = map[int]bool{}
	}
	h := &history{removed: map[string]bool{}, writes: map[string][]int{}, removals: map[string][]removal{}, written: map[string]map[string]bool{}, counters: map[string]uint64{}, members: map[string]bool{}}
	var seen []*Data // states met, for the algebra
	secret := uint64(1000)
	now := time.Now()

	for op := range ops {
		vi := rng.IntN(n)
		v := vs[vi]
		if rng.IntN(4) == 0 {
			fi := rng.IntN(n)
			if fi != vi {
				syncFrom(t, v, vs[fi])
				for k := range known[fi] {
					known[vi][k] = true
				}
				seen = append(seen, mustLoad(t, v))
			}
			continue
		}
		known[vi][op] = true
		update(t, v, func(d *Data) error {
			kind := rng.IntN(9)
			if len(d.Accounts) == 0 || kind == 0 {
				secret++
				a := testAccount("Issuer", fmt.Sprintf("op%d", op), secret)
				if rng.IntN(3) == 0 {
					a.Type, a.Counter = otp.HOTP, uint64(rng.IntN(5))
				}
				e, err := d.Add(a, now)
				if err != nil {
					return err
				}
				h.wrote(&e)
				h.writes[e.ID] = append(h.writes[e.ID], op)
				return nil
			}
			i := rng.IntN(len(d.Accounts))
			e := &d.Accounts[i]
			switch kind {
			case 1:
				e.Name = fmt.Sprintf("renamed%d", op)
			case 2:
				e.Note = fmt.Sprintf("note %d", op)
			case 3:
				e.Pinned = !e.Pinned
			case 4:
				secret++
				e.Secret = testAccount("", "x", secret).Secret
			case 5:
				if e.Type == otp.HOTP {
					e.Counter += uint64(1 + rng.IntN(3))
					h.wrote(e)
					return nil // no change of a register: the counter counts apart
				} else {
					e.Note = fmt.Sprintf("note %d", op)
				}
			case 6:
				e.extra = joinMembers(map[string]string{"color": fmt.Sprintf(`"c%d"`, op)})
			case 7, 8:
				if kind == 8 && rng.IntN(2) == 0 {
					e.Issuer = fmt.Sprintf("Issuer%d", op)
					break
				}
				h.removed[e.ID] = true
				h.removals[e.ID] = append(h.removals[e.ID], removal{maps.Clone(known[vi]), e.Counter})
				d.Remove(e.ID)
				return nil
			}
			h.wrote(e)
			h.writes[e.ID] = append(h.writes[e.ID], op)
			return nil
		})
		if rng.IntN(5) == 0 {
			seen = append(seen, mustLoad(t, v))
		}
	}

	// Each merges every other once, in a random order.
	for _, i := range rng.Perm(n) {
		for _, j := range rng.Perm(n) {
			if i != j {
				syncFrom(t, vs[i], vs[j])
			}
		}
	}
	want := state(t, vs[0])
	for i, v := range vs[1:] {
		if got := state(t, v); got != want {
			t.Fatalf("replica %d differs from replica 0 after syncing:\n%s\n%s", i+1, got, want)
		}
	}

	final := mustLoad(t, vs[0])
	for id := range h.written {
		i := final.Index(id)
		if want := h.alive(id); (i >= 0) != want {
			t.Errorf("account %s: there %v, want %v (writes %v, removals %d)", id, i >= 0, want, h.writes[id], len(h.removals[id]))
		}
		if i < 0 {
			continue
		}
		e := &final.Accounts[i]
		for _, r := range entryRegisters {
			if !h.written[id][r.name+"="+r.value(e)] {
				t.Errorf("account %s: %s %q was never written", id, r.name, r.value(e))
			}
		}
		if h.members[id] && e.extra == "" {
			t.Errorf("account %s lost its unknown member", id)
		}
		if e.extra != "" && !h.written[id]["extra="+e.extra] {
			t.Errorf("account %s: unknown members %s never written", id, e.extra)
		}
		if e.Counter != h.counters[id] {
			t.Errorf("account %s: HOTP counter %d, want the highest set, %d", id, e.Counter, h.counters[id])
		}
	}
	kept := 0
	for id := range h.removals {
		if final.Index(id) >= 0 {
			kept++
		}
	}
	t.Logf("%d accounts, %d removed, %d of them kept by a change the removal did not see", len(h.written), len(h.removals), kept)
	seen = append(seen, final)
	checkJoinAlgebra(t, rng, seen)
}

// alive says whether account id should be in the vault: never removed, or
// changed where no removal saw it, or its HOTP counter beyond every
// removal's.
func (h *history) alive(id string) bool {
	var counter uint64
	for _, r := range h.removals[id] {
		counter = max(counter, r.counter)
	}
	if len(h.removals[id]) == 0 || h.counters[id] > counter {
		return true
	}
	for _, w := range h.writes[id] {
		unseen := true
		for _, r := range h.removals[id] {
			unseen = unseen && !r.known[w]
		}
		if unseen {
			return true
		}
	}
	return false
}

// checkJoinAlgebra checks that join is commutative, associative and
// idempotent on random picks from states.
func checkJoinAlgebra(t *testing.T, rng *rand.Rand, states []*Data) {
	t.Helper()
	j := func(a, b *Data) *Data {
		d, err := join(a, b)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	c := func(d *Data) string {
		b, err := canonical(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for range 30 {
		a, b, x := states[rng.IntN(len(states))], states[rng.IntN(len(states))], states[rng.IntN(len(states))]
		if c(j(a, a)) != c(a) {
			t.Fatalf("join is not idempotent:\n%s\n%s", c(j(a, a)), c(a))
		}
		if c(j(a, b)) != c(j(b, a)) {
			t.Fatalf("join is not commutative")
		}
		if c(j(j(a, b), x)) != c(j(a, j(b, x))) {
			t.Fatalf("join is not associative")
		}
	}
}
