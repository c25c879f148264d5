// Package revoke runs the response playbook for a leaked AWS access key with
// the responder's own credentials (never the leaked key): find the owner,
// contain, investigate with CloudTrail, rotate, and write the incident report.
//
// Every mutating call goes through one path: it is described as an Action,
// shown and not made under DryRun, confirmed through Options.Confirm,
// recorded in the incident's Journal before the call and its outcome after.
// Steps check AWS's state before they act, so running one twice changes
// nothing the second time, and a run killed half-way resumes from the
// journal. No SDK type crosses the package boundary: results are plain Go
// values, safe to hand to a TUI or to encode as JSON.
package revoke

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultOrgRole is the role assumed in member accounts of an organization.
const DefaultOrgRole = "OrganizationAccountAccessRole"

// Options configure a Responder. The zero value is usable: no journal
// directory means steps that mutate refuse to run (they need a journal),
// a nil Confirm approves every action (the caller has confirmed already).
type Options struct {
	// JournalDir holds one journal per incident (file KEYID.jsonl, 0600).
	JournalDir string
	// DryRun describes every mutating call (Outcome.State Planned) and makes none.
	DryRun bool
	// Confirm is asked before each mutating call; false declines it.
	// It is called from the goroutine running the step.
	Confirm func(ctx context.Context, a Action) (bool, error)
	// Org searches the member accounts of the responder's AWS Organization
	// when the key is not in the responder's own account.
	Org bool
	// OrgRole is the role assumed in member accounts (default DefaultOrgRole).
	OrgRole string
	// Stdout receives a new secret for the stdout sink (default os.Stdout).
	Stdout io.Writer
	// Getenv reads the environment (default os.Getenv): AWS_SHARED_CREDENTIALS_FILE, HOME.
	Getenv func(string) string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Responder runs the playbook. Its methods are safe for concurrent use on
// different keys; two concurrent steps on the same key share its journal
// file and must not overlap.
type Responder struct {
	opts   Options
	own    *account
	sts    stsAPI
	org    orgAPI
	assume func(ctx context.Context, accountID string) (*account, error)
	region string // default region of cfg

	mu      sync.Mutex
	ownID   string              // responder's account, resolved lazily
	members map[string]*account // assumed member accounts
}

// New returns a Responder acting with cfg's credentials (the responder's,
// from the default chain, a profile or SSO). Endpoints and retries come from
// cfg as usual (AWS_ENDPOINT_URL_IAM etc.); throttling is retried by the
// SDK's standard retryer.
func New(cfg aws.Config, opts Options) *Responder {
	r := newResponder(opts)
	r.region = cfg.Region
	r.own = accountFromConfig(cfg, "", "")
	stsc := sts.NewFromConfig(cfg)
	r.sts = stsc
	r.org = organizations.NewFromConfig(cfg)
	r.assume = func(ctx context.Context, id string) (*account, error) {
		arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOf(cfg.Region), id, r.opts.OrgRole)
		c := cfg.Copy()
		c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsc, arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "keysweep-respond"
		}))
		if _, err := c.Credentials.Retrieve(ctx); err != nil {
			return nil, classify("sts:AssumeRole", id, fmt.Errorf("assume %s: %w", arn, err))
		}
		return accountFromConfig(c, id, arn), nil
	}
	return r
}

func newResponder(opts Options) *Responder {
	if opts.OrgRole == "" {
		opts.OrgRole = DefaultOrgRole
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Responder{opts: opts}
}

func accountFromConfig(cfg aws.Config, id, role string) *account {
	trail := func(region string) cloudtrailAPI {
		return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
			if region != "" {
				o.Region = region
			}
		})
	}
	return &account{
		id: id, viaRole: role,
		iam:     iam.NewFromConfig(cfg),
		trail:   trail,
		secrets: secretsmanager.NewFromConfig(cfg),
	}
}

func partitionOf(region string) string {
	switch {
	case len(region) >= 3 && region[:3] == "cn-":
		return "aws-cn"
	case len(region) >= 7 && region[:7] == "us-gov-":
		return "aws-us-gov"
	}
	return "aws"
}

// DryRun reports whether the responder only describes mutating calls.
func (r *Responder) DryRun() bool { return r.opts.DryRun }

func (r *Responder) now() time.Time { return r.opts.Now().UTC() }

// openJournal opens the journal of keyID's incident.
func (r *Responder) openJournal(keyID string) (*Journal, error) {
	if r.opts.JournalDir == "" {
		return nil, ErrNoJournal
	}
	return OpenJournal(r.opts.JournalDir, keyID, r.opts.Now)
}

// journalFor opens keyID's journal for writing, or under DryRun a read-only view.
func (r *Responder) journalFor(keyID string) (*Journal, error) {
	if r.opts.DryRun {
		return peekJournal(r.opts.JournalDir, keyID)
	}
	return r.openJournal(keyID)
}
