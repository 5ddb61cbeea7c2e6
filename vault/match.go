package vault

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match ranks the entries a query typed into a filter designates: it returns
// the indices into entries of those that match, best first, so that the top
// one is what the user meant. Unlike Find, which must designate one entry or
// fail, Match is for a list that narrows as the user types.
//
// Case is ignored. From the best match to the worst, the query is:
//
//  1. the issuer or the name, whole;
//  2. a prefix of the issuer, of the initials of an issuer of several words
//     ("aws" for Amazon Web Services), or of the name;
//  3. a prefix of a word in the issuer or the name ("serv", "gmail");
//  4. a run of characters anywhere in "issuer name" or the label;
//  5. its characters in order but scattered, from the start of a word
//     ("gthb" for GitHub; "par" is not p…a…r in "Dropbox carol").
//
// Within a rank the issuer beats its initials, which beat the name; then a
// tighter scattered match beats a looser one, and an earlier match a later
// one. Entries that still tie keep their order in entries, so a caller that
// lists pinned entries first keeps them first.
//
// A query with a colon, "ISSUER:NAME" as in a label, also matches an entry
// whose issuer matches the part before the colon (initials included) and
// whose name matches the part after it, each part as above; such a match ranks
// as the worse of its two parts. An empty part matches anything.
//
// An empty query matches every entry, in order.
func Match(entries []Entry, query string) []int {
	q := strings.ToLower(strings.TrimSpace(query))
	out := make([]int, 0, len(entries))
	if q == "" {
		for i := range entries {
			out = append(out, i)
		}
		return out
	}
	hits := make([]matchRank, 0, len(entries))
	for i, e := range entries {
		if r, ok := rankEntry(e, q); ok {
			r.index = i
			hits = append(hits, r)
		}
	}
	slices.SortFunc(hits, func(a, b matchRank) int {
		return cmp.Or(
			cmp.Compare(a.tier, b.tier),
			cmp.Compare(a.field, b.field),
			cmp.Compare(a.span, b.span),
			cmp.Compare(a.pos, b.pos),
			cmp.Compare(a.index, b.index),
		)
	})
	for _, h := range hits {
		out = append(out, h.index)
	}
	return out
}

// Match tiers, best first.
const (
	tierWhole = iota
	tierPrefix
	tierWordPrefix
	tierContains
	tierScattered
)

// Fields a query can match, in the order ties are broken.
const (
	fieldIssuer = iota
	fieldInitials
	fieldName
	fieldBoth // "issuer name" or the label
)

// matchRank is how well a query matches one entry; lower is better.
type matchRank struct {
	tier, field int
	span        int // letters a scattered match spans
	pos         int // where the match starts
	index       int // the entry's position, for a stable order
}

func (r matchRank) better(o matchRank) bool {
	return cmp.Or(cmp.Compare(r.tier, o.tier), cmp.Compare(r.field, o.field),
		cmp.Compare(r.span, o.span), cmp.Compare(r.pos, o.pos)) < 0
}

var noMatch = matchRank{tier: -1}

// found tells a match from noMatch.
func (r matchRank) found() bool { return r.tier >= 0 }

// rankEntry ranks the lower-case query q against e.
func rankEntry(e Entry, q string) (matchRank, bool) {
	issuer, name := strings.ToLower(e.Issuer), strings.ToLower(e.Name)
	best := noMatch
	consider := func(r matchRank, ok bool) {
		if ok && (!best.found() || r.better(best)) {
			best = r
		}
	}
	consider(rankField(issuer, q, fieldIssuer))
	consider(rankInitials(issuer, q))
	consider(rankField(name, q, fieldName))
	both := issuer + " " + name
	if i := strings.Index(both, q); i >= 0 {
		consider(matchRank{tier: tierContains, field: fieldBoth, pos: i}, true)
	}
	if iq, nq, ok := strings.Cut(q, ":"); ok {
		// The label differs from "issuer name" only by its colon.
		if i := strings.Index(strings.ToLower(e.Label()), q); i >= 0 {
			consider(matchRank{tier: tierContains, field: fieldBoth, pos: i}, true)
		}
		consider(rankParts(issuer, name, iq, nq))
	}
	if !best.found() { // the lowest tier: only where nothing else matched
		consider(rankScattered(both, q, fieldBoth))
	}
	return best, best.found()
}

// rankParts ranks an "ISSUER:NAME" query: each part against its field, the
// worse of the two counting.
func rankParts(issuer, name, iq, nq string) (matchRank, bool) {
	ir, nr := matchRank{}, matchRank{}
	ok := true
	if iq = strings.TrimSpace(iq); iq != "" {
		r, rok := rankField(issuer, iq, fieldIssuer)
		if a, aok := rankInitials(issuer, iq); aok && (!rok || a.better(r)) {
			r, rok = a, true
		}
		if !rok {
			r, rok = rankScattered(issuer, iq, fieldIssuer)
		}
		ir, ok = r, rok
	}
	if nq = strings.TrimSpace(nq); ok && nq != "" {
		r, rok := rankField(name, nq, fieldName)
		if !rok {
			r, rok = rankScattered(name, nq, fieldName)
		}
		nr, ok = r, rok
	}
	if !ok {
		return noMatch, false
	}
	worse := ir
	if worse.better(nr) {
		worse = nr
	}
	return matchRank{tier: worse.tier, field: fieldBoth, span: ir.span + nr.span, pos: worse.pos}, true
}

// rankField ranks q against one lower-case field, without scattering.
func rankField(field, q string, which int) (matchRank, bool) {
	i := strings.Index(field, q)
	switch {
	case i < 0:
		return noMatch, false
	case field == q:
		return matchRank{tier: tierWhole, field: which}, true
	case i == 0:
		return matchRank{tier: tierPrefix, field: which}, true
	}
	prev := ' ' // field begins a word, but q is not a prefix
	for j, r := range field {
		if isSeparator(prev) && strings.HasPrefix(field[j:], q) {
			return matchRank{tier: tierWordPrefix, field: which, pos: j}, true
		}
		prev = r
	}
	return matchRank{tier: tierContains, field: which, pos: i}, true
}

// rankInitials ranks q as a prefix of the initials of an issuer of several
// words: "aws" for Amazon Web Services, which is what AWS's QR codes say.
func rankInitials(issuer, q string) (matchRank, bool) {
	in := initials(issuer)
	if len(in) < 2 || !strings.HasPrefix(in, q) {
		return noMatch, false
	}
	if in == q {
		return matchRank{tier: tierWhole, field: fieldInitials}, true
	}
	return matchRank{tier: tierPrefix, field: fieldInitials}, true
}

// rankScattered matches the runes of q in order in s, the first at the
// start of a word and each other at its first chance after the previous
// one, and measures the span; of the words it can start at, the tightest
// wins. A first letter inside a word is no match: "par" is not p…a…r in
// "dropbox carol", which nobody typing "par" means.
func rankScattered(s, q string, which int) (matchRank, bool) {
	best := noMatch
	first, _ := utf8.DecodeRuneInString(q)
	prev := ' ' // s begins a word
	for i, r := range s {
		if r == first && isSeparator(prev) {
			if span, ok := scatteredSpan(s[i:], q); ok && (!best.found() || span < best.span) {
				best = matchRank{tier: tierScattered, field: which, span: span, pos: i}
			}
		}
		prev = r
	}
	return best, best.found()
}

// scatteredSpan returns the length in letters (runes) of the shortest
// beginning of s that holds the runes of q in order, each taken at its first
// chance.
func scatteredSpan(s, q string) (int, bool) {
	rest, n := q, 0
	for _, r := range s {
		n++
		qr, size := utf8.DecodeRuneInString(rest)
		if r != qr {
			continue
		}
		if rest = rest[size:]; rest == "" {
			return n, true
		}
	}
	return 0, false
}

// isSeparator reports whether r ends a word in an issuer or a name:
// "alice@gmail.com", "prod-account".
func isSeparator(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
