package verify

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// fastConfig returns a Config against endpoint with no real pauses.
func fastConfig(endpoint string) Config {
	return Config{
		Endpoint:    endpoint,
		Rate:        -1,
		Timeout:     5 * time.Second,
		MaxAttempts: 3,
		BaseDelay:   time.Millisecond,
		MaxBackoff:  5 * time.Millisecond,
		RetryPause:  time.Millisecond,
	}
}

func newVerifier(t *testing.T, cfg Config) *Verifier {
	t.Helper()
	v, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func finding(id, secret string, cands ...string) scanner.Finding {
	f := scanner.Finding{KeyID: id, KeyType: scanner.TypeOf(id), Secret: scanner.Secret(secret),
		Fingerprint: scanner.Fingerprint(id, scanner.Secret(secret)), Verification: scanner.Verification{Verdict: scanner.Unverified}}
	for _, c := range cands {
		f.Candidates = append(f.Candidates, scanner.Secret(c))
	}
	return f
}

func TestVerifyVerdicts(t *testing.T) {
	g := testkeys.New(1)
	user, userSecret := g.AccessKeyID(), g.Secret()
	sess, sessSecret, sessToken := g.SessionKeyID(), g.Secret(), g.SessionToken()
	inactive, expired := g.AccessKeyID(), g.SessionKeyID()
	expSecret, expToken := g.Secret(), g.SessionToken()

	tests := []struct {
		name      string
		f         func() scanner.Finding
		setup     func(*stsStub)
		want      scanner.Verdict
		wantCalls int64
		wantARN   string
		wantInErr string
	}{
		{name: "live user key", f: func() scanner.Finding { return finding(user, userSecret) },
			want: scanner.Live, wantCalls: 1, wantARN: "arn:aws:iam::111122223333:user/alice"},
		{name: "live session key", f: func() scanner.Finding {
			f := finding(sess, sessSecret)
			f.SessionToken = scanner.Secret(sessToken)
			return f
		}, want: scanner.Live, wantCalls: 1, wantARN: "arn:aws:sts::111122223333:assumed-role/ci/build"},
		{name: "session key without its token is not sent", f: func() scanner.Finding { return finding(sess, sessSecret) },
			want: scanner.Unverified, wantCalls: 0, wantInErr: "without its session token"},
		{name: "wrong secret is retried once", f: func() scanner.Finding { return finding(user, g.Secret()) },
			want: scanner.WrongSecret, wantCalls: 2},
		{name: "false mismatch then live", f: func() scanner.Finding { return finding(user, userSecret) },
			setup: func(s *stsStub) { s.mismatch[user] = 1 }, want: scanner.Live, wantCalls: 2, wantARN: "arn:aws:iam::111122223333:user/alice"},
		{name: "unknown key", f: func() scanner.Finding { return finding(g.AccessKeyID(), g.Secret()) },
			want: scanner.Invalid, wantCalls: 1},
		{name: "inactive key", f: func() scanner.Finding { return finding(inactive, userSecret) },
			want: scanner.Invalid, wantCalls: 1},
		{name: "expired session", f: func() scanner.Finding {
			f := finding(expired, expSecret)
			f.SessionToken = scanner.Secret(expToken)
			return f
		}, want: scanner.Expired, wantCalls: 1},
		{name: "throttled then recovered", f: func() scanner.Finding { return finding(user, userSecret) },
			setup: func(s *stsStub) { s.throttle = 2 }, want: scanner.Live, wantCalls: 1, wantARN: "arn:aws:iam::111122223333:user/alice"},
		{name: "throttled past the retries", f: func() scanner.Finding { return finding(user, userSecret) },
			setup: func(s *stsStub) { s.throttle = 100 }, want: scanner.VerifyError, wantCalls: 1, wantInErr: "Throttling"},
		{name: "server error", f: func() scanner.Finding { return finding(user, userSecret) },
			setup: func(s *stsStub) { s.status500 = true }, want: scanner.VerifyError, wantCalls: 1, wantInErr: "InternalFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub, srv := newSTSStub(t)
			stub.add(user, stubKey{secret: userSecret, account: "111122223333", arn: "arn:aws:iam::111122223333:user/alice", userID: "AIDAEXAMPLEUSER"})
			stub.add(sess, stubKey{secret: sessSecret, token: sessToken, account: "111122223333", arn: "arn:aws:sts::111122223333:assumed-role/ci/build", userID: "AROAEXAMPLE:build"})
			stub.add(inactive, stubKey{secret: userSecret, inactive: true})
			stub.add(expired, stubKey{secret: expSecret, token: expToken, expired: true})
			if tt.setup != nil {
				tt.setup(stub)
			}
			v := newVerifier(t, fastConfig(srv.URL))
			f := tt.f()
			got := v.Verify(context.Background(), &f)
			if got.Verdict != tt.want {
				t.Fatalf("verdict = %q (error %q), want %q", got.Verdict, got.Error, tt.want)
			}
			if f.Verification != got {
				t.Errorf("finding not updated: %+v", f.Verification)
			}
			if n := v.Stats().Calls; n != tt.wantCalls {
				t.Errorf("calls = %d, want %d", n, tt.wantCalls)
			}
			if got.ARN != tt.wantARN {
				t.Errorf("ARN = %q, want %q", got.ARN, tt.wantARN)
			}
			if tt.want == scanner.Live && (got.AccountID != "111122223333" || got.UserID == "" || got.VerifiedAt.IsZero()) {
				t.Errorf("live verification incomplete: %+v", got)
			}
			if !strings.Contains(got.Error, tt.wantInErr) {
				t.Errorf("error = %q, want it to mention %q", got.Error, tt.wantInErr)
			}
			if tt.want != scanner.VerifyError && tt.want != scanner.Unverified && got.Error != "" {
				t.Errorf("error = %q for verdict %q, want none", got.Error, got.Verdict)
			}
		})
	}
}

func TestVerifyEndpointDown(t *testing.T) {
	_, srv := newSTSStub(t)
	url := srv.URL
	srv.Close()
	cfg := fastConfig(url)
	v := newVerifier(t, cfg)
	g := testkeys.New(2)
	f := finding(g.AccessKeyID(), g.Secret())
	got := v.Verify(context.Background(), &f)
	if got.Verdict != scanner.VerifyError || got.Error == "" {
		t.Fatalf("verdict = %+v, want error with a message", got)
	}
}

func TestVerifyTimeout(t *testing.T) {
	stub, srv := newSTSStub(t)
	stub.delay = 2 * time.Second
	cfg := fastConfig(srv.URL)
	cfg.Timeout = 100 * time.Millisecond
	cfg.MaxAttempts = 1
	v := newVerifier(t, cfg)
	g := testkeys.New(3)
	f := finding(g.AccessKeyID(), g.Secret())
	got := v.Verify(context.Background(), &f)
	if got.Verdict != scanner.VerifyError || !strings.Contains(got.Error, "no answer within 100ms") {
		t.Fatalf("verdict = %+v, want a timeout error", got)
	}
}

func TestVerifyCandidates(t *testing.T) {
	g := testkeys.New(4)
	id, live := g.AccessKeyID(), g.Secret()
	wrong1, wrong2 := g.Secret(), g.Secret()
	stub, srv := newSTSStub(t)
	stub.add(id, stubKey{secret: live, account: "111122223333", arn: "arn:aws:iam::111122223333:user/bob", userID: "AIDABOB"})
	v := newVerifier(t, fastConfig(srv.URL))

	f := finding(id, wrong1, wrong2, live)
	got := v.Verify(context.Background(), &f)
	if got.Verdict != scanner.Live {
		t.Fatalf("verdict = %+v, want live", got)
	}
	if f.Secret.Reveal() != live {
		t.Errorf("live candidate not promoted to Secret")
	}
	if f.Fingerprint != scanner.Fingerprint(id, scanner.Secret(live)) {
		t.Errorf("fingerprint not recomputed")
	}
	if len(f.Candidates) != 2 || f.Candidates[0].Reveal() != wrong1 || f.Candidates[1].Reveal() != wrong2 {
		t.Errorf("candidates = %v, want the two wrong secrets in order", f.Candidates)
	}
	// Two wrong secrets (each retried once) then the live one.
	if n := v.Stats().Calls; n != 5 {
		t.Errorf("calls = %d, want 5", n)
	}

	t.Run("all wrong", func(t *testing.T) {
		f := finding(id, g.Secret(), g.Secret())
		if got := v.Verify(context.Background(), &f); got.Verdict != scanner.WrongSecret {
			t.Fatalf("verdict = %+v, want wrong-secret", got)
		}
	})
	t.Run("invalid ID stops after the first secret", func(t *testing.T) {
		before := v.Stats().Calls
		f := finding(g.AccessKeyID(), g.Secret(), g.Secret(), g.Secret())
		if got := v.Verify(context.Background(), &f); got.Verdict != scanner.Invalid {
			t.Fatalf("verdict = %+v, want invalid", got)
		}
		if n := v.Stats().Calls - before; n != 1 {
			t.Errorf("calls = %d, want 1", n)
		}
	})
	t.Run("an unanswered secret outranks wrong ones", func(t *testing.T) {
		stub.mu.Lock()
		stub.throttle = 3 // exhausts the three attempts of the first pair
		stub.mu.Unlock()
		f := finding(id, g.Secret(), g.Secret())
		got := v.Verify(context.Background(), &f)
		if got.Verdict != scanner.VerifyError {
			t.Fatalf("verdict = %+v, want error", got)
		}
	})
}

func TestVerifySkips(t *testing.T) {
	g := testkeys.New(5)
	id, secret := g.AccessKeyID(), g.Secret()
	tests := []struct {
		name      string
		mod       func(*scanner.Finding)
		canaries  bool
		want      scanner.Verdict
		reason    string
		wantCalls int64
	}{
		{name: "example", mod: func(f *scanner.Finding) { f.Example = true }, want: scanner.Unverified, reason: ReasonExample},
		{name: "canary", mod: func(f *scanner.Finding) { f.Canary = true }, want: scanner.Unverified, reason: ReasonCanary},
		{name: "canary with --verify-canaries", mod: func(f *scanner.Finding) { f.Canary = true }, canaries: true, want: scanner.Live, wantCalls: 1},
		{name: "example even with --verify-canaries", mod: func(f *scanner.Finding) { f.Example = true; f.Canary = true }, canaries: true, want: scanner.Unverified, reason: ReasonExample},
		{name: "no secret", mod: func(f *scanner.Finding) { f.Secret = "" }, want: scanner.Unverified, reason: ReasonNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub, srv := newSTSStub(t)
			stub.add(id, stubKey{secret: secret, account: "111122223333", arn: "arn:aws:iam::111122223333:user/c", userID: "AIDAC"})
			cfg := fastConfig(srv.URL)
			cfg.VerifyCanaries = tt.canaries
			v := newVerifier(t, cfg)
			f := finding(id, secret)
			tt.mod(&f)
			got := v.Verify(context.Background(), &f)
			if got.Verdict != tt.want || got.Error != tt.reason {
				t.Fatalf("got %+v, want %q with reason %q", got, tt.want, tt.reason)
			}
			if n := stub.requests.Load(); n != tt.wantCalls {
				t.Errorf("requests = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestVerifyAllOncePerPair(t *testing.T) {
	g := testkeys.New(6)
	id, secret, other := g.AccessKeyID(), g.Secret(), g.Secret()
	stub, srv := newSTSStub(t)
	stub.add(id, stubKey{secret: secret, account: "111122223333", arn: "arn:aws:iam::111122223333:user/d", userID: "AIDAD"})
	stub.delay = 20 * time.Millisecond // overlap the concurrent lookups
	v := newVerifier(t, fastConfig(srv.URL))
	// The same pair reached from six findings (as secret or as candidate),
	// plus one other pair that is wrong (two calls: the retry).
	fs := []scanner.Finding{
		finding(id, secret), finding(id, secret), finding(id, other, secret),
		finding(id, other, secret), finding(id, secret, other), finding(id, secret),
	}
	var done atomic.Int64
	if err := v.VerifyAll(context.Background(), fs, func(int) { done.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if done.Load() != int64(len(fs)) {
		t.Errorf("onResult called %d times, want %d", done.Load(), len(fs))
	}
	for i, f := range fs {
		if f.Verification.Verdict != scanner.Live {
			t.Errorf("finding %d: %+v, want live", i, f.Verification)
		}
	}
	if n := stub.requests.Load(); n != 3 {
		t.Errorf("requests = %d, want 3 (one for the live pair, two for the wrong one)", n)
	}
	// A second run over the same findings is answered from the cache.
	if err := v.VerifyAll(context.Background(), fs, nil); err != nil {
		t.Fatal(err)
	}
	if n := stub.requests.Load(); n != 3 {
		t.Errorf("requests after a second run = %d, want still 3", n)
	}
}

func TestVerifyAllConcurrencyBound(t *testing.T) {
	g := testkeys.New(7)
	stub, srv := newSTSStub(t)
	stub.delay = 30 * time.Millisecond
	var fs []scanner.Finding
	for range 12 {
		id, s := g.AccessKeyID(), g.Secret()
		stub.add(id, stubKey{secret: s, account: "1", arn: "a", userID: "u"})
		fs = append(fs, finding(id, s))
	}
	cfg := fastConfig(srv.URL)
	cfg.Concurrency = 3
	v := newVerifier(t, cfg)
	if err := v.VerifyAll(context.Background(), fs, nil); err != nil {
		t.Fatal(err)
	}
	if m := stub.maxIn.Load(); m > 3 || m < 2 {
		t.Errorf("max requests in flight = %d, want 2..3", m)
	}
}

func TestVerifyRateLimit(t *testing.T) {
	g := testkeys.New(8)
	stub, srv := newSTSStub(t)
	var fs []scanner.Finding
	for range 6 {
		id, s := g.AccessKeyID(), g.Secret()
		stub.add(id, stubKey{secret: s, account: "1", arn: "a", userID: "u"})
		fs = append(fs, finding(id, s))
	}
	cfg := fastConfig(srv.URL)
	cfg.Rate = 20 // one call every 50ms after the first
	cfg.Concurrency = 6
	v := newVerifier(t, cfg)
	start := time.Now()
	if err := v.VerifyAll(context.Background(), fs, nil); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 240*time.Millisecond {
		t.Errorf("6 calls at 20/s took %s, want at least 250ms", el)
	}
	if n := stub.requests.Load(); n != 6 {
		t.Errorf("requests = %d, want 6", n)
	}
}

func TestVerifyAllCancelled(t *testing.T) {
	g := testkeys.New(9)
	stub, srv := newSTSStub(t)
	stub.delay = 5 * time.Second
	id, s := g.AccessKeyID(), g.Secret()
	stub.add(id, stubKey{secret: s, account: "1", arn: "a", userID: "u"})
	v := newVerifier(t, fastConfig(srv.URL))
	fs := []scanner.Finding{finding(id, s), finding(g.AccessKeyID(), g.Secret())}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := v.VerifyAll(ctx, fs, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's error", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("VerifyAll took %s after cancel", el)
	}
	for i, f := range fs {
		if f.Verification.Verdict != scanner.Unverified {
			t.Errorf("finding %d: %+v, want still unverified", i, f.Verification)
		}
	}
	// Nothing was cached: a later run asks again.
	stub.mu.Lock()
	stub.delay = 0
	stub.mu.Unlock()
	if err := v.VerifyAll(context.Background(), fs[:1], nil); err != nil {
		t.Fatal(err)
	}
	if fs[0].Verification.Verdict != scanner.Live {
		t.Errorf("after cancel, verdict = %+v, want live", fs[0].Verification)
	}
}

func TestVerifyRetryPauseHonoursContext(t *testing.T) {
	g := testkeys.New(10)
	stub, srv := newSTSStub(t)
	id := g.AccessKeyID()
	stub.add(id, stubKey{secret: g.Secret()})
	cfg := fastConfig(srv.URL)
	var paused atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		paused.Add(int64(d))
		cancel() // Ctrl-C during the pause
		return ctx.Err()
	}
	cfg.RetryPause = 3 * time.Second
	v := newVerifier(t, cfg)
	f := finding(id, g.Secret())
	got := v.Verify(ctx, &f)
	if time.Duration(paused.Load()) != 3*time.Second {
		t.Errorf("paused %s, want the configured 3s", time.Duration(paused.Load()))
	}
	if got.Verdict != scanner.Unverified {
		t.Errorf("verdict after an interrupted pause = %+v, want unverified", got)
	}
}
