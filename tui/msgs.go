package tui

import (
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// scanTickMsg asks the progress view to poll the scan's counters.
type scanTickMsg struct{}

// ScanDoneMsg carries the result of the scan the app started.
type ScanDoneMsg struct {
	Result scanner.Result
	Err    error
}

// VerifiedMsg carries a verdict for the finding that had Fingerprint when
// it was sent to verification. Finding is the verified copy: a verifier may
// have promoted a candidate secret (new Secret and Fingerprint).
type VerifiedMsg struct {
	Fingerprint string
	Finding     scanner.Finding
}

// OwnerMsg carries the owner lookup for a key.
type OwnerMsg struct {
	KeyID string
	Owner Owner
	Err   error
}

// JournalMsg carries the responder's journal for a key.
type JournalMsg struct {
	KeyID   string
	Entries []JournalEntry
	Err     error
}

// SnippetMsg carries the lines around location Index of a finding.
type SnippetMsg struct {
	Fingerprint string
	Index       int
	Snippet     Snippet
	Err         error
}

// ActionDoneMsg carries the outcome of a confirmed action: Result is the
// action's plain result (Containment, Investigation, Rotation, a path or
// a scanner.Verification) or nil when Err is set.
type ActionDoneMsg struct {
	Task        int // the task's sequence number; stale results are dropped
	Action      Action
	Fingerprint string
	Result      any
	Err         error
	Took        time.Duration
}

// hideSecretMsg ends a reveal started with sequence number seq.
type hideSecretMsg struct{ seq int }

// confirmedMsg is sent by the confirm screen when the responder accepts.
type confirmedMsg struct {
	action      Action
	fingerprint string
	input       string
}

// cancelConfirmMsg is sent by the confirm screen when the responder declines.
type cancelConfirmMsg struct{}
