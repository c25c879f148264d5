package tui

import (
	"context"
	"errors"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// Verifier asks AWS whether a finding's key pair is live. Verify never
// returns an error: failures are a scanner.VerifyError verdict. It is
// called from many goroutines at once and must honour ctx.
type Verifier interface {
	Verify(ctx context.Context, f *scanner.Finding) scanner.Verification
}

// Responder runs the response playbook with the responder's own
// credentials. Every method blocks, honours ctx and is called from a
// tea.Cmd goroutine, never from Update. Errors may implement Hinter.
type Responder interface {
	// Owner finds the account, user and last use of a key (read-only).
	Owner(ctx context.Context, keyID string) (Owner, error)
	// Contain deactivates the key and revokes sessions minted from it.
	Contain(ctx context.Context, keyID string) (Containment, error)
	// Investigate summarises what the key did, from CloudTrail.
	Investigate(ctx context.Context, keyID string) (Investigation, error)
	// Rotate creates a new key for the owner and delivers it to sink
	// ("file:PATH", "profile:NAME", "secretsmanager:SECRET_ID").
	Rotate(ctx context.Context, keyID, sink string) (Rotation, error)
	// DeleteOld deletes the old (leaked) key for good.
	DeleteOld(ctx context.Context, keyID string) error
	// Report returns the Markdown incident report for f's key, whose
	// detection section names target and f's locations.
	Report(ctx context.Context, f scanner.Finding, target string) (string, error)
	// Journal returns what was done to the key, oldest first.
	Journal(ctx context.Context, keyID string) ([]JournalEntry, error)
}

// Allower records a finding as a false positive in the allowlist
// (.keysweep.toml) with the reason the responder typed.
type Allower interface {
	Allow(ctx context.Context, f scanner.Finding, reason string) (path string, err error)
}

// Snippets reads the lines around a location (from the file on disk, or
// from git for a history location). Lines are returned unmasked: the app
// masks secrets before showing them.
type Snippets interface {
	Snippet(ctx context.Context, loc scanner.Location, radius int) (Snippet, error)
}

// Snippet is a window of a file: Lines[i] is line First+i.
type Snippet struct {
	First int
	Lines []string
}

// Owner is who a key belongs to.
type Owner struct {
	AccountID   string
	UserName    string
	ARN         string
	Status      string // Active, Inactive, "" when unknown
	Created     time.Time
	LastUsed    time.Time // zero: never used, or unknown
	LastService string
	LastRegion  string
	Foreign     bool   // not in the responder's account(s)
	Note        string // what to do when Foreign
}

// Containment is what Contain changed.
type Containment struct {
	Deactivated     bool     // UpdateAccessKey to Inactive was made (false: already inactive)
	SessionsRevoked bool     // the deny-older-sessions policy was attached (false: already there)
	Steps           []string // the API calls made, for people
}

// Investigation summarises a key's CloudTrail history.
type Investigation struct {
	First, Last time.Time
	Events      int
	SourceIPs   []string
	UserAgents  []string
	Regions     []string
	EventNames  []Count
	Flags       []Flag
	Eradicate   []string // what to remove, for people
	Problems    []string // regions that could not be searched, and why
	Truncated   bool     // more events exist than were read
}

// Count is an event name and how often it occurred.
type Count struct {
	Name string
	N    int
}

// Flag is one classic abuse event, with the resource it created.
type Flag struct {
	Time     time.Time
	Event    string
	Region   string
	SourceIP string
	Resource string
	Why      string
}

// Rotation is the new key and where it went. The new secret never comes
// back to the app.
type Rotation struct {
	NewKeyID  string
	Delivered string // "written to /path (0600)", "profile default", ...
}

// JournalEntry is one recorded action on a key.
type JournalEntry struct {
	Time    time.Time
	Action  string
	Outcome string
}

// Hinter is implemented by errors that carry advice for people (which
// permission is missing, what to do next).
type Hinter interface {
	Hint() string
}

// HintOf returns the hint carried by err or anything it wraps, or "".
func HintOf(err error) string {
	var h Hinter
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// ErrUnavailable is returned by adapters for a capability this build or
// configuration does not provide.
var ErrUnavailable = errors.New("not available in this build")
