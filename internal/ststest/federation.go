package ststest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FederationPath is where the server answers as the console's federation
// endpoint (https://signin.aws.amazon.com/federation): the URL a test gives
// VMFA_AWS_FEDERATION_ENDPOINT is URL+FederationPath.
const FederationPath = "/federation"

// signinLifetime is how long a sign-in token is good for, as AWS says.
const signinLifetime = 15 * time.Minute

// signin is a sign-in token the federation endpoint issued.
type signin struct {
	session  issued
	duration string // SessionDuration, "" if none
	expires  time.Time
	used     bool
}

// Login is a console sign-in the federation endpoint let through.
type Login struct {
	// ARN is who the console session is for; MFA, whether the session
	// it came from was got with an MFA code.
	ARN             string
	MFA             bool
	SessionDuration string // as given to getSigninToken, "" if none
	Destination     string
	Issuer          string
}

// Logins returns the console sign-ins let through so far.
func (s *Server) Logins() []Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Login(nil), s.logins...)
}

// getFederationToken answers GetFederationToken, which AWS answers only to
// an IAM user's long-term keys, with a session that carries no MFA.
func (s *Server) getFederationToken(w http.ResponseWriter, c Call, caller string, from issued) {
	if from.kind != 0 {
		s.fail(w, http.StatusForbidden, "AccessDenied", "Cannot call GetFederationToken with session credentials")
		return
	}
	if n := len(c.Name); n < 2 || n > 32 || strings.Trim(c.Name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-") != "" {
		s.fail(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'name' failed to satisfy constraint")
		return
	}
	if n, err := strconv.Atoi(c.Duration); err == nil && (n < 900 || n > 129600) {
		s.fail(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint")
		return
	}
	account := ""
	if parts := strings.Split(caller, ":"); len(parts) > 4 {
		account = parts[4]
	}
	arn := "arn:aws:sts::" + account + ":federated-user/" + c.Name
	s.answer(w, "GetFederationToken", fmt.Sprintf("<FederatedUser><Arn>%s</Arn><FederatedUserId>%s:%s</FederatedUserId></FederatedUser><PackedPolicySize>1</PackedPolicySize>%s",
		escape(arn), escape(account), escape(c.Name), s.credentials(arn, c.Duration, 12*time.Hour, issued{kind: federatedSession, user: from.user})))
}

// federation answers the federation endpoint: Action=getSigninToken turns
// a session (the Session parameter's JSON: sessionId, sessionKey,
// sessionToken) the server issued and that has not expired into a sign-in
// token; Action=login takes a sign-in token, once, and answers 200 with
// the console session's ARN, as the console would open for it.
func (s *Server) federation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("Action") {
	case "getSigninToken":
		var in struct{ SessionID, SessionKey, SessionToken string }
		var raw map[string]string
		if err := json.Unmarshal([]byte(q.Get("Session")), &raw); err != nil {
			http.Error(w, "bad Session", http.StatusBadRequest)
			return
		}
		in.SessionID, in.SessionKey, in.SessionToken = raw["sessionId"], raw["sessionKey"], raw["sessionToken"]
		s.mu.Lock()
		defer s.mu.Unlock()
		sess, ok := s.issued[in.SessionID]
		duration := q.Get("SessionDuration")
		n, derr := strconv.Atoi(duration)
		switch {
		case !ok || sess.secret != in.SessionKey || sess.token != in.SessionToken || !sess.expires.After(s.Date()):
			// AWS answers a bare 400 to credentials it does not take.
			http.Error(w, "", http.StatusBadRequest)
			return
		case duration != "" && sess.kind != roleSession:
			// SessionDuration is for role sessions; a federated
			// user's console session lasts as its credentials do.
			http.Error(w, "", http.StatusBadRequest)
			return
		case duration != "" && (derr != nil || n < 900 || n > 43200):
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		token := random(64, false)
		s.signins[token] = signin{session: sess, duration: duration, expires: s.Date().Add(signinLifetime)}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
	case "login":
		s.mu.Lock()
		defer s.mu.Unlock()
		si, ok := s.signins[q.Get("SigninToken")]
		if !ok || si.used || !si.expires.After(s.Date()) || q.Get("Destination") == "" {
			http.Error(w, "Your request included an invalid sign-in token.", http.StatusBadRequest)
			return
		}
		si.used = true
		s.signins[q.Get("SigninToken")] = si
		s.logins = append(s.logins, Login{ARN: si.session.arn, MFA: si.session.mfa, SessionDuration: si.duration,
			Destination: q.Get("Destination"), Issuer: q.Get("Issuer")})
		fmt.Fprintf(w, "AWS console for %s\n", si.session.arn)
	default:
		http.Error(w, "unknown Action", http.StatusBadRequest)
	}
}

// FederationEnv is the environment variable that points vmfa at s's
// federation endpoint.
func FederationEnv(s *Server) string {
	return "VMFA_AWS_FEDERATION_ENDPOINT=" + s.URL + FederationPath
}

// AddSessionKeys makes key, secret and token a session of the IAM user
// userARN got elsewhere (GetSessionToken, without MFA): what a profile
// holding a session's keys signs with.
func (s *Server) AddSessionKeys(key, secret, token, userARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued[key] = issued{arn: userARN, secret: secret, token: token, kind: mfaSession, user: userARN, expires: s.Date().Add(time.Hour)}
}
