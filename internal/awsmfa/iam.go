package awsmfa

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
)

// CallTimeout bounds each call to IAM or STS, the SDK's retries included.
const CallTimeout = 60 * time.Second

// defaultRegion signs the calls of a profile that names no region: IAM is
// global, and answers there.
const defaultRegion = "us-east-1"

// Errors IAM's refusals wrap.
var (
	ErrCodesRejected = errors.New("IAM rejected the two codes")
	ErrDeviceExists  = errors.New("an MFA device of that name already exists")
	ErrDeviceLimit   = errors.New("the user has as many MFA devices as IAM allows (8)")
	ErrAccessDenied  = errors.New("IAM denied the call")
	ErrUnreachable   = errors.New("cannot reach AWS")
	ErrNoSerial      = errors.New("the profile has no mfa_serial")
)

// User is an IAM user, as a profile's long-term keys sign for it.
type User struct {
	Profile   string
	Name      string // the IAM user's name
	ARN       string // arn:PARTITION:iam::ACCOUNT:user/PATH/NAME
	Account   string // the 12-digit account ID
	Partition string // aws, aws-cn, aws-us-gov
	// MFASerial is the profile's mfa_serial, "" if it has none.
	MFASerial string

	iam *iam.Client
}

// userARN is an IAM user's ARN: partition, account, name after its path.
var userARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):user/(?:.*/)?([^/]+)$`)

// Open reads profile as the AWS SDK does (AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, region, endpoint_url, AWS_ENDPOINT_URL_IAM
// and _STS) and asks STS GetCallerIdentity whose its long-term keys are:
// an IAM user's, or an error saying what the profile is instead.
func Open(ctx context.Context, profile string) (*User, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the AWS environment variables: %s", short(err.Error()))
	}
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	var notExist config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &notExist):
		return nil, fmt.Errorf("no AWS profile %q in %s or the credentials file", profile, ConfigFile())
	case err != nil && sc.RoleARN == "":
		return nil, fmt.Errorf("reading AWS profile %q: %s", profile, short(err.Error()))
	case sc.RoleARN != "":
		return nil, fmt.Errorf("AWS profile %q assumes the role %s: an MFA device belongs to an IAM user, whose long-term keys are in another profile (its source_profile %q)", profile, sc.RoleARN, sc.SourceProfileName)
	case !sc.Credentials.HasKeys():
		return nil, fmt.Errorf("AWS profile %q has no long-term keys (aws_access_key_id, aws_secret_access_key): IAM's MFA calls are signed with an IAM user's", profile)
	case sc.Credentials.SessionToken != "":
		return nil, fmt.Errorf("AWS profile %q holds a session (aws_session_token), not an IAM user's long-term keys", profile)
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile(profile),
		config.WithCredentialsProvider(credentials.StaticCredentialsProvider{Value: sc.Credentials}))
	if err != nil {
		return nil, fmt.Errorf("reading AWS profile %q: %s", profile, short(err.Error()))
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	u := &User{Profile: profile, MFASerial: sc.MFASerial, iam: iam.NewFromConfig(cfg)}
	callCtx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(callCtx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, u.callError("STS", "GetCallerIdentity", err)
	}
	u.ARN = aws.ToString(id.Arn)
	m := userARN.FindStringSubmatch(u.ARN)
	if m == nil {
		return nil, fmt.Errorf("AWS profile %q signs as %s, not as an IAM user: an MFA device is enrolled with an IAM user's long-term keys", profile, short(u.ARN))
	}
	u.Partition, u.Account, u.Name = m[1], m[2], m[3]
	return u, nil
}

// DeviceARN is the ARN IAM gives the virtual MFA device called name.
func (u *User) DeviceARN(name string) string {
	return "arn:" + u.Partition + ":iam::" + u.Account + ":mfa/" + name
}

// Label is the name of the user's devices in the vault, as AWS's QR codes
// label them: USER@ACCOUNT.
func (u *User) Label() string { return u.Name + "@" + u.Account }

// deviceARN is the form of a virtual MFA device's ARN. It and deviceName
// are compiled on first use: their long repetitions take 1.7 ms and 570 kB
// to compile, which every vmfa-full start paid.
var deviceARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:mfa/[\w+=,.@/-]{1,512}$`)
})

// deviceName is the form IAM takes for a virtual MFA device's name.
var deviceName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,226}$`) })

// create makes a virtual MFA device called name and returns its ARN and
// seed (base32). The caller clears the seed.
func (u *User) create(ctx context.Context, name string) (arn string, seed []byte, err error) {
	if !deviceName().MatchString(name) {
		return "", nil, fmt.Errorf("%q cannot name an MFA device: IAM takes 1 to 226 letters, digits and +=,.@_-", otp.Shorten(name, 64))
	}
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	out, err := u.iam.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		return "", nil, fmt.Errorf("creating %s: %w", u.DeviceARN(name), u.callError("IAM", "CreateVirtualMFADevice", err))
	}
	d := out.VirtualMFADevice
	if d == nil || len(d.Base32StringSeed) == 0 {
		return "", nil, errors.New("IAM CreateVirtualMFADevice answered without a device's seed")
	}
	if !deviceARN().MatchString(aws.ToString(d.SerialNumber)) {
		// It goes into the config file: nothing but an ARN may.
		return "", nil, fmt.Errorf("IAM CreateVirtualMFADevice answered with %q, not an MFA device's ARN", otp.Shorten(aws.ToString(d.SerialNumber), 100))
	}
	clear(d.QRCodePNG)
	return *d.SerialNumber, d.Base32StringSeed, nil
}

// enable turns on the device arn for the user with two consecutive codes.
func (u *User) enable(ctx context.Context, arn, code1, code2 string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := u.iam.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(u.Name), SerialNumber: aws.String(arn),
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2)})
	return u.callError("IAM", "EnableMFADevice", err)
}

// resync tells IAM the device's clock from two consecutive codes.
func (u *User) resync(ctx context.Context, arn, code1, code2 string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := u.iam.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{
		UserName: aws.String(u.Name), SerialNumber: aws.String(arn),
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2)})
	return u.callError("IAM", "ResyncMFADevice", err)
}

// deleteDevice deletes a device that is not enabled.
func (u *User) deleteDevice(ctx context.Context, arn string) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	_, err := u.iam.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(arn)})
	return u.callError("IAM", "DeleteVirtualMFADevice", err)
}

// AWSDevice is an MFA device IAM lists for the user.
type AWSDevice struct {
	Serial  string
	Enabled time.Time
}

// ListDevices returns the user's MFA devices (ListMFADevices, every page).
func (u *User) ListDevices(ctx context.Context) ([]AWSDevice, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	var out []AWSDevice
	pages := iam.NewListMFADevicesPaginator(u.iam, &iam.ListMFADevicesInput{UserName: aws.String(u.Name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, u.callError("IAM", "ListMFADevices", err)
		}
		for _, d := range page.MFADevices {
			out = append(out, AWSDevice{Serial: aws.ToString(d.SerialNumber), Enabled: aws.ToTime(d.EnableDate)})
		}
	}
	return out, nil
}

// callError turns the SDK's error for a call, which runs to several lines
// of operation, request ID and retries, into one line saying what
// happened, wrapping the Err* of a refusal vmfa knows. nil stays nil.
func (u *User) callError(service, op string, err error) error {
	if err == nil {
		return nil
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		host, cause := "", send.Err
		var ue *url.Error
		if errors.As(send.Err, &ue) {
			if parsed, perr := url.Parse(ue.URL); perr == nil {
				host = " at " + parsed.Host
			}
			cause = ue.Err
		}
		return fmt.Errorf("%w (%s%s) for profile %q: %s", ErrUnreachable, service, host, u.Profile, short(fmt.Sprint(cause)))
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("%s %s for profile %q failed: %s", service, op, u.Profile, short(err.Error()))
	}
	var kind error
	switch api.ErrorCode() {
	case "InvalidAuthenticationCode":
		kind = ErrCodesRejected
	case "EntityAlreadyExists":
		kind = ErrDeviceExists
	case "LimitExceeded":
		kind = ErrDeviceLimit
	case "AccessDenied", "AccessDeniedException":
		kind = ErrAccessDenied
	default:
		return fmt.Errorf("%s %s for profile %q refused: %s: %s", service, op, u.Profile, short(api.ErrorCode()), short(api.ErrorMessage()))
	}
	return fmt.Errorf("%s %s for profile %q: %w (%s: %s)", service, op, u.Profile, kind, short(api.ErrorCode()), short(api.ErrorMessage()))
}

// short keeps a server's message on one line, short, with its terminal
// controls written out.
func short(s string) string {
	return termsafe.Escape(otp.Shorten(strings.Join(strings.Fields(s), " "), 200))
}
