// Package ststest is an AWS STS endpoint of the tests' own, on 127.0.0.1:
// it answers GetSessionToken, AssumeRole, GetFederationToken and
// GetCallerIdentity, and IAM's virtual MFA calls (iam.go), in STS's XML
// (the awsquery protocol every AWS SDK and the AWS CLI speak), and the
// console's federation endpoint (federation.go), and records what each call
// was sent, so that tests never reach AWS.
//
// It authenticates every call as AWS does, by its Signature Version 4
// signature, with the secret key of a user the test added or of a session it
// issued, so that credentials that do not work here would not work at AWS.
// It records what a test cannot see otherwise: which access key signed each
// call and the session token sent with it, the MFA device and code.
//
// Client (client.go) is the other end: a program of the AWS SDK for Go that
// the test binary can be, for tests that start AWS tools as processes.
package ststest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request the server answered.
type Call struct {
	Action       string
	At           time.Time // when it arrived, by the system clock
	AccessKey    string    // the access key ID that signed it
	Region       string    // the region it was signed for
	SessionToken string    // X-Amz-Security-Token, "" with long-term keys
	SerialNumber string
	TokenCode    string
	RoleARN      string
	// SessionName and ExternalID are AssumeRole's RoleSessionName and
	// ExternalId, "" if none.
	SessionName string
	ExternalID  string
	Duration    string // DurationSeconds as sent, "" if none
	// AuthCodes are IAM's AuthenticationCode1 and 2 (EnableMFADevice,
	// ResyncMFADevice).
	AuthCodes [2]string
	Name      string // GetFederationToken's Name
	Policy    string // GetFederationToken's Policy
	// Chained: AssumeRole signed with a session, not long-term keys (role
	// chaining, to which AWS gives an hour at most).
	Chained bool
	// Error is the code of the error the call was answered with, "" if
	// none.
	Error string
}

// Server is a running loopback STS endpoint.
type Server struct {
	URL string

	mu     sync.Mutex
	calls  []Call
	issued map[string]issued // session access key → who it stands for
	// RejectCodes answers every call that sends a code with STS's
	// "MultiFactorAuthentication failed".
	RejectCodes bool
	// Date is the time in the Date header of every answer: AWS's clock.
	Date func() time.Time
	// Expiration, if set, is the expiry every session issued says it
	// has, whatever was asked: an STS, or something answering as one,
	// that is wrong.
	Expiration time.Time
	// TokenSuffix, if set, ends every session token issued: an STS, or
	// something answering as one, that sends what no AWS token holds.
	TokenSuffix string

	// AcceptUsedCodes takes a device's code again, which AWS does not: for
	// tests whose code source is not vmfa's (which never hands out a code
	// twice) and that get several sessions in one window.
	AcceptUsedCodes bool
	// Latency is how long every STS call takes to answer: long enough,
	// and calls that a test starts at once are all in flight together.
	Latency time.Duration

	users   map[string]user    // by long-term access key ID
	devices map[string]*device // MFA devices by serial number (roles.go)
	roles   map[string]role    // by ARN (roles.go)
	signins map[string]signin  // sign-in tokens issued (federation.go)
	logins  []Login
	mfa     map[string]*mfaDevice // IAM's virtual MFA devices by ARN (iam.go)
}

// user is who a long-term access key stands for.
type user struct {
	arn, secret string
}

// issued is a session the server gave out.
type issued struct {
	arn, secret, token string
	kind               sessionKind
	// mfa: the session was got with an MFA code, or from one that was.
	mfa bool
	// user is the IAM user at the root of the session: whose devices
	// its codes are checked against.
	user    string
	expires time.Time
}

// AddUser makes a long-term access key and its secret key stand for the IAM
// user arn.
func (s *Server) AddUser(key, secret, arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[key] = user{arn: arn, secret: secret}
}

// New starts a server that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{issued: map[string]issued{}, Date: time.Now, users: map[string]user{},
		devices: map[string]*device{}, signins: map[string]signin{}}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Calls returns the calls answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Count returns how many calls of action were answered.
func (s *Server) Count(action string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Action == action {
			n++
		}
	}
	return n
}

// Issued reports whether key is the access key of a session the server
// gave out, with token its session token.
func (s *Server) Issued(key, token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.issued[key]
	return ok && i.token == token
}

const ns = "https://sts.amazonaws.com/doc/2011-06-15/"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == FederationPath {
		s.federation(w, r)
		return
	}
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.fail(w, http.StatusBadRequest, "MalformedQueryString", "cannot read the request")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "MalformedQueryString", "cannot parse the request")
		return
	}
	c := Call{
		Action:       r.PostForm.Get("Action"),
		At:           time.Now(),
		AccessKey:    signingKey(r.Header.Get("Authorization")),
		Region:       scope(r.Header.Get("Authorization"), 2),
		SessionToken: r.Header.Get("X-Amz-Security-Token"),
		SerialNumber: r.PostForm.Get("SerialNumber"),
		TokenCode:    r.PostForm.Get("TokenCode"),
		RoleARN:      r.PostForm.Get("RoleArn"),
		SessionName:  r.PostForm.Get("RoleSessionName"),
		ExternalID:   r.PostForm.Get("ExternalId"),
		Duration:     r.PostForm.Get("DurationSeconds"),
		AuthCodes:    [2]string{r.PostForm.Get("AuthenticationCode1"), r.PostForm.Get("AuthenticationCode2")},
		Name:         r.PostForm.Get("Name"),
		Policy:       r.PostForm.Get("Policy"),
	}
	s.mu.Lock()
	caller, secret, known := s.caller(c)
	from := s.issued[c.AccessKey]
	c.Chained = c.Action == "AssumeRole" && known && from.kind != 0
	reject := s.RejectCodes
	s.mu.Unlock()
	// The call is recorded with the error it was answered with.
	w = &recorder{ResponseWriter: w, s: s, call: c}
	defer w.(*recorder).record()

	if !known {
		s.fail(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if !validSignature(r, body, secret) {
		s.fail(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
		return
	}
	if msg := durationInvalid(c); msg != "" {
		s.fail(w, http.StatusBadRequest, "ValidationError", msg)
		return
	}
	if c.TokenCode != "" && reject {
		s.fail(w, http.StatusForbidden, "AccessDenied", mfaFailed)
		return
	}
	if from.user == "" {
		from = issued{user: caller} // long-term keys
	}
	if c.TokenCode != "" && !s.validCode(c, from.user) {
		s.fail(w, http.StatusForbidden, "AccessDenied", mfaFailed)
		return
	}
	switch c.Action {
	case "GetSessionToken":
		if from.kind != 0 {
			s.fail(w, http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials")
			return
		}
		s.answer(w, "GetSessionToken", s.credentials(caller, c.Duration, 12*time.Hour,
			issued{kind: mfaSession, mfa: c.TokenCode != "", user: from.user}))
	case "AssumeRole":
		s.assumeRole(w, c, from)
	case "GetFederationToken":
		s.getFederationToken(w, c, caller, from)
	case "GetCallerIdentity":
		account := ""
		if parts := strings.Split(caller, ":"); len(parts) > 4 {
			account = parts[4]
		}
		s.answer(w, "GetCallerIdentity", fmt.Sprintf("<Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account>",
			escape(caller), escape(c.AccessKey), escape(account)))
	default:
		if !s.serveIAM(w, r, caller) {
			s.fail(w, http.StatusBadRequest, "InvalidAction", "Could not find operation "+c.Action)
		}
	}
}

// durationInvalid is STS's message for a DurationSeconds out of the
// action's bounds (GetSessionToken 900 to 129600, AssumeRole 900 to
// 43200), "" for one within them or none.
func durationInvalid(c Call) string {
	most := map[string]int{"GetSessionToken": 129600, "AssumeRole": 43200}[c.Action]
	if c.Duration == "" || most == 0 {
		return ""
	}
	n, err := strconv.Atoi(c.Duration)
	switch {
	case err != nil:
		return fmt.Sprintf("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", c.Duration)
	case n < 900:
		return fmt.Sprintf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", n)
	case n > most:
		return fmt.Sprintf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, most)
	}
	return ""
}

// caller returns the ARN and secret key of who signed c: a user by
// long-term key, or the holder of a session the server issued, whose token
// must come with it.
func (s *Server) caller(c Call) (arn, secret string, ok bool) {
	if u, ok := s.users[c.AccessKey]; ok && c.SessionToken == "" {
		return u.arn, u.secret, true
	}
	i, ok := s.issued[c.AccessKey]
	return i.arn, i.secret, ok && i.token == c.SessionToken
}

// validSignature checks r's Signature Version 4 signature: the canonical
// request, built from the headers it says it signed and the body, signed
// with a key derived from secret and the credential scope.
func validSignature(r *http.Request, body []byte, secret string) bool {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return false
	}
	fields := map[string]string{}
	for _, part := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	_, scope, _ := strings.Cut(fields["Credential"], "/")
	scopeParts := strings.Split(scope, "/") // date, region, service, aws4_request
	if len(scopeParts) != 4 || fields["SignedHeaders"] == "" {
		return false
	}
	var headers strings.Builder
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		v := strings.Join(r.Header.Values(h), ",")
		switch {
		case h == "host":
			v = r.Host
		case h == "content-length" && v == "":
			v = strconv.FormatInt(r.ContentLength, 10)
		}
		headers.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{r.Method, path, r.URL.RawQuery, headers.String(), fields["SignedHeaders"], sha256Hex(body)}, "\n")
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", r.Header.Get("X-Amz-Date"), scope, sha256Hex([]byte(canonical))}, "\n")
	key := []byte("AWS4" + secret)
	for _, p := range scopeParts {
		key = hmacSHA256(key, p)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	return hmac.Equal([]byte(want), []byte(fields["Signature"]))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// credentials issues a new session for arn, as what says.
func (s *Server) credentials(arn, duration string, dflt time.Duration, what issued) string {
	d := dflt
	if n, err := strconv.Atoi(duration); err == nil {
		d = time.Duration(n) * time.Second
	}
	key := "ASIA" + random(16, true)
	secret, token := random(40, false), random(200, false)
	expiration := s.Date().Add(d)
	s.mu.Lock()
	what.arn, what.secret, what.token, what.expires = arn, secret, token, expiration
	s.issued[key] = what
	if !s.Expiration.IsZero() {
		expiration = s.Expiration
	}
	token += s.TokenSuffix
	s.mu.Unlock()
	return fmt.Sprintf("<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>",
		key, secret, token, expiration.UTC().Format("2006-01-02T15:04:05Z"))
}

func (s *Server) answer(w http.ResponseWriter, action, result string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Date", s.Date().UTC().Format(http.TimeFormat))
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
		action, ns, action, result, action, requestID(), action)
}

func (s *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	if r, ok := w.(*recorder); ok {
		r.call.Error = code
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Date", s.Date().UTC().Format(http.TimeFormat))
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		ns, code, escape(msg), requestID())
}

// signingKey reads the access key ID from a SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKIA…/20261201/us-east-1/sts/aws4_request, …".
func signingKey(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

func random(n int, upper bool) string {
	b := make([]byte, n)
	rand.Read(b)
	if upper {
		return base32.StdEncoding.EncodeToString(b)[:n]
	}
	return base64.RawStdEncoding.EncodeToString(b)[:n]
}

func requestID() string {
	return strings.ToLower(random(8, true)) + "-0000-4000-8000-" + strings.ToLower(random(12, true))
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
