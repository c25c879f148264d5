package awsfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// BenchmarkServeGetCallerIdentity measures the fake alone: one signed
// GetCallerIdentity handled in process (signature check, state, CloudTrail
// record), without HTTP or SDK costs.
func BenchmarkServeGetCallerIdentity(b *testing.B) {
	f := New(Options{})
	k, err := f.AddAccessKey("111122223333", "bench")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	sum := sha256.Sum256(body)
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	creds := aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = http.NoBody
		r.Body = nopCloser{bytes.NewReader(body)}
		w := httptest.NewRecorder()
		f.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
