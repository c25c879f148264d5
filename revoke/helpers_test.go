package revoke_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/revoke"
)

const (
	acctOwn    = "111122223333" // the responder's account
	acctMember = "444455556666" // a member account of its organization
	acctOther  = "777788889999" // somebody else's
)

// clock is a settable time shared by the fake and the responder.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a local AWS with a responder and one leaked key of user alice.
type env struct {
	t         testing.TB
	fake      *awsfake.Fake
	clock     *clock
	responder awsfake.Key
	leaked    awsfake.Key
	dir       string // journal dir
	out       bytes.Buffer
	home      string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	f := awsfake.New(awsfake.Options{Now: c.now, Seed: 42})
	f.Start()
	t.Cleanup(f.Close)
	e := &env{t: t, fake: f, clock: c, dir: t.TempDir(), home: t.TempDir()}
	e.responder = e.key(acctOwn, "responder")
	e.leaked = e.key(acctOwn, "alice")
	return e
}

func (e *env) key(acct, user string) awsfake.Key {
	e.t.Helper()
	k, err := e.fake.AddAccessKey(acct, user)
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// cfg is an SDK config signing with the responder's key against the fake,
// with a fast retryer.
func (e *env) cfg(k awsfake.Key) aws.Config {
	e.t.Helper()
	c, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(k.ID, k.Secret, k.SessionToken)),
		config.WithBaseEndpoint(e.fake.URL),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithRetryer(func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond)
		}),
	)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) getenv(k string) string {
	switch k {
	case "HOME":
		return e.home
	}
	return ""
}

func (e *env) opts() revoke.Options {
	return revoke.Options{JournalDir: e.dir, Now: e.clock.now, Stdout: &e.out, Getenv: e.getenv}
}

func (e *env) responderWith(mod func(*revoke.Options)) *revoke.Responder {
	o := e.opts()
	if mod != nil {
		mod(&o)
	}
	return revoke.New(e.cfg(e.responder), o)
}

func (e *env) keyStatus(id string) string {
	k, ok := e.fake.Key(id)
	if !ok {
		return "deleted"
	}
	return k.Status
}

func (e *env) user(acct, name string) awsfake.User {
	u, ok := e.fake.User(acct, name)
	if !ok {
		e.t.Fatalf("no user %s", name)
	}
	return u
}

func states(os []revoke.Outcome) []string {
	var s []string
	for _, o := range os {
		s = append(s, o.Action.ID+"="+string(o.State))
	}
	return s
}

func mustAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T) is not a %T", err, err, target)
	}
	return target
}
