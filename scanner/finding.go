package scanner

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// KeyType says what kind of credential a key ID names.
type KeyType string

// Key types as they appear in reports.
const (
	AccessKey  KeyType = "access-key"  // long-term: AKIA, ABIA, ACCA, A3T…
	SessionKey KeyType = "session-key" // temporary STS credentials: ASIA
)

// TypeOf returns the key type of a key ID by its prefix.
func TypeOf(keyID string) KeyType {
	if len(keyID) >= 4 && keyID[:4] == "ASIA" {
		return SessionKey
	}
	return AccessKey
}

// Verdict is the result of asking AWS whether a key pair is live.
type Verdict string

// Verdicts. Unverified is the zero meaning: nobody asked AWS yet.
const (
	Unverified  Verdict = "unverified"
	Live        Verdict = "live"
	WrongSecret Verdict = "wrong-secret" // the key ID exists, the secret is not its secret
	Invalid     Verdict = "invalid"      // unknown, deleted or inactive key ID
	Expired     Verdict = "expired"      // session credentials past their expiry
	VerifyError Verdict = "error"        // network, throttling, anything unclassified
)

// Verification is what STS said about a finding's key pair.
type Verification struct {
	Verdict    Verdict
	VerifiedAt time.Time
	AccountID  string // from STS, when live
	ARN        string
	UserID     string
	Error      string // for VerifyError: what went wrong, for people
}

// Location is one place a credential was seen. Path and Line always point at
// the original file or blob, even when the key was found in a decoded view
// (then Encoding names the decoding chain, e.g. "base64" or "zip>gzip").
type Location struct {
	Repo     string    // repository name for sweeps, "" for a single target
	Path     string    // file path relative to the scan root, or path in the commit tree
	Member   string    // path inside an archive ("dir/app.jar!conf/a.properties"), "" otherwise
	Line     int       // 1-based line of the key ID in the original file
	Column   int       // 1-based byte column of the key ID
	Commit   string    // commit that introduced it (history scans)
	Author   string    // commit author name
	Email    string    // commit author email
	Date     time.Time // commit author date; zero when unknown
	Encoding string    // "" for plain text, else the decoding chain
	Kind     string    // "file", "blob", "commit-message", "tag-message", "staged", "gist", "comment"
	InHead   bool      // still present at HEAD of the default branch
	URL      string    // link to the line on the hosting service, when known
}

// Finding is one credential: a key ID and the secret paired with it (or the
// ID alone when no secret was found near it), with every place it was seen.
type Finding struct {
	Fingerprint  string // Fingerprint(KeyID, Secret): ties allowlists, baselines, journals
	KeyID        string
	KeyType      KeyType
	Secret       Secret   // best-paired secret, "" when none
	Candidates   []Secret // other plausible secrets for KeyID, best first; never reported
	SessionToken Secret
	AccountID    string // decoded offline from the key ID, or from STS
	Canary       bool   // account belongs to a known canary-token service
	Example      bool   // AWS documentation example key
	Verification Verification
	Status       string // sweep state: "new", "known", "removed"; "" outside sweeps
	Locations    []Location
}

// InHead reports whether any location is still present at HEAD.
func (f *Finding) InHead() bool {
	for _, l := range f.Locations {
		if l.InHead {
			return true
		}
	}
	return false
}

// Fingerprint returns the stable identifier of a credential: the first 32
// hex digits of SHA-256 over the key ID and the secret. It reveals neither
// the secret nor, without the secret, anything that helps guess it.
func Fingerprint(keyID string, secret Secret) string {
	h := sha256.New()
	h.Write([]byte(keyID))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// UnitError is a failure confined to one unit of work (a file, a blob, a
// repository): the scan goes on and the report lists it.
type UnitError struct {
	Unit string
	Err  string
}

// Stats counts the work a scan did.
type Stats struct {
	Files    int64 // files or blobs scanned
	Bytes    int64
	Duration time.Duration
}

// Result is everything a scan produced. Findings are sorted by Fingerprint
// after Collector.Result; Notes carry facts a reader needs ("shallow clone",
// "submodule vendor/x not followed", "Git LFS pointer big.bin").
type Result struct {
	Target      string
	Findings    []Finding
	Errors      []UnitError
	Notes       []string
	Stats       Stats
	Interrupted bool // the scan was cancelled; Findings are complete for what was scanned
}
