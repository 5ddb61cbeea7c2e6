package vault

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

func TestAdd(t *testing.T) {
	d := &Data{Version: Version}
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	e, err := d.Add(otp.Account{Issuer: " GitHub ", Name: "alice", Secret: "jbsw y3dp-ehpk 3pxp"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(e.ID) {
		t.Errorf("ID %q is not 16 hex digits", e.ID)
	}
	if !e.Created.Equal(now) || e.Created.Location() != time.UTC {
		t.Errorf("Created = %v, want %v in UTC", e.Created, now)
	}
	if e.Issuer != "GitHub" || e.Secret != "JBSWY3DPEHPK3PXP" || e.Type != otp.TOTP || e.Digits != 6 || e.Period != 30 {
		t.Errorf("Add did not normalize: %+v", e.Account)
	}
	if len(d.Accounts) != 1 || d.Accounts[0] != e {
		t.Errorf("Accounts = %+v, want [%+v]", d.Accounts, e)
	}

	// The same secret, written differently, under another name.
	_, err = d.Add(otp.Account{Issuer: "Other", Name: "bob", Secret: "JBSWY3DPEHPK3PXP===="}, now)
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.Existing.ID != e.ID {
		t.Fatalf("adding a known secret: %v, want a DuplicateError naming %s", err, e.ID)
	}
	if !strings.Contains(err.Error(), "GitHub:alice") || strings.Contains(err.Error(), "JBSW") {
		t.Errorf("duplicate error %q should name GitHub:alice and not the secret", err)
	}
	if _, err := d.Add(otp.Account{Name: "x", Secret: "not base32!"}, now); !errors.Is(err, otp.ErrInvalidSecret) {
		t.Errorf("adding an invalid secret: %v", err)
	}
	if len(d.Accounts) != 1 {
		t.Errorf("refused accounts were added: %d accounts", len(d.Accounts))
	}

	f, err := d.Add(testAccount("GitHub", "bob", 1), now)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID == e.ID {
		t.Error("two accounts got the same ID")
	}
}

func TestFind(t *testing.T) {
	d := &Data{Version: Version}
	for i, l := range [][2]string{
		{"GitHub", "alice@example.com"},
		{"GitHub", "bob@example.com"},
		{"GitLab", "alice@example.com"},
		{"AWS", "root"},
		{"", "git"},
		{"Ünïcode", "Straße"},
		{"Amazon Web Services", "alice@123456789012"},
	} {
		if _, err := d.Add(testAccount(l[0], l[1], uint64(i)), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	label := func(e Entry, err error) string {
		if err != nil {
			return "error"
		}
		return e.Label()
	}
	for _, tc := range []struct {
		query, want string
		err         error
		matches     int
	}{
		{query: "aws", err: ErrAmbiguous, matches: 2},                         // substring, or initials of the issuer
		{query: "aws:", want: "AWS:root"},                                     // substring, any case
		{query: "amazon", want: "Amazon Web Services:alice@123456789012"},     //
		{query: "  ROOT ", want: "AWS:root"},                                  // trimmed
		{query: "bob", want: "GitHub:bob@example.com"},                        //
		{query: "github:ALICE@example.com", want: "GitHub:alice@example.com"}, // exact label, any case
		{query: "git", want: "git"},                                           // exact beats the substrings
		{query: "ünïcode:strasse", err: ErrNotFound},                          // no case folding beyond simple folding
		{query: "ÜNÏCODE", want: "Ünïcode:Straße"},                            //
		{query: "alice", err: ErrAmbiguous, matches: 3},                       //
		{query: "gi", err: ErrAmbiguous, matches: 4},                          //
		{query: "alice@", err: ErrAmbiguous, matches: 3},                      //
		{query: "example.com", err: ErrAmbiguous, matches: 3},                 //
		{query: "nobody", err: ErrNotFound},                                   //
		{query: "", err: ErrNotFound},                                         //
	} {
		e, err := d.Find(tc.query)
		if tc.err == nil {
			if got := label(e, err); got != tc.want {
				t.Errorf("Find(%q) = %s (%v), want %s", tc.query, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("Find(%q) = %s, %v; want %v", tc.query, label(e, err), err, tc.err)
			continue
		}
		var amb *AmbiguousError
		if errors.As(err, &amb) != (tc.matches > 0) || (amb != nil && len(amb.Matches) != tc.matches) {
			t.Errorf("Find(%q) = %v, want %d matches", tc.query, err, tc.matches)
		}
		if amb != nil && !strings.Contains(err.Error(), amb.Matches[0].Label()) {
			t.Errorf("ambiguous error %q does not list the matches", err)
		}
	}

	// An ID wins over everything, the first entry's too.
	for _, want := range []Entry{d.Accounts[3], d.Accounts[0]} {
		if got, err := d.Find(want.ID); err != nil || got.ID != want.ID {
			t.Errorf("Find(id of %s) = %v, %v", want.Label(), got.Label(), err)
		}
	}
}

func TestIndexRemove(t *testing.T) {
	d := &Data{Version: Version}
	var ids []string
	for i := range 3 {
		e, err := d.Add(testAccount("I", "n", uint64(i)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if d.Index(ids[2]) != 2 || d.Index("nope") != -1 {
		t.Error("Index is wrong")
	}
	if !d.Remove(ids[1]) || d.Remove(ids[1]) {
		t.Error("Remove does not report what it did")
	}
	if len(d.Accounts) != 2 || d.Accounts[0].ID != ids[0] || d.Accounts[1].ID != ids[2] {
		t.Errorf("after Remove, accounts are %v", d.Accounts)
	}
}

func TestEntryValidate(t *testing.T) {
	good := Entry{ID: "0123456789abcdef", Account: testAccount("I", "n", 1)}
	if err := good.Account.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid entry: %v", err)
	}
	for name, mod := range map[string]func(*Entry){
		"no id":     func(e *Entry) { e.ID = "" },
		"space id":  func(e *Entry) { e.ID = "a b" },
		"long id":   func(e *Entry) { e.ID = strings.Repeat("a", 65) },
		"long note": func(e *Entry) { e.Note = strings.Repeat("n", maxNoteLen+1) },
		"bad note":  func(e *Entry) { e.Note = "\xff" },
		// Notes are held to the rule of labels: a terminal shows them too.
		"escape in note":  func(e *Entry) { e.Note = "see \x1b[2J\x1b]0;owned\a" },
		"newline in note": func(e *Entry) { e.Note = "line 1\nline 2" },
		"NUL in note":     func(e *Entry) { e.Note = "a\x00b" },
		"C1 in note":      func(e *Entry) { e.Note = "a\u009bb" },
		"bidi in note":    func(e *Entry) { e.Note = "abc\u202edcba" },
		"spaced note":     func(e *Entry) { e.Note = " padded " },
		"account":         func(e *Entry) { e.Digits = 5 },
	} {
		e := good
		mod(&e)
		if e.Validate() == nil {
			t.Errorf("%s: Validate accepted %+v", name, e)
		}
	}
	noted := good
	noted.Note = "recovery codes in the safe 👩‍💻, Straße 5"
	if err := noted.Validate(); err != nil {
		t.Errorf("a plain note: %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	de := &DamagedError{Path: "/v/vault.age", Backup: "/v/vault.age.bak", Err: errors.New("bad header MAC")}
	if got, want := de.Error(), "/v/vault.age is damaged (bad header MAC): a backup of the previous version is at /v/vault.age.bak"; got != want {
		t.Errorf("DamagedError = %q, want %q", got, want)
	}
	de = &DamagedError{Path: "/v/identity.age", Backup: "/v/identity.age.bak", Err: errors.New("x")}
	if !strings.Contains(de.Error(), "previous passphrase") && !strings.Contains(de.Error(), "passphrase you had") {
		t.Errorf("DamagedError of identity.age %q does not say the backup has the old passphrase", de)
	}
	var matches []Entry
	for i := range 7 {
		matches = append(matches, Entry{Account: otp.Account{Issuer: "I", Name: string(rune('a' + i))}})
	}
	if got, want := (&AmbiguousError{Query: "i", Matches: matches}).Error(),
		`7 accounts match "i" (I:a, I:b, I:c, I:d, I:e, and 2 more): be more specific`; got != want {
		t.Errorf("AmbiguousError = %q, want %q", got, want)
	}
}

func TestEditAndRename(t *testing.T) {
	d := &Data{Version: Version}
	a, _ := d.Add(testAccount("GitHub", "alice", 1), time.Now())
	b, _ := d.Add(testAccount("GitHub", "bob", 2), time.Now())
	if err := d.Edit("nope", func(*Entry) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("Edit of a missing ID: %v", err)
	}
	if err := d.Edit(a.ID, func(e *Entry) error { e.Pinned = true; return nil }); err != nil || !d.Accounts[0].Pinned {
		t.Errorf("Edit: %v, pinned %v", err, d.Accounts[0].Pinned)
	}
	if _, err := d.Rename(b.ID, "github", "ALICE"); err == nil || !strings.Contains(err.Error(), "another account is called GitHub:alice") {
		t.Errorf("Rename onto another label: %v", err)
	}
	if _, err := d.Rename(b.ID, "", " "); err == nil {
		t.Error("Rename to no issuer and no name succeeded")
	}
	e, err := d.Rename(b.ID, " GitHub Enterprise ", " robert ")
	if err != nil || e.Label() != "GitHub Enterprise:robert" || d.Accounts[1].Label() != "GitHub Enterprise:robert" {
		t.Errorf("Rename = %q, %v", e.Label(), err)
	}
}
