package ststest

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// IAM's virtual MFA calls, as AWS answers them to a user managing their
// own devices (the self-service policy AWS documents): CreateVirtualMFADevice
// makes a real seed the server keeps, EnableMFADevice and ResyncMFADevice
// take only two codes of that seed from consecutive windows, newer than any
// it took before, by the server's clock (Date); ListMFADevices,
// DeactivateMFADevice and DeleteVirtualMFADevice act on the caller's own
// devices only. Every call must be signed for the service "iam".

// MFADevicesPerUser is IAM's limit of MFA devices a user.
const MFADevicesPerUser = 8

// mfaDevice is a virtual MFA device the server made.
type mfaDevice struct {
	serial, seed string
	user         string    // the user's name once enabled, else ""
	enabled      time.Time // when enabled
	lastStep     int64     // the newest window a code was taken from
	created      int       // creation order, which ListMFADevices keeps
}

// mfaPeriod is the period of the devices' codes, AWS's: a test that waits
// for a window moves vmfa's and the server's clocks near its end (Date).
const mfaPeriod = 30 * time.Second

// AddMFADevice makes and enables a virtual MFA device called name for the
// IAM user userARN, as if enrolled elsewhere, and returns its ARN and
// seed.
func (s *Server) AddMFADevice(userARN, name string) (serial, seed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.newDevice(account(userARN), name)
	d.user, d.enabled = userName(userARN), s.Date()
	s.enableForSTS(d, userARN)
	return d.serial, d.seed
}

// MFADevice returns the seed of the device serial and whether it is
// enabled; ok is false when there is no such device.
func (s *Server) MFADevice(serial string) (seed string, enabled, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.mfa[serial]
	if !ok {
		return "", false, false
	}
	return d.seed, d.user != "", true
}

// newDevice makes a device; s.mu is held.
func (s *Server) newDevice(account, name string) *mfaDevice {
	if s.mfa == nil {
		s.mfa = map[string]*mfaDevice{}
	}
	seed := make([]byte, 40) // AWS's seeds are 64 base32 characters
	rand.Read(seed)
	d := &mfaDevice{serial: "arn:aws:iam::" + account + ":mfa/" + name,
		seed: base32.StdEncoding.EncodeToString(seed), created: len(s.mfa)}
	s.mfa[d.serial] = d
	return d
}

// serveIAM answers c if it is one of IAM's MFA calls, reporting whether it
// was. caller is the ARN that signed it.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request, caller string) bool {
	action := r.PostForm.Get("Action")
	switch action {
	case "CreateVirtualMFADevice", "EnableMFADevice", "ResyncMFADevice", "ListMFADevices", "DeactivateMFADevice", "DeleteVirtualMFADevice":
	default:
		return false
	}
	if service := scope(r.Header.Get("Authorization"), 3); service != "iam" {
		s.fail(w, http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam', not '"+service+"'.")
		return true
	}
	form := r.PostForm.Get
	self := userName(caller)
	if self == "" {
		s.fail(w, http.StatusForbidden, "AccessDenied", "User: "+caller+" is not authorized to perform: iam:"+action)
		return true
	}
	// The self-service policy: a user's own devices only.
	if u := form("UserName"); u != "" && u != self {
		s.fail(w, http.StatusForbidden, "AccessDenied", "User: "+caller+" is not authorized to perform: iam:"+action+" on resource: user "+u)
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mfa[form("SerialNumber")]
	switch action {
	case "CreateVirtualMFADevice":
		name := form("VirtualMFADeviceName")
		if name == "" {
			s.fail(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'virtualMFADeviceName' failed to satisfy constraint: Member must not be null")
			return true
		}
		if _, exists := s.mfa["arn:aws:iam::"+account(caller)+":mfa/"+name]; exists {
			s.fail(w, http.StatusConflict, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
			return true
		}
		d := s.newDevice(account(caller), name)
		s.answer(w, action, fmt.Sprintf("<VirtualMFADevice><SerialNumber>%s</SerialNumber><Base32StringSeed>%s</Base32StringSeed></VirtualMFADevice>",
			escape(d.serial), base64.StdEncoding.EncodeToString([]byte(d.seed))))
	case "EnableMFADevice":
		switch {
		case form("UserName") == "":
			s.fail(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null")
		case d == nil || !strings.HasPrefix(d.serial, "arn:aws:iam::"+account(caller)+":"):
			s.fail(w, http.StatusNotFound, "NoSuchEntity", "VirtualMFADevice with serial number "+form("SerialNumber")+" doesn't exist.")
		case d.user != "":
			s.fail(w, http.StatusConflict, "EntityAlreadyExists", "MFA Device is already in use.")
		case s.enabledCount(self) >= MFADevicesPerUser:
			s.fail(w, http.StatusConflict, "LimitExceeded", fmt.Sprintf("Cannot exceed quota for MFADevicesPerUser: %d", MFADevicesPerUser))
		case !s.takeCodes(d, form("AuthenticationCode1"), form("AuthenticationCode2"), 0):
			s.fail(w, http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		default:
			d.user, d.enabled = self, s.Date()
			s.enableForSTS(d, caller)
			s.answer(w, action, "")
		}
	case "ResyncMFADevice":
		switch {
		case d == nil || d.user != self:
			s.fail(w, http.StatusNotFound, "NoSuchEntity", "MFA Device with serial number "+form("SerialNumber")+" does not exist.")
		case !s.takeCodes(d, form("AuthenticationCode1"), form("AuthenticationCode2"), 10):
			s.fail(w, http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		default:
			s.answer(w, action, "")
		}
	case "ListMFADevices":
		var mine []*mfaDevice
		for _, d := range s.mfa {
			if d.user == self {
				mine = append(mine, d)
			}
		}
		slices.SortFunc(mine, func(a, b *mfaDevice) int { return a.created - b.created })
		var b strings.Builder
		for _, d := range mine {
			fmt.Fprintf(&b, "<member><UserName>%s</UserName><SerialNumber>%s</SerialNumber><EnableDate>%s</EnableDate></member>",
				escape(d.user), escape(d.serial), d.enabled.UTC().Format(time.RFC3339))
		}
		s.answer(w, action, "<MFADevices>"+b.String()+"</MFADevices><IsTruncated>false</IsTruncated>")
	case "DeactivateMFADevice":
		if d == nil || d.user != self {
			s.fail(w, http.StatusNotFound, "NoSuchEntity", "MFA Device with serial number "+form("SerialNumber")+" does not exist.")
			return true
		}
		d.user, d.enabled = "", time.Time{}
		delete(s.devices, d.serial)
		s.answer(w, action, "")
	case "DeleteVirtualMFADevice":
		switch {
		case d == nil || !strings.HasPrefix(d.serial, "arn:aws:iam::"+account(caller)+":"):
			s.fail(w, http.StatusNotFound, "NoSuchEntity", "VirtualMFADevice with serial number "+form("SerialNumber")+" doesn't exist.")
		case d.user != "":
			s.fail(w, http.StatusConflict, "DeleteConflict", "MFA device is still in use.")
		default:
			delete(s.mfa, d.serial)
			s.answer(w, action, "")
		}
	}
	return true
}

// takeCodes reports whether code1 and code2 are d's codes of two
// consecutive windows, the second of them the server's current window or
// the one before (within drift windows of it, for a resync), and newer
// than any taken before; if so they are taken. s.mu is held.
func (s *Server) takeCodes(d *mfaDevice, code1, code2 string, drift int64) bool {
	period := int64(mfaPeriod / time.Second)
	now := s.Date().Unix() / period
	for step := now - 1 - drift; step <= now+drift; step++ {
		if step <= d.lastStep {
			continue
		}
		if code(d.seed, step-1) == code1 && code(d.seed, step) == code2 {
			d.lastStep = step
			return true
		}
	}
	return false
}

// code is the TOTP code of seed for the window step.
func code(seed string, step int64) string {
	period := mfaPeriod / time.Second
	c, err := totp.GenerateCodeCustom(seed, time.Unix(step*int64(period), 0), totp.ValidateOpts{
		Period: uint(period), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "invalid"
	}
	return c
}

// enabledCount is how many devices user has enabled; s.mu is held.
func (s *Server) enabledCount(user string) int {
	n := 0
	for _, d := range s.mfa {
		if d.user == user {
			n++
		}
	}
	return n
}

// userName is the name of the IAM user whose ARN is arn, "" for any other
// ARN (a role's session, the root user).
func userName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":user/")
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	return rest[strings.LastIndexByte(rest, '/')+1:]
}

// account is the account ID of an IAM ARN.
func account(arn string) string {
	if parts := strings.Split(arn, ":"); len(parts) > 4 {
		return parts[4]
	}
	return ""
}

// scope is part i of a SigV4 Authorization header's credential scope
// (KEY/DATE/REGION/SERVICE/aws4_request), "" if it has none.
func scope(auth string, i int) string {
	_, cred, _ := strings.Cut(auth, "Credential=")
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[i]
}

// enableForSTS lets STS take the codes of d, enabled for userARN, as it
// takes those of a device added with AddDevice. s.mu is held.
func (s *Server) enableForSTS(d *mfaDevice, userARN string) {
	s.devices[d.serial] = &device{user: userARN, seed: d.seed, period: uint(mfaPeriod / time.Second), used: map[string]bool{}}
}
