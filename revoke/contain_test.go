package revoke_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/revoke"
)

func TestContainTwice(t *testing.T) {
	e := newEnv(t)
	r := e.responderWith(nil)
	ctx := context.Background()
	c, err := r.Contain(ctx, e.leaked.ID, revoke.ContainOptions{Quarantine: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"contain/deactivate=done", "contain/revoke-sessions=done", "contain/quarantine=done"}
	if got := states(c.Outcomes); !slices.Equal(got, want) {
		t.Errorf("first run = %v, want %v", got, want)
	}
	if !c.Changed() {
		t.Error("first run reports no change")
	}
	if s := e.keyStatus(e.leaked.ID); s != "Inactive" {
		t.Errorf("key status %s after contain", s)
	}
	u := e.user(acctOwn, "alice")
	doc := u.Inline[revoke.RevokePolicyName(e.leaked.ID)]
	if !strings.Contains(doc, `"aws:TokenIssueTime":"2026-11-27T08:00:00Z"`) || !strings.Contains(doc, `"DateLessThan"`) || !strings.Contains(doc, `"Effect":"Deny"`) {
		t.Errorf("revoke policy = %s", doc)
	}
	if !slices.Contains(u.Attached, "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3") {
		t.Errorf("attached = %v", u.Attached)
	}
	iamCalls := e.fake.Calls("iam")

	e.clock.add(600e9)
	c2, err := r.Contain(ctx, e.leaked.ID, revoke.ContainOptions{Quarantine: true})
	if err != nil {
		t.Fatal(err)
	}
	want2 := []string{"contain/deactivate=unchanged", "contain/revoke-sessions=unchanged", "contain/quarantine=unchanged"}
	if got := states(c2.Outcomes); !slices.Equal(got, want2) {
		t.Errorf("second run = %v, want %v", got, want2)
	}
	if c2.Changed() {
		t.Error("second run reports a change")
	}
	if u2 := e.user(acctOwn, "alice"); u2.Inline[revoke.RevokePolicyName(e.leaked.ID)] != doc {
		t.Error("second run rewrote the revoke policy (and its time)")
	}
	// the second run only read: GetAccessKeyLastUsed, ListAccessKeys, ListUserPolicies, ListAttachedUserPolicies
	if n := e.fake.Calls("iam") - iamCalls; n != 4 {
		t.Errorf("second run made %d IAM calls, want 4 reads", n)
	}
}

func TestContainDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	r := e.responderWith(func(o *revoke.Options) { o.DryRun = true })
	c, err := r.Contain(context.Background(), e.leaked.ID, revoke.ContainOptions{Quarantine: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"contain/deactivate=planned", "contain/revoke-sessions=planned", "contain/quarantine=planned"}
	if got := states(c.Outcomes); !slices.Equal(got, want) {
		t.Errorf("dry run = %v, want %v", got, want)
	}
	if got := c.Outcomes[0].Action.String(); got != "iam:UpdateAccessKey UserName=alice AccessKeyId="+e.leaked.ID+" Status=Inactive (account "+acctOwn+")" {
		t.Errorf("described call = %q", got)
	}
	if e.keyStatus(e.leaked.ID) != "Active" {
		t.Error("dry run deactivated the key")
	}
	u := e.user(acctOwn, "alice")
	if len(u.Inline) != 0 || len(u.Attached) != 0 {
		t.Errorf("dry run changed policies: %v %v", u.Inline, u.Attached)
	}
	if _, err := revoke.ReadJournal(revoke.JournalPath(e.dir, e.leaked.ID)); err == nil {
		t.Error("dry run wrote a journal")
	}
}

func TestContainDeclined(t *testing.T) {
	e := newEnv(t)
	var asked []string
	r := e.responderWith(func(o *revoke.Options) {
		o.Confirm = func(_ context.Context, a revoke.Action) (bool, error) {
			asked = append(asked, a.Operation)
			return a.Operation != "iam:UpdateAccessKey", nil
		}
	})
	c, err := r.Contain(context.Background(), e.leaked.ID, revoke.ContainOptions{})
	if !errors.Is(err, revoke.ErrDeclined) {
		t.Fatalf("err = %v, want ErrDeclined", err)
	}
	if got := states(c.Outcomes); !slices.Equal(got, []string{"contain/deactivate=declined", "contain/revoke-sessions=done"}) {
		t.Errorf("outcomes = %v", got)
	}
	if !slices.Equal(asked, []string{"iam:UpdateAccessKey", "iam:PutUserPolicy"}) {
		t.Errorf("asked = %v", asked)
	}
	if e.keyStatus(e.leaked.ID) != "Active" {
		t.Error("declined deactivation happened")
	}
}

func TestContainAccessDenied(t *testing.T) {
	e := newEnv(t)
	e.fake.Deny(e.user(acctOwn, "responder").ARN, "iam:UpdateAccessKey")
	c, err := e.responderWith(nil).Contain(context.Background(), e.leaked.ID, revoke.ContainOptions{})
	d := mustAs[*revoke.DeniedError](t, err)
	if d.Permission != "iam:UpdateAccessKey" || d.Code != "AccessDenied" {
		t.Errorf("denied = %+v", d)
	}
	if got := states(c.Outcomes); !slices.Equal(got, []string{"contain/deactivate=failed"}) {
		t.Errorf("outcomes = %v", got)
	}
	es, _ := revoke.ReadJournal(revoke.JournalPath(e.dir, e.leaked.ID))
	var kinds []string
	for _, en := range es {
		kinds = append(kinds, en.Kind)
	}
	if !slices.Equal(kinds, []string{"record", "intent", "outcome"}) || es[2].State != revoke.Failed || es[2].Error == "" {
		t.Errorf("journal = %v / %+v", kinds, es)
	}
}

func TestContainThrottledIsRetried(t *testing.T) {
	e := newEnv(t)
	e.fake.Throttle("iam", 2)
	if _, err := e.responderWith(nil).Contain(context.Background(), e.leaked.ID, revoke.ContainOptions{}); err != nil {
		t.Fatalf("contain after two throttles: %v", err)
	}
	if e.keyStatus(e.leaked.ID) != "Inactive" {
		t.Error("not contained")
	}
}

func TestContainResumesAfterCrash(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// a first run died right after asking to deactivate: the journal holds
	// the intent, no outcome; AWS did deactivate the key.
	r := e.responderWith(func(o *revoke.Options) {
		o.Confirm = func(_ context.Context, a revoke.Action) (bool, error) {
			return a.Operation == "iam:UpdateAccessKey", nil
		}
	})
	if _, err := r.Contain(ctx, e.leaked.ID, revoke.ContainOptions{}); !errors.Is(err, revoke.ErrDeclined) {
		t.Fatal(err)
	}
	crashAfterIntent(t, e.dir, e.leaked.ID, "contain/revoke-sessions")
	c, err := e.responderWith(nil).Contain(ctx, e.leaked.ID, revoke.ContainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(c.Outcomes); !slices.Equal(got, []string{"contain/deactivate=unchanged", "contain/revoke-sessions=done"}) {
		t.Errorf("resumed run = %v", got)
	}
}
