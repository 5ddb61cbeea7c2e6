package awssession

import (
	"fmt"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// MinLifetime is the least a new session must have left, by the clock codes
// are computed at, to be returned. STS gives sessions of 15 minutes or
// more, so one with less was issued expired, or this computer's clock is
// ahead. Returned, it would fail every tool that used it, and each retry
// would spend another code.
const MinLifetime = time.Minute

// ErrExpiredAnswer is wrapped by the error for credentials STS answered
// that had expired, or would within MinLifetime.
var ErrExpiredAnswer = fmt.Errorf("STS answered with expired credentials")

// checkLifetime refuses credentials of STS's answer to op that expire
// within MinLifetime of now, saying whether this computer's clock, by the
// Date of the answer, is to blame (a *ClockError when it may be). The
// error wraps ErrExpiredAnswer.
func (p *Profile) checkLifetime(op string, expiration time.Time, meta middleware.Metadata, now time.Time) error {
	left := expiration.Sub(now)
	if left >= MinLifetime {
		return nil
	}
	at := expiration.UTC().Format(time.RFC3339)
	what := fmt.Sprintf("that had already expired at %s (%s ago)", at, (-left).Round(time.Second))
	if left > 0 {
		what = fmt.Sprintf("that expire at %s, in %s: too soon to use", at, left.Round(time.Second))
	}
	msg := fmt.Sprintf("STS %s for profile %q answered with credentials %s", op, p.Name, what)
	date, ok := awsmiddleware.GetServerTime(meta)
	if !ok {
		c := &ClockError{}
		return &stsError{msg + "; the endpoint that answered for STS is wrong, unless " + c.Error(), []error{ErrExpiredAnswer, c}}
	}
	if c := skewOf(now, date); c != nil {
		return &stsError{msg + "; " + c.Error(), []error{ErrExpiredAnswer, c}}
	}
	return &stsError{msg + "; the clock agrees with STS's, so the endpoint that answered for STS is wrong (the profile's endpoint_url, AWS_ENDPOINT_URL_STS)", []error{ErrExpiredAnswer}}
}
