// Package verify asks AWS STS whether found key pairs are live.
//
// Each pair is checked with one GetCallerIdentity call signed with the found
// credentials (static credentials only: the user's own credential chain is
// never consulted). The STS endpoint comes only from the user's AWS
// configuration, an explicit Config.Endpoint, or AWS_ENDPOINT_URL_STS —
// never from scanned content — and the partition picks the default region.
// Verdicts are cached by fingerprint for the run (and optionally on disk),
// calls are rate limited, bounded in number and each has a timeout.
package verify

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/keysweep/keysweep/scanner"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// Defaults used when the matching Config field is zero.
const (
	DefaultConcurrency = 4
	DefaultRate        = 10 // calls per second
	DefaultTimeout     = 10 * time.Second
	DefaultRetryPause  = 2 * time.Second
	DefaultMaxAttempts = 3
	DefaultCacheTTL    = time.Hour
)

// Reasons left in Verification.Error when a finding is deliberately not verified.
const (
	ReasonExample  = "not verified: AWS documentation example key"
	ReasonCanary   = "not verified: canary-token account, calling it would alert whoever planted it (--verify-canaries to call anyway)"
	ReasonNoSecret = "not verified: no secret paired with the key ID"
	ReasonNoToken  = "not verified: session key (ASIA) without its session token, which STS needs"
)

// Config sets up a Verifier. Zero fields take the defaults above.
type Config struct {
	// Partition is "aws" (default), "aws-cn" or "aws-us-gov"; it picks the
	// region and so the default endpoint.
	Partition string
	// Region, when set, is the signing region instead of the partition's
	// (needed with a regional or VPC endpoint of another region).
	Region string
	// Endpoint, when set, is the STS endpoint URL (--sts-endpoint). It wins
	// over the user's configuration.
	Endpoint string
	// UserConfig is the user's AWS configuration (see LoadUserConfig), used
	// only for endpoint settings (endpoint_url, AWS_ENDPOINT_URL_STS, …),
	// HTTP and TLS settings. Its credentials are never used. Nil: none.
	UserConfig *aws.Config
	// HTTPClient, when set, sends the requests (tests).
	HTTPClient aws.HTTPClient

	Concurrency int           // parallel calls in VerifyAll
	Rate        float64       // GetCallerIdentity calls per second across the Verifier (SDK retry attempts not counted); 0: DefaultRate; < 0: unlimited
	Timeout     time.Duration // per GetCallerIdentity call, SDK retries included
	MaxAttempts int           // SDK attempts per call (throttling, 5xx, network)
	MaxBackoff  time.Duration // longest pause between SDK attempts; 0: SDK default
	BaseDelay   time.Duration // first SDK backoff step; 0: SDK default
	// RetryPause is the pause before the one retry of a SignatureDoesNotMatch.
	RetryPause time.Duration

	// VerifyCanaries calls STS even for canary-token accounts.
	VerifyCanaries bool

	// CachePath, when set, is an on-disk verdict cache (fingerprint →
	// verdict, never secrets), read by New and written by Close, mode 0600.
	CachePath string
	CacheTTL  time.Duration // how long an on-disk verdict stays good

	// Now and Sleep let tests control time. Sleep must return early with
	// ctx.Err() when ctx is done.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Stats counts what a Verifier did.
type Stats struct {
	Calls  int64 // GetCallerIdentity calls made (a retry after a signature mismatch counts)
	Cached int64 // pairs answered from the cache
}

// Verifier verifies key pairs. It is safe for concurrent use; each distinct
// (key ID, secret, session token) is sent to STS at most once per Verifier
// (concurrent requests for the same pair share one call).
type Verifier struct {
	cfg     Config
	client  *sts.Client
	limiter *rate.Limiter
	cache   *cache
	group   singleflight.Group
	calls   atomic.Int64
	cached  atomic.Int64
}

// New returns a Verifier. It fails on an unknown partition, a malformed
// endpoint or an unreadable on-disk cache.
func New(cfg Config) (*Verifier, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryPause == 0 {
		cfg.RetryPause = DefaultRetryPause
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	c, err := loadCache(cfg.CachePath, cfg.CacheTTL, cfg.Now)
	if err != nil {
		return nil, err
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if cfg.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}
	return &Verifier{cfg: cfg, client: client, limiter: lim, cache: c}, nil
}

// Stats returns the counts so far.
func (v *Verifier) Stats() Stats {
	return Stats{Calls: v.calls.Load(), Cached: v.cached.Load()}
}

// Close writes the on-disk cache, if any. The Verifier must not be used after.
func (v *Verifier) Close() error { return v.cache.save() }

// Verify verifies f's key ID with each of its secrets (f.Secret, then
// f.Candidates) until one is live, updates f.Verification and returns it.
// When a candidate other than f.Secret is live it becomes f.Secret, the old
// secret becomes a candidate, and f.Fingerprint is recomputed. Examples,
// canaries (unless Config.VerifyCanaries) and findings without a secret are
// left unverified with a reason in Error, as are session keys without their
// token (STS would answer InvalidClientTokenId, which would wrongly read as
// a dead key). When ctx ends first, f keeps its
// previous verification and Verify returns it unchanged.
func (v *Verifier) Verify(ctx context.Context, f *scanner.Finding) scanner.Verification {
	if reason := v.skipReason(f); reason != "" {
		f.Verification = scanner.Verification{Verdict: scanner.Unverified, Error: reason}
		return f.Verification
	}
	secrets := append([]scanner.Secret{f.Secret}, f.Candidates...)
	var fallback *scanner.Verification
	for i, s := range secrets {
		if s == "" {
			continue
		}
		res, err := v.pair(ctx, f.KeyID, s, f.SessionToken)
		if err != nil { // cancelled: keep what f had
			return f.Verification
		}
		switch res.Verdict {
		case scanner.Live:
			if i > 0 {
				promote(f, i)
			}
			f.Verification = res
			return res
		case scanner.Invalid, scanner.Expired:
			// The key ID (or the session) is the problem: other secrets can't help.
			f.Verification = res
			return res
		case scanner.VerifyError:
			fallback = &res // an unanswered pair outranks "wrong secret"
		case scanner.WrongSecret:
			if fallback == nil {
				fallback = &res
			}
		}
	}
	if fallback != nil {
		f.Verification = *fallback
	}
	return f.Verification
}

func (v *Verifier) skipReason(f *scanner.Finding) string {
	switch {
	case f.Example:
		return ReasonExample
	case f.Canary && !v.cfg.VerifyCanaries:
		return ReasonCanary
	case f.Secret == "" && !hasSecret(f.Candidates):
		return ReasonNoSecret
	case f.SessionToken == "" && scanner.TypeOf(f.KeyID) == scanner.SessionKey:
		return ReasonNoToken
	}
	return ""
}

func hasSecret(ss []scanner.Secret) bool {
	for _, s := range ss {
		if s != "" {
			return true
		}
	}
	return false
}

// promote makes candidate i-1 the finding's secret.
func promote(f *scanner.Finding, i int) {
	live := f.Candidates[i-1]
	rest := make([]scanner.Secret, 0, len(f.Candidates))
	if f.Secret != "" {
		rest = append(rest, f.Secret)
	}
	for j, c := range f.Candidates {
		if j != i-1 {
			rest = append(rest, c)
		}
	}
	f.Secret = live
	f.Candidates = rest
	f.Fingerprint = scanner.Fingerprint(f.KeyID, live)
}

// VerifyAll verifies fs[i] in place for every i, at most Config.Concurrency
// at a time. onResult, when not nil, is called after each finding is done,
// from the verifying goroutine (so concurrently): it must be safe for
// concurrent use and must not touch other elements of fs. VerifyAll returns
// ctx.Err() when ctx ended before all were done (unfinished findings keep
// their previous verification).
func (v *Verifier) VerifyAll(ctx context.Context, fs []scanner.Finding, onResult func(i int)) error {
	var wg sync.WaitGroup
	sem := make(chan struct{}, v.cfg.Concurrency)
loop:
	for i := range fs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			v.Verify(ctx, &fs[i])
			if onResult != nil {
				onResult(i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
