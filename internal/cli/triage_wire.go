package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/revoke"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/tui"
	"github.com/keysweep/keysweep/verify"
)

// newTriageVerifier returns the STS verifier the app verifies with (the
// verification flags, as for scan --verify) and one that never answers
// from a cache, for the checks after an action.
func newTriageVerifier(ctx context.Context, opts *TriageOptions) (*verify.Verifier, tui.Verifier, func(), error) {
	vc, err := verifyConfig(ctx, opts.Scan.IO, &opts.Scan.Verify)
	if err != nil {
		return nil, nil, func() {}, err
	}
	v, err := verify.New(vc)
	if err != nil {
		return nil, nil, func() {}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("set up verification: %w", err)}
	}
	return v, freshVerifier{cfg: vc}, func() { v.Close() }, nil
}

// freshVerifier verifies with a new verify.Verifier per call, so the
// answer comes from STS and never from a cache: after containing a key,
// the app must see that it is no longer live.
type freshVerifier struct{ cfg verify.Config }

func (fv freshVerifier) Verify(ctx context.Context, f *scanner.Finding) scanner.Verification {
	cfg := fv.cfg
	cfg.CachePath = ""
	v, err := verify.New(cfg)
	if err != nil {
		return scanner.Verification{Verdict: scanner.VerifyError, Error: err.Error()}
	}
	return v.Verify(ctx, f)
}

// allowlist marks false positives in ROOT/.keysweep.toml.
type allowlist struct{ root string }

func (a allowlist) Allow(ctx context.Context, f scanner.Finding, reason string) (string, error) {
	root := a.root
	if root == "" {
		root = "."
	}
	if st, err := os.Stat(root); err == nil && !st.IsDir() {
		root = filepath.Dir(root)
	}
	path := filepath.Join(root, ".keysweep.toml")
	e := hooks.AllowEntry{Fingerprint: f.Fingerprint, Reason: reason}
	if f.Fingerprint == "" {
		e = hooks.AllowEntry{KeyID: f.KeyID, Reason: reason}
	}
	if err := hooks.AppendAllow(path, e); err != nil {
		return "", fmt.Errorf("mark false positive: %w", err)
	}
	return path, nil
}

// awsConfig is the SDK configuration the responder acts with.
type awsConfig = aws.Config

// responder adapts revoke.Responder to the app's interface. The AWS
// configuration is loaded on first use, so a responder without
// credentials sees the error in place, not at start.
type responder struct {
	journalDir string
	regions    []string // CloudTrail regions searched; nil: revoke's default
	load       func(ctx context.Context) (awsConfig, error)

	mu  sync.Mutex
	r   *revoke.Responder
	err error
}

// newTriageResponder returns the app's responder; cfg, when not nil, is
// the AWS configuration to act with (the demo), else the default chain
// with --profile and --region.
func newTriageResponder(opts *TriageOptions, cfg *aws.Config) *responder {
	dir := opts.JournalDir
	if dir == "" {
		getenv := os.Getenv
		if opts.Scan.IO != nil && opts.Scan.IO.Getenv != nil {
			getenv = opts.Scan.IO.Getenv
		}
		dir = defaultJournalDir(getenv) // the journals `keysweep respond` keeps
	}
	load := func(ctx context.Context) (awsConfig, error) { return loadQuietConfig(ctx, opts.Profile, opts.Region) }
	if cfg != nil {
		c := *cfg
		load = func(context.Context) (awsConfig, error) { return c, nil }
	}
	return &responder{journalDir: dir, load: load}
}

// loadQuietConfig loads the responder's configuration as 'keysweep
// respond' does (--profile, --region, the default chain), with every SDK
// log discarded: the app owns the terminal, and a credential provider's
// warning would be drawn over it.
func loadQuietConfig(ctx context.Context, profile, region string) (awsConfig, error) {
	lo := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{}), config.WithClientLogMode(0)}
	if profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		lo = append(lo, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err == nil && cfg.Region == "" {
		cfg.Region = "us-east-1" // IAM, STS and Organizations are global
	}
	return cfg, err
}

func (p *responder) get(ctx context.Context) (*revoke.Responder, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.r == nil && p.err == nil {
		cfg, err := p.load(ctx)
		if err != nil {
			p.err = &hinted{err: fmt.Errorf("load responder AWS config: %w", err),
				hint: "set --profile/--region or AWS_PROFILE; 'aws sso login' for SSO profiles"}
			return nil, p.err
		}
		// The SDK must not write to the terminal the app is drawing on.
		cfg.Logger = logging.Nop{}
		cfg.ClientLogMode = 0
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, err = cfg.Credentials.Retrieve(cctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err() // cancelled: ask again next time
			}
			p.err = &hinted{err: fmt.Errorf("no responder AWS credentials: %w", err),
				hint: "start triage with your own credentials (--profile, AWS_PROFILE, SSO or environment), never the leaked key"}
			return nil, p.err
		}
		p.r = revoke.New(cfg, revoke.Options{JournalDir: p.journalDir, Stdout: io.Discard})
	}
	return p.r, p.err
}

func (p *responder) Owner(ctx context.Context, keyID string) (tui.Owner, error) {
	r, err := p.get(ctx)
	if err != nil {
		return tui.Owner{}, err
	}
	o, err := r.Owner(ctx, keyID)
	if err != nil {
		return tui.Owner{}, withHint(err)
	}
	return toOwner(o), nil
}

func toOwner(o revoke.Owner) tui.Owner {
	return tui.Owner{AccountID: o.AccountID, UserName: o.UserName, Status: o.Status, Created: o.Created,
		LastUsed: o.LastUsed, LastService: o.LastService, LastRegion: o.LastRegion,
		Foreign: !o.Ours, Note: strings.Join(o.Advice, " ")}
}

func (p *responder) Contain(ctx context.Context, keyID string) (tui.Containment, error) {
	r, err := p.get(ctx)
	if err != nil {
		return tui.Containment{}, err
	}
	c, err := r.Contain(ctx, keyID, revoke.ContainOptions{})
	if err != nil {
		return tui.Containment{}, withHint(err)
	}
	var out tui.Containment
	for _, o := range c.Outcomes {
		out.Steps = append(out.Steps, fmt.Sprintf("%s: %s", o.Action.Operation, o.State))
		switch o.Action.ID {
		case "contain/deactivate":
			out.Deactivated = o.State == revoke.Done
		case "contain/revoke-sessions":
			out.SessionsRevoked = o.State == revoke.Done
		}
	}
	return out, nil
}

func (p *responder) Rotate(ctx context.Context, keyID, sink string) (tui.Rotation, error) {
	s, err := revoke.ParseSink(sink)
	if err != nil || s.Kind == revoke.SinkStdout {
		return tui.Rotation{}, &hinted{err: fmt.Errorf("rotate: bad sink %q", sink),
			hint: "in triage the new key goes to file:PATH, profile:NAME or secretsmanager:SECRET_ID"}
	}
	r, err := p.get(ctx)
	if err != nil {
		return tui.Rotation{}, err
	}
	rot, err := r.Rotate(ctx, keyID, revoke.RotateOptions{Sink: s, KeepOld: true})
	if err != nil {
		return tui.Rotation{}, withHint(err)
	}
	return tui.Rotation{NewKeyID: rot.NewKeyID, Delivered: "delivered to " + rot.Sink}, nil
}

func (p *responder) DeleteOld(ctx context.Context, keyID string) error {
	r, err := p.get(ctx)
	if err != nil {
		return err
	}
	_, err = r.DeleteOld(ctx, keyID, revoke.DeleteOptions{})
	return withHint(err)
}

func (p *responder) Journal(ctx context.Context, keyID string) ([]tui.JournalEntry, error) {
	if p.journalDir == "" {
		return nil, nil
	}
	es, err := revoke.ReadJournal(revoke.JournalPath(p.journalDir, keyID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var out []tui.JournalEntry
	for _, e := range es {
		if e.Kind != revoke.KindOutcome || e.Action == nil {
			continue
		}
		what := string(e.State)
		if e.Detail != "" {
			what += ": " + e.Detail
		}
		if e.Error != "" {
			what += ": " + e.Error
		}
		out = append(out, tui.JournalEntry{Time: e.Time, Action: e.Action.Operation, Outcome: what})
	}
	return out, nil
}

// hinted is an error with a hint line, for the app to show in place.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }
func (h *hinted) Hint() string  { return h.hint }

// withHint attaches advice to the playbook's typed errors.
func withHint(err error) error {
	if err == nil {
		return nil
	}
	var de *revoke.DeniedError
	var ce *revoke.CredentialsError
	switch {
	case errors.As(err, &de):
		h := "your credentials lack " + de.Permission
		if de.Account != "" {
			h += " in account " + de.Account
		}
		return &hinted{err: err, hint: h + "; the minimal responder policy is in " + revoke.PolicyDoc}
	case errors.As(err, &ce):
		return &hinted{err: err, hint: "AWS rejected your own (responder) credentials: check --profile, AWS_PROFILE, or 'aws sso login'"}
	case errors.Is(err, revoke.ErrNotOurs):
		return &hinted{err: err, hint: "report the key to its owner and to AWS (abuse@amazonaws.com); you cannot contain it"}
	case errors.Is(err, revoke.ErrOnlyActiveKey):
		return &hinted{err: err, hint: "rotate first (r), so the user has another active key, or use 'keysweep respond delete --force'"}
	case errors.Is(err, revoke.ErrKeyNotFound):
		return &hinted{err: err, hint: "the key is already deleted, or lives in another account"}
	case errors.Is(err, revoke.ErrTemporaryKey):
		return &hinted{err: err, hint: "contain the role or user that minted the session instead"}
	}
	return err
}
