package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
	"github.com/muesli/termenv"
)

// fixedNow is the clock of every test.
var fixedNow = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

// keys are the fixture credentials, generated from a fixed seed.
type keys struct {
	liveID, liveSecret   string
	wrongID, wrongSecret string
	goneID, goneSecret   string
}

func fixtureKeys() keys {
	g := testkeys.New(7)
	return keys{
		liveID: g.KeyID("AKIA", 123456789012), liveSecret: g.Secret(),
		wrongID: g.KeyID("AKIA", 123456789012), wrongSecret: g.Secret(),
		goneID: g.KeyID("AKIA", 210987654321), goneSecret: g.Secret(),
	}
}

// fixtureResult is a scan of a repository with three credentials and
// AWS's documented example key.
func fixtureResult(k keys) scanner.Result {
	day := func(d int) time.Time { return time.Date(2024, 3, d, 10, 0, 0, 0, time.UTC) }
	mk := func(id, secret string, locs ...scanner.Location) scanner.Finding {
		return scanner.Finding{Fingerprint: scanner.Fingerprint(id, scanner.Secret(secret)), KeyID: id,
			KeyType: scanner.AccessKey, Secret: scanner.Secret(secret),
			Verification: scanner.Verification{Verdict: scanner.Unverified}, Locations: locs}
	}
	live := mk(k.liveID, k.liveSecret,
		scanner.Location{Path: "deploy/prod.env", Line: 2, Commit: "1a2b3c4d5e6f7a8b9c0d", Author: "alice", Email: "alice@example.com", Date: day(1), Kind: "blob", InHead: true},
		scanner.Location{Path: "scripts/ci.sh", Line: 14, Commit: "2b3c4d5e6f7a8b9c0d1e", Author: "bob", Date: day(9), Kind: "blob"})
	live.AccountID = "123456789012"
	wrong := mk(k.wrongID, k.wrongSecret,
		scanner.Location{Path: "docs/setup.md", Line: 40, Commit: "3c4d5e6f7a8b9c0d1e2f", Author: "carol", Date: day(3), Kind: "blob"})
	wrong.AccountID = "123456789012"
	gone := mk(k.goneID, k.goneSecret,
		scanner.Location{Path: "old/config.yaml", Line: 7, Commit: "4d5e6f7a8b9c0d1e2f3a", Author: "dave", Date: day(5), Kind: "blob"})
	gone.AccountID = "210987654321"
	ex := mk(testkeys.ExampleKeyID, testkeys.ExampleSecret,
		scanner.Location{Path: "README.md", Line: 3, Commit: "5e6f7a8b9c0d1e2f3a4b", Author: "erin", Date: day(2), Kind: "blob", InHead: true})
	ex.Example = true
	return scanner.Result{Target: "/src/shop", Findings: []scanner.Finding{live, wrong, gone, ex}}
}

// fakeVerifier answers from a table by key ID; unknown keys are invalid.
// gate, when not nil, holds every answer until it is closed.
type fakeVerifier struct {
	mu      sync.Mutex
	verdict map[string]scanner.Verification
	calls   map[string]int
	gate    chan struct{}
}

func newFakeVerifier(k keys) *fakeVerifier {
	return &fakeVerifier{calls: map[string]int{}, verdict: map[string]scanner.Verification{
		k.liveID:  {Verdict: scanner.Live, AccountID: "123456789012", ARN: "arn:aws:iam::123456789012:user/ci-deploy", UserID: "AIDAEXAMPLEUSER"},
		k.wrongID: {Verdict: scanner.WrongSecret},
	}}
}

func (v *fakeVerifier) Verify(ctx context.Context, f *scanner.Finding) scanner.Verification {
	if v.gate != nil {
		select {
		case <-v.gate:
		case <-ctx.Done():
			return scanner.Verification{Verdict: scanner.VerifyError, Error: ctx.Err().Error()}
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls[f.KeyID]++
	res, ok := v.verdict[f.KeyID]
	if !ok {
		res = scanner.Verification{Verdict: scanner.Invalid}
	}
	res.VerifiedAt = fixedNow
	return res
}

func (v *fakeVerifier) set(id string, res scanner.Verification) {
	v.mu.Lock()
	v.verdict[id] = res
	v.mu.Unlock()
}

// fakeResponder keeps a tiny IAM: key status per ID. containErr, when set,
// is what Contain returns; block makes Contain wait for ctx.
type fakeResponder struct {
	mu         sync.Mutex
	v          *fakeVerifier
	status     map[string]string
	containErr error
	block      bool
	journal    map[string][]JournalEntry
	calls      []string
}

func newFakeResponder(v *fakeVerifier) *fakeResponder {
	return &fakeResponder{v: v, status: map[string]string{}, journal: map[string][]JournalEntry{}}
}

func (r *fakeResponder) record(keyID, action, outcome string) {
	r.calls = append(r.calls, action+" "+keyID)
	r.journal[keyID] = append(r.journal[keyID], JournalEntry{Time: fixedNow, Action: action, Outcome: outcome})
}

func (r *fakeResponder) Owner(ctx context.Context, keyID string) (Owner, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status[keyID]
	if st == "" {
		st = "Active"
	}
	return Owner{AccountID: "123456789012", UserName: "ci-deploy", Status: st,
		Created: time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC), LastUsed: time.Date(2026, 11, 26, 23, 41, 0, 0, time.UTC),
		LastService: "ec2", LastRegion: "ap-southeast-3"}, nil
}

func (r *fakeResponder) Contain(ctx context.Context, keyID string) (Containment, error) {
	if r.block {
		<-ctx.Done()
		return Containment{}, fmt.Errorf("contain %s: %w", keyID, ctx.Err())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.containErr != nil {
		return Containment{}, r.containErr
	}
	was := r.status[keyID]
	r.status[keyID] = "Inactive"
	r.record(keyID, "contain", "deactivated; sessions revoked")
	if r.v != nil {
		r.v.set(keyID, scanner.Verification{Verdict: scanner.Invalid})
	}
	return Containment{Deactivated: was != "Inactive", SessionsRevoked: was != "Inactive"}, nil
}

func (r *fakeResponder) Investigate(ctx context.Context, keyID string) (Investigation, error) {
	t := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, time.UTC) }
	return Investigation{First: t(22, 3), Last: t(23, 41), Events: 6,
		SourceIPs: []string{"203.0.113.66"}, UserAgents: []string{"aws-cli/2.15.0 Python/3.11"},
		Regions: []string{"ap-southeast-3", "us-east-1"},
		EventNames: []Count{{"AttachUserPolicy", 1}, {"CreateAccessKey", 1}, {"CreateUser", 1},
			{"GetCallerIdentity", 1}, {"ListBuckets", 1}, {"RunInstances", 1}},
		Flags: []Flag{
			{Time: t(22, 10), Event: "CreateUser", Region: "us-east-1", SourceIP: "203.0.113.66", Resource: "user/backup-svc"},
			{Time: t(22, 11), Event: "AttachUserPolicy", Region: "us-east-1", SourceIP: "203.0.113.66", Resource: "user/backup-svc", Why: "AdministratorAccess"},
			{Time: t(23, 41), Event: "RunInstances", Region: "ap-southeast-3", SourceIP: "203.0.113.66", Resource: "i-0abc123def4567890", Why: "unusual region"},
		}}, nil
}

func (r *fakeResponder) Rotate(ctx context.Context, keyID, sink string) (Rotation, error) {
	return Rotation{NewKeyID: "AKIANEWKEYFORTESTS00", Delivered: "delivered to " + sink}, nil
}

func (r *fakeResponder) DeleteOld(ctx context.Context, keyID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.record(keyID, "delete", "deleted")
	return nil
}

func (r *fakeResponder) Report(ctx context.Context, f scanner.Finding, target string) (string, error) {
	return "# Incident: " + f.KeyID + "\n\nFound in " + target + "\n", nil
}

func (r *fakeResponder) Journal(ctx context.Context, keyID string) ([]JournalEntry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]JournalEntry(nil), r.journal[keyID]...), nil
}

// accessDenied is what an adapter returns when the responder lacks a permission.
func accessDenied(op string) error {
	return &hintError{err: fmt.Errorf("%s: AccessDenied: User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: iam:UpdateAccessKey", op),
		hint: "the responder needs iam:UpdateAccessKey and iam:PutUserPolicy on the key's user; see README, \"Responder policy\""}
}

var errBoom = errors.New("boom")

// fakeAllower records what it was asked to allow.
type fakeAllower struct {
	mu      sync.Mutex
	reasons map[string]string
}

func (a *fakeAllower) Allow(ctx context.Context, f scanner.Finding, reason string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reasons == nil {
		a.reasons = map[string]string{}
	}
	a.reasons[f.Fingerprint] = reason
	return "/src/shop/.keysweep.toml", nil
}

// fakeSnippets serves fixed file contents by path.
type fakeSnippets map[string][]string

func (s fakeSnippets) Snippet(ctx context.Context, loc scanner.Location, radius int) (Snippet, error) {
	lines, ok := s[loc.Path]
	if !ok {
		return Snippet{}, fmt.Errorf("read %s: not in this checkout", loc.Path)
	}
	first := max(1, loc.Line-radius)
	last := min(len(lines), loc.Line+radius)
	return Snippet{First: first, Lines: lines[first-1 : last]}, nil
}

// asciiRenderer renders without colour, as under NO_COLOR.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	return r
}
