package scanner

// Match is one key ID found in a buffer, with the secret paired to it.
// Start and End are byte offsets of the key ID in the buffer given to Find
// (b[Start:End] == KeyID); Line and Column are 1-based.
type Match struct {
	KeyID        string
	Start, End   int
	Line, Column int
	Secret       Secret   // best-paired secret, "" when none
	Candidates   []Secret // other plausible secrets, best first
	SessionToken Secret
	Encoding     string // decoding chain for matches from decoded views ("" = plain)
	Member       string // archive member path, "" otherwise
	Example      bool   // AWS documentation example key
}

// Options is the detector's policy, fixed at construction.
type Options struct {
	IncludeExamples bool // report AWS's documented example keys (marked Example)
}

// Detector finds AWS credentials in bytes. It is safe for concurrent use.
type Detector struct {
	opts Options
}

// New returns a detector with the given policy.
func New(opts Options) *Detector { return &Detector{opts: opts} }

// Find returns the credentials in b, in order of their key IDs' offsets.
// PLACEHOLDER: the real detector replaces this.
func (d *Detector) Find(b []byte) []Match { return nil }

// AccountID decodes the AWS account ID from a key ID, offline.
// PLACEHOLDER: the real decoder replaces this.
func AccountID(keyID string) (string, bool) { return "", false }

// IsCanary reports whether account belongs to a known canary-token service.
// PLACEHOLDER: the real list replaces this.
func IsCanary(account string) bool { return false }
