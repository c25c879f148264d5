package awsfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
)

// Options configures a Fake. The zero value is usable.
type Options struct {
	// Now is the fake's clock: key creation, last-used times, session
	// expiry and CloudTrail event times. Default time.Now.
	Now func() time.Time
	// Seed seeds the generator of key IDs, secrets and tokens (default 1),
	// so a run can be replayed.
	Seed uint64
	// MaxSkew, when positive, rejects requests whose X-Amz-Date is further
	// than this from Now with SignatureDoesNotMatch ("Signature expired"),
	// as AWS does at 15 minutes. Zero (the default) skips the check, so
	// tests may move Now freely.
	MaxSkew time.Duration
	// MaxBody caps request bodies (default 1 MiB); larger requests get a
	// 413 error without being read further.
	MaxBody int64
}

// Fake is a local AWS endpoint for STS, IAM, CloudTrail, Organizations and
// Secrets Manager. It is an http.Handler; Start serves it on a loopback
// port. All methods are safe for concurrent use, also while serving.
type Fake struct {
	// URL is the base URL ("http://127.0.0.1:PORT") once Start has run.
	URL string

	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	gen      *testkeys.Gen
	seq      uint64
	accounts map[string]*account
	keys     map[string]*Key
	events   []*Event
	org      *organization
	throttle map[string]int
	deny     map[string]map[string]bool
	calls    map[string]int
}

// New returns a Fake with no accounts.
func New(opts Options) *Fake {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	return &Fake{
		opts:     opts,
		gen:      testkeys.New(opts.Seed),
		accounts: map[string]*account{},
		keys:     map[string]*Key{},
		throttle: map[string]int{},
		deny:     map[string]map[string]bool{},
		calls:    map[string]int{},
	}
}

// Start serves f on a new loopback listener and sets f.URL. Call Close
// when done; closing is also how a test simulates AWS being unreachable.
func (f *Fake) Start() {
	f.srv = httptest.NewServer(f)
	f.URL = f.srv.URL
}

// Close stops the server started by Start, waiting for requests in flight.
func (f *Fake) Close() {
	if f.srv != nil {
		f.srv.Close()
	}
}

// Throttle makes the next n requests to service ("sts", "iam",
// "cloudtrail", "organizations", "secretsmanager") fail with that
// service's throttling error (Throttling, ThrottlingException or
// TooManyRequestsException, HTTP 400), which the SDK retries. Throttled
// requests are authenticated first but not recorded in CloudTrail.
func (f *Fake) Throttle(service string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle[service] += n
}

// Deny makes principalARN's calls of action (e.g. "iam:UpdateAccessKey")
// fail with AccessDenied. principalARN is a user ARN, a role ARN (denying
// every session of the role) or an assumed-role session ARN. No IAM
// policy is evaluated otherwise: every other call is allowed.
func (f *Fake) Deny(principalARN, action string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deny[principalARN] == nil {
		f.deny[principalARN] = map[string]bool{}
	}
	f.deny[principalARN][action] = true
}

// Calls returns how many requests service has received, authenticated or
// not (service as named in the signature scope, or "unknown").
func (f *Fake) Calls(service string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[service]
}

// nextIDLocked returns a fresh request/event ID. f.mu held.
func (f *Fake) nextIDLocked() string {
	f.seq++
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", f.seq, f.opts.Seed&0xffff, f.seq>>12&0xfff, f.seq&0xfff, f.seq*0x9e3779b1)
}

// ServeHTTP answers one AWS API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.serve(w, r)
}

var _ http.Handler = (*Fake)(nil)
