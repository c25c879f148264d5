package awsfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestCheckSignatureAgainstSDKSigner signs awkward requests with the SDK's
// own signer and checks that the server side recomputes the same
// signature, and a different one for any tampering.
func TestCheckSignatureAgainstSDKSigner(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	type verdict struct{ ok, okTampered bool }
	got := make(chan verdict, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, err := parseAuth(r)
		if err != nil {
			t.Errorf("parse auth: %v", err)
		}
		v := verdict{ok: checkSignature(r, body, a, secret)}
		v.okTampered = checkSignature(r, append(body, 'x'), a, secret)
		got <- v
	}))
	defer srv.Close()

	tests := []struct {
		name, method, path, query, body string
		header                          map[string]string
	}{
		{"query POST", "POST", "/", "", "Action=GetCallerIdentity&Version=2011-06-15", map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}},
		{"json with target", "POST", "/", "", `{"MaxResults":1}`, map[string]string{"X-Amz-Target": "CloudTrail_20131101.LookupEvents", "Content-Type": "application/x-amz-json-1.1"}},
		{"sorted repeated query", "GET", "/", "b=2&a=3&a=1&c=x%20y", "", nil},
		{"escaped path", "GET", "/a%20b/c%2Fd/ü", "", "", nil},
		{"spaces in header values", "POST", "/", "", "x", map[string]string{"X-Amz-Meta": "  a   b  c "}},
		{"session token", "POST", "/", "", "x", map[string]string{"X-Amz-Security-Token": "IQoJtoken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := srv.URL + tt.path
			if tt.query != "" {
				u += "?" + tt.query
			}
			req, err := http.NewRequest(tt.method, u, bytes.NewReader([]byte(tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			sum := sha256.Sum256([]byte(tt.body))
			creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: secret}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			v := <-got
			if !v.ok {
				t.Error("signature by the SDK signer rejected")
			}
			if v.okTampered {
				t.Error("tampered body accepted")
			}
		})
	}
}

func TestParseAuth(t *testing.T) {
	tests := []struct {
		name, header string
		ok           bool
	}{
		{"valid", "AWS4-HMAC-SHA256 Credential=AKIAX/20261127/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", true},
		{"other algorithm", "AWS4-ECDSA-P256-SHA256 Credential=AKIAX/20261127/sts/aws4_request, SignedHeaders=host, Signature=abc", false},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKIAX/20261127/sts/aws4_request, SignedHeaders=host, Signature=abc", false},
		{"no signature", "AWS4-HMAC-SHA256 Credential=AKIAX/20261127/us-east-1/sts/aws4_request, SignedHeaders=host", false},
		{"junk", "AWS4-HMAC-SHA256 ,,,", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("Authorization", tt.header)
			_, err := parseAuth(r)
			if (err == nil) != tt.ok {
				t.Errorf("parseAuth err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestDecodeAccount(t *testing.T) {
	f := New(Options{Seed: 9})
	for _, acct := range []uint64{111122223333, 999999999999, 100000000000} {
		id := f.gen.KeyID("AKIA", acct)
		got, ok := decodeAccount(id)
		if !ok || got != fmt.Sprintf("%012d", acct) {
			t.Errorf("decodeAccount(%s) = %s %v, want %d", id, got, ok, acct)
		}
	}
	if _, ok := decodeAccount("AKIA0000000000000000"); ok {
		t.Error("non-base32 ID decoded")
	}
}
