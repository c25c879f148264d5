package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/keysweep/keysweep/scanner"
)

// Partitions lists the accepted values of Config.Partition.
func Partitions() []string { return []string{"aws", "aws-cn", "aws-us-gov"} }

// PartitionRegion returns the region whose STS endpoint verifies keys of
// partition p: us-east-1 (sts.us-east-1.amazonaws.com), cn-north-1
// (sts.cn-north-1.amazonaws.com.cn) or us-gov-west-1
// (sts.us-gov-west-1.amazonaws.com). "" means "aws".
func PartitionRegion(p string) (string, error) {
	switch p {
	case "", "aws":
		return "us-east-1", nil
	case "aws-cn":
		return "cn-north-1", nil
	case "aws-us-gov":
		return "us-gov-west-1", nil
	}
	return "", fmt.Errorf("unknown partition %q (want aws, aws-cn or aws-us-gov)", p)
}

// LoadUserConfig loads the user's AWS configuration (shared config files and
// environment: endpoint_url, AWS_ENDPOINT_URL_STS, CA bundle…) for
// Config.UserConfig. The credentials it returns are anonymous on purpose: no
// provider of the user's credential chain (profiles, SSO, processes,
// instance metadata) is built or called.
func LoadUserConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	return cfg, nil
}

// newClient builds the STS client: no credentials of its own (each call
// brings the found pair), the partition's region, the endpoint from
// cfg.Endpoint or the user's configuration, and a retryer without a retry
// quota (the Verifier rate-limits itself).
func newClient(cfg Config) (*sts.Client, error) {
	region, err := PartitionRegion(cfg.Partition)
	if err != nil {
		return nil, err
	}
	if cfg.Endpoint != "" {
		if err := checkEndpoint(cfg.Endpoint); err != nil {
			return nil, err
		}
	}
	base := aws.Config{}
	if cfg.UserConfig != nil {
		base = cfg.UserConfig.Copy()
	}
	base.Credentials = nil
	base.Region = region
	if cfg.Region != "" {
		base.Region = cfg.Region
	}
	base.ClientLogMode = 0 // never log requests or signing material
	retryer := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = cfg.MaxAttempts
		o.RateLimiter = ratelimit.None
		if cfg.MaxBackoff > 0 {
			o.MaxBackoff = cfg.MaxBackoff
		}
		if cfg.BaseDelay > 0 {
			o.BaseDelay = cfg.BaseDelay
		}
	})
	return sts.NewFromConfig(base, func(o *sts.Options) {
		o.Credentials = nil
		o.HTTPSignerV4 = freshSigner{}
		o.Retryer = retryer
		o.ClientLogMode = 0
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		if cfg.HTTPClient != nil {
			o.HTTPClient = cfg.HTTPClient
		}
	}), nil
}

// freshSigner signs each request with a new SigV4 signer. The SDK's signer
// caches the derived signing key by access key ID and day, not by secret:
// with one shared signer, a second secret tried for the same key ID would be
// signed with the first secret's key, and a live pair would read as
// SignatureDoesNotMatch.
type freshSigner struct{}

func (freshSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, optFns ...func(*v4.SignerOptions)) error {
	return v4.NewSigner().SignHTTP(ctx, creds, r, payloadHash, service, region, t, optFns...)
}

func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("parse sts endpoint: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("parse sts endpoint %q: want http(s)://host[:port]", s)
	}
	return nil
}

// call makes one GetCallerIdentity call signed with the pair. It returns an
// error only when ctx ended; everything else is a verdict.
func (v *Verifier) call(ctx context.Context, keyID string, secret, token scanner.Secret) (scanner.Verification, error) {
	if err := v.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return scanner.Verification{}, ctx.Err()
		}
		// The rate limit would make the call miss ctx's deadline.
		return scanner.Verification{Verdict: scanner.VerifyError, VerifiedAt: v.cfg.Now().UTC(),
			Error: fmt.Sprintf("wait for rate limit: %v", err)}, nil
	}
	v.calls.Add(1)
	cctx, cancel := context.WithTimeout(ctx, v.cfg.Timeout)
	defer cancel()
	creds := credentials.NewStaticCredentialsProvider(keyID, secret.Reveal(), token.Reveal())
	out, err := v.client.GetCallerIdentity(cctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.Credentials = creds
	})
	if ctx.Err() != nil {
		return scanner.Verification{}, ctx.Err()
	}
	res := scanner.Verification{VerifiedAt: v.cfg.Now().UTC()}
	if err == nil {
		res.Verdict = scanner.Live
		res.AccountID = aws.ToString(out.Account)
		res.ARN = aws.ToString(out.Arn)
		res.UserID = aws.ToString(out.UserId)
		return res, nil
	}
	res.Verdict = Classify(err)
	if res.Verdict == scanner.VerifyError {
		msg := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = fmt.Sprintf("no answer within %s: %s", v.cfg.Timeout, msg)
		}
		res.Error = scrub(msg, secret, token)
	}
	return res, nil
}

// Classify maps an error from an STS call signed with a found key to a
// verdict by its AWS error code: SignatureDoesNotMatch → WrongSecret,
// InvalidClientTokenId → Invalid, ExpiredToken → Expired; anything else
// (network, throttling, other codes) → VerifyError, never a guess.
func Classify(err error) scanner.Verdict {
	if err == nil {
		return scanner.Live
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "SignatureDoesNotMatch":
			return scanner.WrongSecret
		case "InvalidClientTokenId":
			return scanner.Invalid
		case "ExpiredToken":
			return scanner.Expired
		}
	}
	return scanner.VerifyError
}

// scrub removes the secret and token from a message, should an error ever
// echo them.
func scrub(msg string, secret, token scanner.Secret) string {
	for _, s := range []scanner.Secret{secret, token} {
		if len(s) >= 8 {
			msg = strings.ReplaceAll(msg, s.Reveal(), s.Redacted())
		}
	}
	return msg
}
