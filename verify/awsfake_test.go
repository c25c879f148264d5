package verify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/verify"
)

const acct = "111122223333"

// counted serves h on a loopback server and counts its requests.
func counted(t testing.TB, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func newFake(t testing.TB) *awsfake.Fake {
	t.Helper()
	return awsfake.New(awsfake.Options{Seed: 11})
}

func fast(endpoint string) verify.Config {
	return verify.Config{Endpoint: endpoint, Rate: -1, Timeout: 5 * time.Second,
		BaseDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond, RetryPause: time.Millisecond}
}

func find(k awsfake.Key) scanner.Finding {
	f := scanner.Finding{KeyID: k.ID, KeyType: scanner.TypeOf(k.ID), Secret: scanner.Secret(k.Secret),
		SessionToken: scanner.Secret(k.SessionToken), Fingerprint: scanner.Fingerprint(k.ID, scanner.Secret(k.Secret))}
	f.AccountID, _ = scanner.AccountID(k.ID)
	return f
}

func mustKey(t testing.TB, f *awsfake.Fake, user string) awsfake.Key {
	t.Helper()
	k, err := f.AddAccessKey(acct, user)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAgainstAWSFake(t *testing.T) {
	fake := newFake(t)
	live := mustKey(t, fake, "deploy")
	inactive := mustKey(t, fake, "old")
	if err := fake.SetKeyStatus(inactive.ID, awsfake.StatusInactive); err != nil {
		t.Fatal(err)
	}
	deleted := mustKey(t, fake, "gone")
	if err := fake.DeleteKey(deleted.ID); err != nil {
		t.Fatal(err)
	}
	sess, err := fake.IssueSession(live.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	g := testkeys.New(99)
	expID, expSecret, expToken := g.KeyID("ASIA", 111122223333), g.Secret(), g.SessionToken()
	expired, err := fake.PutSessionKey(acct, "deploy", expID, expSecret, expToken, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	wrong := live
	wrong.Secret = g.Secret()

	tests := []struct {
		name      string
		key       awsfake.Key
		throttle  int
		down      bool
		want      scanner.Verdict
		wantARN   string
		wantCalls int64
	}{
		{name: "live user key", key: live, want: scanner.Live, wantARN: "arn:aws:iam::111122223333:user/deploy", wantCalls: 1},
		{name: "live session key", key: sess, want: scanner.Live, wantARN: "arn:aws:iam::111122223333:user/deploy", wantCalls: 1},
		{name: "wrong secret", key: wrong, want: scanner.WrongSecret, wantCalls: 2},
		{name: "deleted", key: deleted, want: scanner.Invalid, wantCalls: 1},
		{name: "inactive", key: inactive, want: scanner.Invalid, wantCalls: 1},
		{name: "expired", key: expired, want: scanner.Expired, wantCalls: 1},
		{name: "throttled then recovered", key: live, throttle: 2, want: scanner.Live, wantARN: "arn:aws:iam::111122223333:user/deploy", wantCalls: 1},
		{name: "throttled past retries", key: live, throttle: 3, want: scanner.VerifyError, wantCalls: 1},
		{name: "endpoint down", key: live, down: true, want: scanner.VerifyError, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := counted(t, fake)
			if tt.down {
				srv.Close()
			}
			fake.Throttle("sts", tt.throttle)
			v, err := verify.New(fast(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			f := find(tt.key)
			got := v.Verify(context.Background(), &f)
			if got.Verdict != tt.want {
				t.Fatalf("verdict = %q (%s), want %q", got.Verdict, got.Error, tt.want)
			}
			if got.ARN != tt.wantARN {
				t.Errorf("ARN = %q, want %q", got.ARN, tt.wantARN)
			}
			if tt.want == scanner.Live && (got.AccountID != acct || got.UserID == "") {
				t.Errorf("live verification incomplete: %+v", got)
			}
			if tt.want == scanner.VerifyError && got.Error == "" {
				t.Errorf("error verdict without a message")
			}
			if c := v.Stats().Calls; c != tt.wantCalls {
				t.Errorf("verifier calls = %d, want %d", c, tt.wantCalls)
			}
			if !tt.down {
				wantHTTP := tt.wantCalls + int64(tt.throttle)
				if tt.throttle >= 3 {
					wantHTTP = 3 // the SDK's three attempts, all throttled
				}
				if n.Load() != wantHTTP {
					t.Errorf("HTTP requests = %d, want %d", n.Load(), wantHTTP)
				}
			}
			for _, s := range []string{tt.key.Secret, tt.key.SessionToken} {
				if s != "" && strings.Contains(got.Error, s) {
					t.Errorf("error message carries a secret")
				}
			}
		})
	}
}

// The SDK's signer caches signing keys by key ID: trying a wrong secret
// and then the right one for the same ID must still find the live one.
func TestAgainstAWSFakeCandidates(t *testing.T) {
	fake := newFake(t)
	live := mustKey(t, fake, "deploy")
	srv, n := counted(t, fake)
	v, err := verify.New(fast(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	g := testkeys.New(5)
	f := find(live)
	f.Secret, f.Candidates = scanner.Secret(g.Secret()), []scanner.Secret{scanner.Secret(live.Secret)}
	got := v.Verify(context.Background(), &f)
	if got.Verdict != scanner.Live || f.Secret.Reveal() != live.Secret {
		t.Fatalf("verdict = %+v, secret promoted = %v; want live and promoted", got, f.Secret.Reveal() == live.Secret)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d, want 3 (wrong, its retry, live)", n.Load())
	}
}

func TestAgainstAWSFakeCache(t *testing.T) {
	fake := newFake(t)
	var fs []scanner.Finding
	for _, u := range []string{"a", "b", "c"} {
		k := mustKey(t, fake, u)
		fs = append(fs, find(k), find(k)) // each pair twice
	}
	srv, n := counted(t, fake)
	cfg := fast(srv.URL)
	cfg.CachePath = t.TempDir() + "/cache/verify.json"
	v, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyAll(context.Background(), fs, nil); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d, want one per pair (3)", n.Load())
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	// A second run reads the on-disk cache: no request at all.
	v2, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	again := append([]scanner.Finding(nil), fs...)
	for i := range again {
		again[i].Verification = scanner.Verification{}
	}
	if err := v2.VerifyAll(context.Background(), again, nil); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("requests after a cached run = %d, want still 3", n.Load())
	}
	for i, f := range again {
		if f.Verification.Verdict != scanner.Live || f.Verification.ARN == "" {
			t.Errorf("finding %d from cache: %+v", i, f.Verification)
		}
	}
}

func TestAgainstAWSFakeUserConfig(t *testing.T) {
	fake := newFake(t)
	found := mustKey(t, fake, "leaked")
	mine := mustKey(t, fake, "responder") // the user's own credentials
	srv, n := counted(t, fake)
	decoy, decoyN := counted(t, http.NotFoundHandler())

	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_ACCESS_KEY_ID", mine.ID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", mine.Secret)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_IAM", decoy.URL)
	t.Setenv("AWS_REGION", "eu-west-3")
	uc, err := verify.LoadUserConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg := fast("")
	cfg.UserConfig = &uc
	v, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := find(found)
	if got := v.Verify(context.Background(), &f); got.Verdict != scanner.Live || !strings.HasSuffix(got.ARN, ":user/leaked") {
		t.Fatalf("verdict = %+v, want live as user/leaked", got)
	}
	if n.Load() != 1 || decoyN.Load() != 0 {
		t.Errorf("requests: endpoint %d (want 1), decoy %d (want 0)", n.Load(), decoyN.Load())
	}
	if k, _ := fake.Key(mine.ID); !k.LastUsed.IsZero() {
		t.Errorf("the user's own key was used to sign")
	}
	if k, _ := fake.Key(found.ID); k.LastUsed.IsZero() {
		t.Errorf("the found key was not used")
	}

	t.Run("explicit endpoint wins", func(t *testing.T) {
		other, otherN := counted(t, fake)
		cfg.Endpoint = other.URL
		v, err := verify.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		f := find(found)
		if got := v.Verify(context.Background(), &f); got.Verdict != scanner.Live {
			t.Fatalf("verdict = %+v", got)
		}
		if otherN.Load() != 1 || n.Load() != 1 {
			t.Errorf("requests: explicit %d (want 1), env endpoint %d (want still 1)", otherN.Load(), n.Load())
		}
	})
}

// BenchmarkVerify measures verification throughput against awsfake at the
// default concurrency (4) with the rate limit off (at the default rate the
// figure is the rate, DefaultRate): each op verifies one distinct live pair
// (no cache hits). pairs/s is the figure to report.
func BenchmarkVerify(b *testing.B) {
	for _, bc := range []struct {
		name string
		rate float64
	}{{"unlimited", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			fake := newFake(b)
			fs := make([]scanner.Finding, b.N)
			for i := range fs {
				fs[i] = find(mustKey(b, fake, fmt.Sprintf("u%d", i)))
			}
			srv, _ := counted(b, fake)
			cfg := fast(srv.URL)
			cfg.Rate = bc.rate
			v, err := verify.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			if err := v.VerifyAll(context.Background(), fs, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pairs/s")
			for i := range fs {
				if fs[i].Verification.Verdict != scanner.Live {
					b.Fatalf("finding %d: %+v", i, fs[i].Verification)
				}
			}
		})
	}
}
