package verify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stsStub is a small STS for unit tests: it checks SigV4 signatures over the
// signed headers against the secrets it holds and answers GetCallerIdentity
// in the AWS Query protocol. Scripted faults (throttling, false signature
// mismatches, delays) let tests reach every verdict quickly. The end-to-end
// tests use internal/awsfake instead.
type stsStub struct {
	mu        sync.Mutex
	keys      map[string]stubKey
	throttle  int            // the next n requests answer Throttling (HTTP 400)
	mismatch  map[string]int // key ID → next n requests answer SignatureDoesNotMatch
	status500 bool           // every request answers InternalFailure (HTTP 500)
	delay     time.Duration  // every request waits this long first

	requests atomic.Int64
	inflight atomic.Int64
	maxIn    atomic.Int64
	seen     sync.Map // key IDs seen in Authorization headers → struct{}
}

type stubKey struct {
	secret   string
	token    string // session keys
	account  string
	arn      string
	userID   string
	inactive bool
	expired  bool
}

func newSTSStub(t *testing.T) (*stsStub, *httptest.Server) {
	t.Helper()
	s := &stsStub{keys: make(map[string]stubKey), mismatch: make(map[string]int)}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *stsStub) add(id string, k stubKey) {
	s.mu.Lock()
	s.keys[id] = k
	s.mu.Unlock()
}

func (s *stsStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		m := s.maxIn.Load()
		if n <= m || s.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	delay, fail := s.delay, s.status500
	throttled := s.throttle > 0
	if throttled {
		s.throttle--
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != "GetCallerIdentity" {
		stubError(w, 400, "InvalidAction", "unsupported action")
		return
	}
	switch {
	case fail:
		stubError(w, 500, "InternalFailure", "internal failure")
		return
	case throttled:
		stubError(w, 400, "Throttling", "Rate exceeded")
		return
	}
	code, k := s.authenticate(r, body)
	if code != "" {
		stubError(w, 403, code, "stub says "+code)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		k.arn, k.userID, k.account)
}

// authenticate returns "" and the key when the request is signed by a known
// active key, else the AWS error code.
func (s *stsStub) authenticate(r *http.Request, body []byte) (string, stubKey) {
	auth := r.Header.Get("Authorization")
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	scope := strings.SplitN(fields["Credential"], "/", 2)
	if len(scope) != 2 {
		return "MissingAuthenticationToken", stubKey{}
	}
	id := scope[0]
	s.seen.Store(id, struct{}{})
	s.mu.Lock()
	k, ok := s.keys[id]
	forced := s.mismatch[id] > 0
	if forced {
		s.mismatch[id]--
	}
	s.mu.Unlock()
	switch {
	case !ok || k.inactive:
		return "InvalidClientTokenId", k
	case k.token != "" && r.Header.Get("X-Amz-Security-Token") != k.token:
		return "InvalidClientTokenId", k
	case forced || sigV4(r, body, k.secret, scope[1], fields["SignedHeaders"]) != fields["Signature"]:
		return "SignatureDoesNotMatch", k
	case k.expired:
		return "ExpiredToken", k
	}
	return "", k
}

// sigV4 computes the SigV4 signature of r (headers named in signed) with secret.
func sigV4(r *http.Request, body []byte, secret, scope, signed string) string {
	var canon strings.Builder
	names := strings.Split(signed, ";")
	sort.Strings(names)
	for _, h := range names {
		v := r.Header.Get(h)
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = fmt.Sprint(r.ContentLength)
		}
		fmt.Fprintf(&canon, "%s:%s\n", h, strings.TrimSpace(v))
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	sum := sha256.Sum256(body)
	creq := strings.Join([]string{r.Method, path, r.URL.RawQuery, canon.String(), signed, hex.EncodeToString(sum[:])}, "\n")
	csum := sha256.Sum256([]byte(creq))
	date := r.Header.Get("X-Amz-Date")
	sts := "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex.EncodeToString(csum[:])
	parts := strings.Split(scope, "/") // date/region/service/aws4_request
	if len(parts) != 4 {
		return ""
	}
	key := []byte("AWS4" + secret)
	for _, p := range parts {
		key = hmacSHA256(key, p)
	}
	return hex.EncodeToString(hmacSHA256(key, sts))
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func stubError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>stub</RequestId></ErrorResponse>`, code, msg)
}
