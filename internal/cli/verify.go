package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/verify"
	"github.com/spf13/pflag"
)

// verifyFlags are the verification flags shared by scan, verify, sweep and triage.
type verifyFlags struct {
	Enabled     bool          // --verify (not registered by `keysweep verify`)
	Endpoint    string        // --sts-endpoint
	Partition   string        // --partition
	Region      string        // --sts-region
	Concurrency int           // --verify-concurrency
	Rate        float64       // --verify-rate, calls per second; 0 unlimited
	Timeout     time.Duration // --verify-timeout
	Canaries    bool          // --verify-canaries
	CacheTTL    time.Duration // --verify-cache; 0: no on-disk cache
	RetryPause  time.Duration // hidden --verify-retry-pause, before re-asking after a signature mismatch
}

// addVerifyFlags registers --verify and the verification options.
func addVerifyFlags(fs *pflag.FlagSet, v *verifyFlags) {
	fs.BoolVar(&v.Enabled, "verify", false, "ask AWS STS whether each key is live (sends each found pair to STS)")
	addVerifyOptions(fs, v)
}

// addVerifyOptions registers the verification options without --verify.
func addVerifyOptions(fs *pflag.FlagSet, v *verifyFlags) {
	fs.StringVar(&v.Endpoint, "sts-endpoint", "", "STS endpoint `URL` (default: AWS_ENDPOINT_URL_STS, your AWS config, or the partition's)")
	fs.StringVar(&v.Partition, "partition", "aws", "AWS partition of the keys: aws, aws-cn or aws-us-gov")
	fs.StringVar(&v.Region, "sts-region", "", "signing `REGION` of the STS endpoint (default: the partition's; set it for a regional or VPC endpoint)")
	fs.IntVar(&v.Concurrency, "verify-concurrency", verify.DefaultConcurrency, "STS calls in parallel")
	fs.Float64Var(&v.Rate, "verify-rate", verify.DefaultRate, "STS calls per second at most (0: no limit)")
	fs.DurationVar(&v.Timeout, "verify-timeout", verify.DefaultTimeout, "timeout of each STS call, retries included")
	fs.BoolVar(&v.Canaries, "verify-canaries", false, "also call STS for canary-token accounts (alerts whoever planted them)")
	fs.DurationVar(&v.CacheTTL, "verify-cache", 0, "remember verdicts on disk for `TTL` under your cache dir (fingerprints, never secrets; bare flag: 1h)")
	fs.Lookup("verify-cache").NoOptDefVal = verify.DefaultCacheTTL.String()
	fs.DurationVar(&v.RetryPause, "verify-retry-pause", verify.DefaultRetryPause, "pause before re-asking STS after a signature mismatch")
	_ = fs.MarkHidden("verify-retry-pause")
}

// verifyConfig turns the flags into a verify.Config. The endpoint is, in
// order: --sts-endpoint, AWS_ENDPOINT_URL_STS, the user's AWS configuration,
// the partition's default. It never comes from scanned content.
func verifyConfig(ctx context.Context, streams *IO, v *verifyFlags) (verify.Config, error) {
	if !slices.Contains(verify.Partitions(), v.Partition) {
		return verify.Config{}, usageError("unknown --partition %q (want aws, aws-cn or aws-us-gov)", v.Partition)
	}
	if v.Concurrency < 1 {
		return verify.Config{}, usageError("--verify-concurrency must be at least 1")
	}
	if v.Rate < 0 || v.Timeout <= 0 || v.CacheTTL < 0 || v.RetryPause < 0 {
		return verify.Config{}, usageError("--verify-rate, --verify-timeout and --verify-cache must be positive")
	}
	cfg := verify.Config{
		Partition:      v.Partition,
		Region:         v.Region,
		Endpoint:       v.Endpoint,
		Concurrency:    v.Concurrency,
		Rate:           v.Rate,
		Timeout:        v.Timeout,
		VerifyCanaries: v.Canaries,
		CacheTTL:       v.CacheTTL,
		RetryPause:     v.RetryPause,
	}
	if v.Rate == 0 {
		cfg.Rate = -1
	}
	if cfg.Endpoint == "" && streams.Getenv != nil {
		cfg.Endpoint = streams.Getenv("AWS_ENDPOINT_URL_STS")
	}
	uc, err := verify.LoadUserConfig(ctx)
	switch {
	case err == nil:
		cfg.UserConfig = &uc
	case cfg.Endpoint == "":
		return verify.Config{}, &ExitError{Code: ExitFailure, Err: err,
			Hint: "fix AWS_PROFILE or ~/.aws/config, or name the endpoint with --sts-endpoint"}
	}
	if v.CacheTTL > 0 {
		p, err := verify.DefaultCachePath()
		if err != nil {
			return verify.Config{}, err
		}
		cfg.CachePath = p
	}
	return cfg, nil
}

func newVerifier(ctx context.Context, streams *IO, v *verifyFlags) (*verify.Verifier, error) {
	cfg, err := verifyConfig(ctx, streams, v)
	if err != nil {
		return nil, err
	}
	ver, err := verify.New(cfg)
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("set up verification: %w", err),
			Hint: "check --sts-endpoint and --partition; a damaged --verify-cache file may be deleted"}
	}
	return ver, nil
}

// verifyResult verifies every finding of res that has a secret, in place,
// sorts live keys first and prints a one-line summary on stderr. When ctx
// ends midway, the findings not reached stay unverified, res is marked
// interrupted and the error says so.
func verifyResult(ctx context.Context, streams *IO, v *verifyFlags, res *scanner.Result) error {
	ver, err := newVerifier(ctx, streams, v)
	if err != nil {
		return err
	}
	err = verifyFindings(ctx, streams, ver, res.Findings)
	scanner.SortFindings(res.Findings)
	if err != nil {
		res.Interrupted = true
		return fmt.Errorf("verification interrupted: %w", err)
	}
	return nil
}

// verifyFindings runs ver over fs with a progress line on a terminal, saves
// the cache and prints the summary on stderr.
func verifyFindings(ctx context.Context, streams *IO, ver *verify.Verifier, fs []scanner.Finding) error {
	p := newVerifyProgress(streams, len(fs))
	err := ver.VerifyAll(ctx, fs, p.done)
	p.stop()
	if cerr := ver.Close(); cerr != nil {
		fmt.Fprintf(streams.Err, "keysweep: %v\n", cerr)
	}
	fmt.Fprintln(streams.Err, verifySummary(fs))
	return err
}

// verifySummary says what verification found, e.g. "verified 5 keys: 1
// live, 3 invalid, 1 error; 2 not verified (1 canary, 1 no secret)".
func verifySummary(fs []scanner.Finding) string {
	count := map[scanner.Verdict]int{}
	skipped := map[string]int{}
	n := 0
	for _, f := range fs {
		switch {
		case f.Verification.Verdict != scanner.Unverified && f.Verification.Verdict != "":
			count[f.Verification.Verdict]++
			n++
		case f.Verification.Error == verify.ReasonCanary:
			skipped["canary"]++
		case f.Verification.Error == verify.ReasonExample:
			skipped["example"]++
		case f.Verification.Error == verify.ReasonNoSecret:
			skipped["no secret"]++
		case f.Verification.Error == verify.ReasonNoToken:
			skipped["no session token"]++
		default:
			skipped["not reached"]++
		}
	}
	var parts []string
	for _, vd := range []scanner.Verdict{scanner.Live, scanner.WrongSecret, scanner.Invalid, scanner.Expired, scanner.VerifyError} {
		if count[vd] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[vd], vd))
		}
	}
	s := "keysweep: verified " + plural(n, "key", "keys")
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	if m := len(fs) - n; m > 0 {
		var why []string
		for _, k := range []string{"canary", "example", "no secret", "no session token", "not reached"} {
			if skipped[k] > 0 {
				why = append(why, fmt.Sprintf("%d %s", skipped[k], k))
			}
		}
		s += fmt.Sprintf("; %d not verified (%s)", m, strings.Join(why, ", "))
	}
	return s
}

// verifyProgress redraws "verifying keys: n/total" on a terminal stderr,
// at most every 200ms. Safe for concurrent use.
type verifyProgress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	n     int
	total int
	last  time.Time
	drawn bool
}

func newVerifyProgress(streams *IO, total int) *verifyProgress {
	return &verifyProgress{w: streams.Err, on: streams.ErrIsTTY && total > 1, total: total}
}

func (p *verifyProgress) done(int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[Kverifying keys: %d/%d", p.n, p.total)
	p.drawn = true
}

func (p *verifyProgress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
