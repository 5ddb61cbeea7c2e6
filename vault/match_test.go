package vault

import (
	"slices"
	"testing"

	"github.com/vmfa/vmfa/otp"
)

func matchEntries(labels ...[2]string) []Entry {
	es := make([]Entry, len(labels))
	for i, l := range labels {
		es[i] = Entry{ID: l[0] + l[1], Account: otp.Account{Issuer: l[0], Name: l[1]}}
	}
	return es
}

func matchLabels(es []Entry, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, es[i].Label())
	}
	return out
}

func TestMatch(t *testing.T) {
	es := matchEntries(
		[2]string{"GitHub", "bob@outlook.com"},
		[2]string{"Google", "alice@gmail.com"},
		[2]string{"Amazon Web Services", "alice@123456789012"},
		[2]string{"Amazon Web Services", "bob@210987654321"},
		[2]string{"Hetzner", "K0123456"},
		[2]string{"", "ssh-backup"},
		[2]string{"Proton", "alice@proton.me"},
	)
	for _, c := range []struct {
		query string
		want  []string
	}{
		// The case: GitHub matches "goo" only scattered
		// (g…o…o in outlook), Google as a prefix.
		{"goo", []string{"Google:alice@gmail.com", "GitHub:bob@outlook.com"}},
		{"GOO", []string{"Google:alice@gmail.com", "GitHub:bob@outlook.com"}},
		// Initials: AWS's QR codes say Amazon Web Services.
		{"aws", []string{"Amazon Web Services:alice@123456789012", "Amazon Web Services:bob@210987654321"}},
		{"aw", []string{"Amazon Web Services:alice@123456789012", "Amazon Web Services:bob@210987654321"}},
		// A prefix of the issuer beats a prefix of a name, which beats a
		// word inside a name, which beats a run inside a word.
		{"a", []string{"Amazon Web Services:alice@123456789012", "Amazon Web Services:bob@210987654321",
			"Google:alice@gmail.com", "Proton:alice@proton.me", "ssh-backup"}},
		{"gmail", []string{"Google:alice@gmail.com"}},
		{"proton", []string{"Proton:alice@proton.me"}},
		{"hub", []string{"GitHub:bob@outlook.com"}},
		{"backup", []string{"ssh-backup"}},
		// Contiguous beats scattered: "ton" is in Proton; scattered in no
		// other label.
		{"ton", []string{"Proton:alice@proton.me"}},
		// Scattered.
		{"gthb", []string{"GitHub:bob@outlook.com"}},
		// ISSUER:NAME, with initials for the issuer.
		{"aws:alice", []string{"Amazon Web Services:alice@123456789012"}},
		{"aws:bob", []string{"Amazon Web Services:bob@210987654321"}},
		{"amazon:2109", []string{"Amazon Web Services:bob@210987654321"}},
		{"aws:", []string{"Amazon Web Services:alice@123456789012", "Amazon Web Services:bob@210987654321"}},
		{":alice", []string{"Google:alice@gmail.com", "Amazon Web Services:alice@123456789012", "Proton:alice@proton.me"}},
		{"google:alice@gmail.com", []string{"Google:alice@gmail.com"}},
		{"aws:carol", nil},
		{"zzz", nil},
	} {
		got := matchLabels(es, Match(es, c.query))
		if !slices.Equal(got, c.want) {
			t.Errorf("Match(%q) = %q, want %q", c.query, got, c.want)
		}
	}
}

// TestMatchNarrowsAsYouType: each character typed keeps or hides entries,
// never brings one back. ":" on the way to ":alice" hid ssh-backup, which
// has no issuer, and ":s" showed it again.
func TestMatchNarrowsAsYouType(t *testing.T) {
	es := matchEntries(
		[2]string{"GitHub", "bob@outlook.com"},
		[2]string{"", "ssh-backup"},
		[2]string{"Amazon Web Services", "sam@123456789012"},
		[2]string{"ACME:Prod", "alice"},
		[2]string{"Google Cloud", ""},
	)
	for _, typed := range []string{":alice", ":ssh", "aws:sam", "acme:prod:alice", "github bob", "gc", "g:"} {
		shown := Match(es, "")
		for n := 1; n <= len(typed); n++ {
			now := Match(es, typed[:n])
			for _, i := range now {
				if !slices.Contains(shown, i) {
					t.Errorf("%q shows %s, which %q hid", typed[:n], es[i].Label(), typed[:n-1])
				}
			}
			shown = now
		}
	}
	if got := Match(es, ":"); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf(`Match(":") = %v; want every entry in order, as for an empty query`, got)
	}
}

// TestMatchEmptyAndOrder: an empty query keeps every entry in order, and
// entries that tie keep their order (a list shows pinned entries first).
func TestMatchEmptyAndOrder(t *testing.T) {
	es := matchEntries([2]string{"B", "x"}, [2]string{"A", "x"}, [2]string{"C", "x"})
	if got := Match(es, "  "); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("empty query: %v", got)
	}
	if got := Match(es, "x"); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("ties reordered: %v", got)
	}
	if got := Match(nil, "x"); len(got) != 0 {
		t.Errorf("no entries: %v", got)
	}
}

// TestMatchTighterScatteredFirst: of two scattered matches the tighter one
// ranks first.
func TestMatchTighterScatteredFirst(t *testing.T) {
	es := matchEntries([2]string{"Gandalf", "the grey wizard"}, [2]string{"Gxwz", "old"})
	if got := matchLabels(es, Match(es, "gwz")); !slices.Equal(got, []string{"Gxwz:old", "Gandalf:the grey wizard"}) {
		t.Errorf("got %q", got)
	}
}

// TestMatchWordStartsFirst: prefixes beat word starts, which beat scattered
// letters; and scattered letters count only from the start of a word, so
// "par" lists nothing for "Dropbox carol" (p…a…r across it).
func TestMatchWordStartsFirst(t *testing.T) {
	es := matchEntries(
		[2]string{"Dropbox", "carol"},
		[2]string{"Slack", "dev-party"},
		[2]string{"Proton", "alice@proton.me"},
		[2]string{"PayPal", "bob"},
		[2]string{"GitHub", "bob@outlook.com"},
		[2]string{"Parsec", "gamer"},
	)
	for _, c := range []struct {
		query string
		want  []string
	}{
		// The case: Parsec's prefix, a word of Slack's name,
		// Proton from the start of its issuer; not Dropbox carol.
		{"par", []string{"Parsec:gamer", "Slack:dev-party", "Proton:alice@proton.me"}},
		{"pa", []string{"PayPal:bob", "Parsec:gamer", "Slack:dev-party", "Proton:alice@proton.me"}},
		{"party", []string{"Slack:dev-party"}},
		{"car", []string{"Dropbox:carol"}},
		{"rol", []string{"Dropbox:carol"}},                         // a run inside a word is still a match
		{"dc", []string{"Dropbox:carol"}},                          // scattered from the start of "dropbox"
		{"gm", []string{"Parsec:gamer", "GitHub:bob@outlook.com"}}, // from "gamer", tighter than from "github" to ".com"
		{"bx", nil}, // b…x only from inside "dropbox"
	} {
		if got := matchLabels(es, Match(es, c.query)); !slices.Equal(got, c.want) {
			t.Errorf("Match(%q) = %q, want %q", c.query, got, c.want)
		}
	}
}

// TestMatchTightestStart: of the words a scattered match can start at, the
// one that gives the tightest match counts.
func TestMatchTightestStart(t *testing.T) {
	es := matchEntries([2]string{"Grey", "old wizard"}, [2]string{"Gandalf", "grey wizard"})
	// Gandalf: g…w…z from "grey" spans 8, from "gandalf" 16; Grey's 12.
	if got := matchLabels(es, Match(es, "gwz")); !slices.Equal(got, []string{"Gandalf:grey wizard", "Grey:old wizard"}) {
		t.Errorf("got %q", got)
	}
}

// TestMatchOrder: each case is the entries a query matches, in the order the
// ranking must list them, the one the user most likely meant first.
func TestMatchOrder(t *testing.T) {
	for _, c := range []struct {
		why   string
		query string
		want  [][2]string // entries are these in reverse, so entry order never explains a pass
	}{
		{"a whole issuer beats a prefix, though both are also runs in \"issuer name\"", "google",
			[][2]string{{"Google", "alice"}, {"Google Cloud", "ops"}}},
		{"a run across issuer and name that starts the label beats a later one", "github bob",
			[][2]string{{"GitHub", "bob"}, {"Acme GitHub", "bob"}}},
		{"a word start after an occurrence inside a word beats a run inside a word", "ark",
			[][2]string{{"Slack", "bob.clark@ark.dev"}, {"GitLab", "clark"}}},
		{"the initials of two words are initials", "gc",
			[][2]string{{"Google Cloud", "ops"}, {"", "gcp-admin"}}},
		{"all the initials beat a prefix of an issuer", "aws",
			[][2]string{{"Amazon Web Services", "alice"}, {"AWS GovCloud", "carol"}}},
		{"a name part found as a run is tighter than one found scattered", "gh:ae",
			[][2]string{{"GitHub", "mae"}, {"GitHub", "alice"}}},
		{"of two equally tight starts in one entry, the earlier counts", "bp",
			[][2]string{{"Backup", "backup@home"}, {"Ops", "backup"}}},
		{"tightness counts letters, not bytes: ü is one letter", "mb",
			[][2]string{{"Müller", "bob"}, {"Mullers", "bob"}}},
		{"the whole label finds an issuer that has a colon", "acme:prod:alice",
			[][2]string{{"ACME:Prod", "alice"}}},
	} {
		es := matchEntries(c.want...)
		slices.Reverse(es)
		var want []string
		for _, l := range c.want {
			want = append(want, matchEntries(l)[0].Label())
		}
		if got := matchLabels(es, Match(es, c.query)); !slices.Equal(got, want) {
			t.Errorf("%s: Match(%q) = %q, want %q", c.why, c.query, got, want)
		}
	}
}

func BenchmarkMatch100(b *testing.B) {
	es := make([]Entry, 100)
	for i := range es {
		es[i] = Entry{Account: otp.Account{Issuer: []string{"GitHub", "Google", "Amazon Web Services", "Proton"}[i%4], Name: "user" + string(rune('a'+i%26)) + "@example.com"}}
	}
	for b.Loop() {
		Match(es, "gle")
	}
}
