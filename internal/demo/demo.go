// Package demo sets up `keysweep demo`: a throwaway git repository with
// keys planted in its history, and a local AWS (internal/awsfake) on
// loopback in which one of them is live and was used by an "attacker".
// Nothing here touches the user's AWS configuration or any real account:
// the keys are generated (internal/testkeys, via the fake) and every client
// the demo configures points at the fake's loopback URL.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/internal/testkeys"
)

// Account is the demo's AWS account (the responder's own).
const Account = "123456789012"

// Region is the responder's region in the demo.
const Region = "us-east-1"

// AttackerIP is the source address of the planted attacker events
// (TEST-NET-3, a documentation range: nobody's real address).
const AttackerIP = "203.0.113.66"

// Regions are the regions a demo investigation searches: AWS's default
// set and the opt-in region the attacker ran instances in.
func Regions() []string {
	return []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-3"}
}

// Options configure Start.
type Options struct {
	// Dir is where the repository is created; "" makes a temporary
	// directory that Close removes.
	Dir string
	// Now is the clock of the fake and of the planted history (default time.Now).
	Now func() time.Time
	// Seed makes the generated keys reproducible (default 1).
	Seed uint64
}

// Env is a running demo. Close it when done.
type Env struct {
	Repo      string        // the repository's work tree
	Fake      *awsfake.Fake // the local AWS, serving on Fake.URL
	Keys      RepoKeys      // the pairs planted in history
	Responder awsfake.Key   // the demo responder's own credentials
	tmp       string        // removed by Close when Start made it
}

// Start builds the repository and starts the local AWS.
func Start(ctx context.Context, opts Options) (*Env, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	e := &Env{}
	dir := opts.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "keysweep-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		e.tmp, dir = tmp, filepath.Join(tmp, "shop")
	}
	e.Repo = dir
	start := opts.Now().UTC().AddDate(0, -8, 0).Truncate(24 * time.Hour).Add(9 * time.Hour)
	// The keys are created in IAM a little before they leak, not today.
	var clock atomic.Pointer[time.Time]
	clock.Store(&start)
	now := opts.Now
	fakeNow := func() time.Time {
		if t := clock.Load(); t != nil {
			return *t
		}
		return now()
	}
	e.Fake = awsfake.New(awsfake.Options{Now: fakeNow, Seed: opts.Seed})
	err := e.plant(opts)
	clock.Store(nil)
	if err != nil {
		e.Close()
		return nil, err
	}
	if err := buildRepo(dir, e.Keys, start); err != nil {
		e.Close()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		e.Close()
		return nil, err
	}
	e.Fake.Start()
	return e, nil
}

// plant fills the local AWS: the responder, the live key with its
// attacker history, a deleted key and a key whose secret in the repository
// is wrong.
func (e *Env) plant(opts Options) error {
	f := e.Fake
	if err := f.AddAccount(awsfake.Account{ID: Account, Name: "shop-prod"}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var err error
	if e.Responder, err = f.AddAccessKey(Account, "oncall"); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	live, err := f.AddAccessKey(Account, "ci-deploy")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	old, err := f.AddAccessKey(Account, "old-jenkins")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := f.DeleteKey(old.ID); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sync, err := f.AddAccessKey(Account, "data-sync")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	wrong := testkeys.New(opts.Seed + 99).Secret()
	e.Keys = RepoKeys{
		Live:    Pair{live.ID, live.Secret},
		Deleted: Pair{old.ID, old.Secret},
		Branch:  Pair{sync.ID, wrong},
	}
	return e.plantAttack(live, opts.Now())
}

// AWSConfig returns the demo responder's SDK configuration: its static
// credentials, the demo region and every service's endpoint at the fake.
// It reads nothing from the environment or ~/.aws.
func (e *Env) AWSConfig() aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider(e.Responder.ID, e.Responder.Secret, ""),
		BaseEndpoint:     aws.String(e.Fake.URL),
		RetryMaxAttempts: 3,
	}
}

// Close stops the local AWS and removes the repository when Start made it.
func (e *Env) Close() {
	if e.Fake != nil && e.Fake.URL != "" {
		e.Fake.Close()
	}
	if e.tmp != "" {
		os.RemoveAll(e.tmp)
	}
}
