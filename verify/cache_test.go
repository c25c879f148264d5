package verify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

func TestDiskCache(t *testing.T) {
	g := testkeys.New(20)
	live, liveSecret := g.AccessKeyID(), g.Secret()
	unknown, unknownSecret := g.AccessKeyID(), g.Secret()
	flaky, flakySecret := g.AccessKeyID(), g.Secret()
	stub, srv := newSTSStub(t)
	stub.add(live, stubKey{secret: liveSecret, account: "111122223333", arn: "arn:aws:iam::111122223333:user/e", userID: "AIDAE"})
	stub.add(flaky, stubKey{secret: flakySecret, account: "1", arn: "a", userID: "u"})

	path := filepath.Join(t.TempDir(), "sub", "cache.json")
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	cfg := fastConfig(srv.URL)
	cfg.CachePath, cfg.CacheTTL = path, time.Hour
	cfg.Now = func() time.Time { return now }

	run := func(t *testing.T) []scanner.Finding {
		t.Helper()
		v := newVerifier(t, cfg)
		fs := []scanner.Finding{finding(live, liveSecret), finding(unknown, unknownSecret), finding(flaky, flakySecret)}
		if err := v.VerifyAll(context.Background(), fs, nil); err != nil {
			t.Fatal(err)
		}
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
		return fs
	}

	stub.mu.Lock()
	stub.throttle = 3 // the flaky pair gets an error verdict, which is not kept
	stub.mu.Unlock()
	// Verify the flaky pair first so that it eats the throttling.
	v := newVerifier(t, cfg)
	f := finding(flaky, flakySecret)
	if got := v.Verify(context.Background(), &f); got.Verdict != scanner.VerifyError {
		t.Fatalf("flaky verdict %+v, want error", got)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	before := stub.requests.Load()
	fs := run(t)
	if n := stub.requests.Load() - before; n != 3 {
		t.Errorf("requests = %d, want 3 (the error verdict was not kept)", n)
	}
	if fs[0].Verification.Verdict != scanner.Live || fs[1].Verification.Verdict != scanner.Invalid || fs[2].Verification.Verdict != scanner.Live {
		t.Fatalf("verdicts: %v %v %v", fs[0].Verification, fs[1].Verification, fs[2].Verification)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %o, want 600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	for _, s := range []string{liveSecret, unknownSecret, flakySecret} {
		if strings.Contains(string(b), s) {
			t.Fatalf("cache file holds a secret")
		}
	}
	var cf cacheFile
	if err := json.Unmarshal(b, &cf); err != nil || len(cf.Entries) != 3 {
		t.Fatalf("cache file: %v, %d entries, want 3", err, len(cf.Entries))
	}

	t.Run("fresh entries answer without a call", func(t *testing.T) {
		before := stub.requests.Load()
		now = now.Add(59 * time.Minute)
		fs := run(t)
		if n := stub.requests.Load() - before; n != 0 {
			t.Errorf("requests = %d, want 0", n)
		}
		if fs[0].Verification.ARN != "arn:aws:iam::111122223333:user/e" || fs[1].Verification.Verdict != scanner.Invalid {
			t.Errorf("cached verdicts: %+v %+v", fs[0].Verification, fs[1].Verification)
		}
	})
	t.Run("stale entries are asked again", func(t *testing.T) {
		before := stub.requests.Load()
		now = now.Add(2 * time.Hour)
		run(t)
		if n := stub.requests.Load() - before; n != 3 {
			t.Errorf("requests = %d, want 3", n)
		}
	})
}

func TestDiskCacheDamaged(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", "{{{", "read verify cache"},
		{"future version", `{"version": 9, "entries": {}}`, "unsupported version 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.json")
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := fastConfig("http://127.0.0.1:1")
			cfg.CachePath = path
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error with %q", err, tt.want)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.body {
				t.Errorf("damaged cache was changed")
			}
		})
	}
}
