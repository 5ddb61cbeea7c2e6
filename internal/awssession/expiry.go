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
// Date of the answer, is to blame.
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
	return &expiredError{fmt.Sprintf("STS %s for profile %q answered with credentials %s; %s", op, p.Name, what, expiryAdvice(meta, now))}
}

// expiryAdvice says whether this computer's clock is off from AWS's, by
// the Date of STS's answer, or else that the answer itself was wrong.
func expiryAdvice(meta middleware.Metadata, now time.Time) string {
	date, ok := awsmiddleware.GetServerTime(meta)
	if !ok {
		return "if this computer's clock is ahead, 'vmfa time' checks it; else the endpoint that answered for STS is wrong"
	}
	if skew := now.Sub(date).Round(time.Second); skew > maxSkew || skew < -maxSkew {
		return fmt.Sprintf("this computer's clock is %s AWS's: set it right ('vmfa time' checks it)", aheadOrBehind(skew))
	}
	return "the clock agrees with STS's, so the endpoint that answered for STS is wrong (the profile's endpoint_url, AWS_ENDPOINT_URL_STS)"
}

// expiredError is the error of checkLifetime: it wraps ErrExpiredAnswer.
type expiredError struct{ msg string }

func (e *expiredError) Error() string { return e.msg }
func (e *expiredError) Unwrap() error { return ErrExpiredAnswer }
