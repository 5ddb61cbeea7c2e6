package passphrase

import "unicode"

// Strength is a rough estimate of how hard a passphrase is to guess: a hint
// for the user, not a guarantee.
type Strength int

const (
	Weak Strength = iota
	Fair
	Good
	Strong
)

func (s Strength) String() string {
	switch s {
	case Weak:
		return "weak"
	case Fair:
		return "fair"
	case Good:
		return "good"
	}
	return "strong"
}

// Advice says how to do better, or "" when there is no need.
func (s Strength) Advice() string {
	switch s {
	case Weak:
		return "use more words or characters"
	case Fair:
		return "longer is better"
	}
	return ""
}

// Estimate rates p from its length and the kinds of characters in it: each
// character counts the bits of the pool it could have been drawn from
// (lower case, upper case, digits, others). Under 40 bits is weak, under 64
// fair, under 90 good. "correct horse" is good (65 bits), "abc" weak.
func Estimate(p string) Strength {
	var lower, upper, digit, other bool
	n := 0
	for _, r := range p {
		n++
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	pool := 0
	for _, c := range []struct {
		ok   bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 33}} {
		if c.ok {
			pool += c.size
		}
	}
	bits := 0
	for x := pool; x > 1; x >>= 1 {
		bits++
	}
	bits *= n
	switch {
	case bits < 40:
		return Weak
	case bits < 64:
		return Fair
	case bits < 90:
		return Good
	}
	return Strong
}
