package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestSyncStateJSON: vault.age's plaintext is what json.MarshalIndent
// makes of it, and the member "merge" that saves write by hand is what
// encoding/json writes of the same state, byte for byte once encoding/json has
// compacted it as a json.RawMessage, for states made by real saves and for every
// corner of the format (empty members left out, keys that need escaping,
// tombstones with and without the account they hold); and it reads back
// as the same state.
func TestSyncStateJSON(t *testing.T) {
	t.Parallel()
	_, v := newTestVault(t)
	addAccounts(t, v, 0, 5)
	update(t, v, func(d *Data) error {
		d.Accounts[1].Note = "edited"
		d.Accounts[2].extra = `"future":{"a":[1,2]}`
		d.extra = `"later":true`
		d.Remove(d.Accounts[3].ID)
		return nil
	})
	d := mustLoad(t, v)
	known := *d // without unknown members, which take another path
	known.extra, known.Accounts = "", slices.Clone(d.Accounts)
	for i := range known.Accounts {
		known.Accounts[i].extra = ""
	}
	for _, parsed := range []bool{false, true} {
		if parsed {
			if _, err := known.state(); err != nil {
				t.Fatal(err)
			}
		}
		dj, _ := known.asJSON(false)
		want, _ := json.MarshalIndent(dj, "", "\t")
		if got, err := encodeData(&known); err != nil || !bytes.Equal(got, want) {
			t.Errorf("encodeData (state parsed: %v): %v\n%s\nwant\n%s", parsed, err, got, want)
		}
	}
	saved := known.sync
	s1, s2 := stamp{1, 0xdeadbeef}, stamp{12, 0x0000000a}
	corners := &syncState{
		Accounts: map[string]*accountMeta{
			"empty":     {},
			"dots-only": {Dots: dots{s1, s2}},
			"both":      {Stamps: stamps{"label": s2, "otp": s1, `"odd" <name> é`: s2}, Dots: dots{s2}},
		},
		Vault: stamps{"generations": s2, "z&y": s1},
		Removed: map[string]*tombstone{
			"bare":  {At: time.Date(2026, 12, 6, 6, 0, 0, 5, time.UTC)},
			"full":  {At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), Dots: dots{s1}, Counter: 7, Stamps: stamps{"note": s1}, Entry: json.RawMessage(`{ "id": "full", "note": "<b>" }`)},
			"older": {At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Dots: dots{s1, s2}},
		},
	}
	for name, s := range map[string]*syncState{"saved": saved, "corners": corners, "vault only": {Vault: stamps{"generations": s1}}, "nothing": {}} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.appendJSON(nil, false)
		if err != nil {
			t.Fatal(err)
		}
		indented, err := s.appendJSON(nil, true)
		var want2 bytes.Buffer
		json.Indent(&want2, got, "\t", "\t")
		if err != nil || !bytes.Equal(indented, want2.Bytes()) {
			t.Errorf("%s indented: %v\n got %s\nwant %s", name, err, indented, want2.Bytes())
		}
		c, err := json.Marshal(json.RawMessage(got)) // as asJSON's member is written
		if err != nil {
			t.Fatalf("%s: %v in %s", name, err, got)
		}
		if !bytes.Equal(c, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, c, want)
		}
		if name != "corners" { // whose odd names are escaped
			var indented bytes.Buffer
			json.Indent(&indented, got, "\t", "\t")
			if !(&syncState{}).readFast(got) || !(&syncState{}).readFast(indented.Bytes()) {
				t.Errorf("%s: not read by the fast path", name)
			}
		}
		back := &Data{syncRaw: got}
		read, err := back.state()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if again, _ := json.Marshal(read); !bytes.Equal(again, want) {
			t.Errorf("%s read back:\n got %s\nwant %s", name, again, want)
		}
	}
}

// TestStampText: a stamp is written N.TAG, TAG as 8 hex digits, and reads
// back.
func TestStampText(t *testing.T) {
	t.Parallel()
	for _, s := range []stamp{{0, 0}, {1, 0xdeadbeef}, {42, 0xa1b2}, {1<<64 - 1, 0xffffffff}} {
		got, _ := s.MarshalText()
		if want := fmt.Sprintf("%d.%08x", s.n, s.tag); string(got) != want {
			t.Errorf("%v: %s, want %s", s, got, want)
		}
		var back stamp
		if err := back.UnmarshalText(got); err != nil || back != s {
			t.Errorf("%s reads back as %v, %v", got, back, err)
		}
	}
}

// FuzzSyncStateRead: the fast path that reads the member "merge" reads
// what it accepts as encoding/json does, and accepts nothing encoding/json
// refuses.
func FuzzSyncStateRead(f *testing.F) {
	for _, seed := range []string{
		`{"accounts":{"a1":{"stamps":{"label":"3.0000000a","otp":"1.deadbeef","x y":"2.1"},"dots":["3.0000000a","1.deadbeef","1.deadbeef"]},"b":{}},"vault":{"generations":"4.ff"}}`,
		"{\n\t\"accounts\": {\n\t\t\"a\": {\n\t\t\t\"stamps\": {\n\t\t\t\t\"note\": \"1.00000001\"\n\t\t\t},\n\t\t\t\"dots\": [\n\t\t\t\t\"1.00000001\"\n\t\t\t]\n\t\t}\n\t}\n}",
		`{"removed":{"r":{"at":"2026-12-06T06:00:00Z","dots":["2.2","1.1"],"counter":3,"stamps":{"note":"1.1"},"entry":{"id":"r","note":"\"}]{["}}},"accounts":{}}`,
		`{"accounts":{"a":{"stamps":{"label":"1.1"},"stamps":{"otp":"2.2"}}}}`,
		`{"accounts":{"a":{"dots":["1.1"]},"a":{"dots":["2.2"]}}}`,
		`{"Accounts":{"a":{"Stamps":{"label":"1.1"}}}}`,
		`{"accounts":{"a":null},"removed":{"r":null}}`,
		`{"accounts":{"\u0061":{"stamps":{"l\u00e9":"1.1"}}}}`,
		`{"accounts":{"a":{"stamps":{"label":"x"}}}}`,
		`{"vault":{},"vault":{"generations":"1.1"}}`,
		`{"accounts":{"a":{"dots":[]}}, "other": 1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // Load read the member: it is valid JSON
		}
		var fast, slow syncState
		if !fast.readFast(b) {
			return
		}
		if err := json.Unmarshal(b, &slow); err != nil {
			t.Fatalf("the fast path read %q, which encoding/json refuses: %v", b, err)
		}
		fast.normalize()
		slow.normalize()
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\nfast %#v\nslow %#v", b, fast, slow)
		}
	})
}

// FuzzUnmarshalData: reading a vault.age's JSON with the member "merge"
// cut out reads what encoding/json reads of the whole, and refuses what
// it refuses, with the same error.
func FuzzUnmarshalData(f *testing.F) {
	_, v := newTestVault(f)
	addAccounts(f, v, 0, 2)
	update(f, v, func(d *Data) error {
		d.Remove(d.Accounts[0].ID)
		return nil
	})
	pt, err := encodeData(mustLoad(f, v))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pt)
	for _, seed := range []string{
		`{"version":1,"merge":{"accounts":{"a":{"dots":["1.1"]}}},"accounts":[]}`,
		`{"version":1,"accounts":[],"merge":{"vault":{"generations":"1.1"}},"Merge":{}}`,
		`{"version":1,"accounts":[],"\u006derge":{"vault":{"generations":"1.1"}}}`,
		`{"version":1,"accounts":[],"merge":{"vault":{"generations":"1.1"}},"merge":{}}`,
		`{"version":1,"accounts":[{"id":"a","merge":{}}],"merge":{"accounts":{"x\"}":{}}},"later":[1,"]"]}`,
		`{"version":1,"accounts":[],"merge":{"a":[1}]}`,
		`{"version":1,"accounts":[],"merge":{"a":1}} , {"x":1}`,
		`{"version":1,"accounts":[],"merge":null}`,
		`{"merge":1e5, "version":1}`,
		`{"version":1,"accounts":[],"later":"\\","merge":{"vault":{"x\\\"":"1.1"}}}`,
		`{"merge":`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var cut, whole Data
		errCut, errWhole := cut.UnmarshalJSON(b), whole.unmarshal(b)
		if fmt.Sprint(errCut) != fmt.Sprint(errWhole) {
			t.Fatalf("%q: %v, read whole: %v", b, errCut, errWhole)
		}
		if errCut == nil && !reflect.DeepEqual(cut, whole) {
			t.Fatalf("%q:\n%#v\nread whole:\n%#v", b, cut, whole)
		}
	})
}
