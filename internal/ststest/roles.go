package ststest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// sessionKind is what a session the server issued came from.
type sessionKind int

const (
	_                sessionKind = iota // long-term keys
	mfaSession                          // GetSessionToken
	roleSession                         // AssumeRole
	federatedSession                    // GetFederationToken
)

// mfaFailed is AWS's message for a code it does not take: wrong, of
// another device, or used before.
const mfaFailed = "MultiFactorAuthentication failed with invalid MFA one time pass code. "

// RoleChainLimit is the longest session AssumeRole gives when signed with a
// session (role chaining, which includes a GetSessionToken session).
const RoleChainLimit = time.Hour

// device is a virtual MFA device whose codes the server checks.
type device struct {
	user   string // the IAM user it belongs to
	seed   string
	period uint
	used   map[string]bool // codes taken already: AWS takes a code once
}

// AddDevice makes serial a virtual MFA device of the IAM user userARN,
// with seed (base32) and period in seconds. A call that sends serial's
// code is refused, as AWS refuses it, unless the code is serial's for the
// window of the Date of the answer or one either side, was never taken
// before, and the caller is the device's user (or a session of theirs). A
// code for a serial that was not added is refused.
func (s *Server) AddDevice(serial, userARN, seed string, period uint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devices[serial] = &device{user: userARN, seed: seed, period: period, used: map[string]bool{}}
}

// validCode reports whether c's code is its device's, for user, and takes
// it.
func (s *Server) validCode(c Call, user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.devices[c.SerialNumber]
	if d == nil || d.user != user || (d.used[c.TokenCode] && !s.AcceptUsedCodes) {
		return false
	}
	now := s.Date()
	for _, skew := range []int{0, -1, 1} {
		at := now.Add(time.Duration(skew) * time.Duration(d.period) * time.Second)
		code, err := totp.GenerateCodeCustom(d.seed, at, totp.ValidateOpts{Period: d.period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && code == c.TokenCode {
			d.used[c.TokenCode] = true
			return true
		}
	}
	return false
}

// role is a role the test added.
type role struct {
	requireMFA  bool
	maxDuration time.Duration
}

// AddRole sets how AssumeRole of arn answers: whether its trust policy
// requires MFA (aws:MultiFactorAuthPresent: a code with the call, or a
// session got with one), and its MaxSessionDuration. A role not added
// requires MFA, and lasts up to 12 h.
func (s *Server) AddRole(arn string, requireMFA bool, maxDuration time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roles == nil {
		s.roles = map[string]role{}
	}
	s.roles[arn] = role{requireMFA: requireMFA, maxDuration: maxDuration}
}

// assumeRole answers AssumeRole by from (a user's long-term keys, or a
// session), whose code, if any, was checked.
func (s *Server) assumeRole(w http.ResponseWriter, c Call, from issued) {
	s.mu.Lock()
	ro, ok := s.roles[c.RoleARN]
	s.mu.Unlock()
	if !ok {
		ro = role{requireMFA: true, maxDuration: 12 * time.Hour}
	}
	callerARN := from.arn
	if callerARN == "" {
		callerARN = from.user
	}
	mfa := c.TokenCode != "" || from.mfa
	if ro.requireMFA && !mfa {
		s.fail(w, http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", callerARN, c.RoleARN))
		return
	}
	if n, err := strconv.Atoi(c.Duration); err == nil {
		d := time.Duration(n) * time.Second
		switch {
		case from.kind != 0 && d > RoleChainLimit:
			s.fail(w, http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
			return
		case d > ro.maxDuration:
			s.fail(w, http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
			return
		}
	}
	name := c.SessionName
	if n := len(name); n < 2 || n > 64 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-") != "" {
		s.fail(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64, and match [\\w+=,.@-]*")
		return
	}
	arn := strings.Replace(strings.Replace(c.RoleARN, ":iam:", ":sts:", 1), ":role/", ":assumed-role/", 1) + "/" + name
	s.answer(w, "AssumeRole", fmt.Sprintf("<AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser>%s",
		escape(arn), escape(name), s.credentials(arn, c.Duration, time.Hour, issued{kind: roleSession, mfa: mfa, user: from.user})))
}

// SessionMFA reports whether the session of access key key was got with
// an MFA code, or from a session that was: what a role requiring MFA asks
// of whoever assumes it.
func (s *Server) SessionMFA(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[key].mfa
}

// recorder records the call it answers, with the code of its error.
type recorder struct {
	http.ResponseWriter
	s    *Server
	call Call
}

func (r *recorder) record() {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.calls = append(r.s.calls, r.call)
}

// Revoke makes the session of access key key one the server no longer
// takes, as when AWS revokes it or its user's keys are deleted.
func (s *Server) Revoke(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.issued, key)
}
