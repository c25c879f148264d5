package revoke_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/revoke"
)

func TestOwnerOwnAccount(t *testing.T) {
	e := newEnv(t)
	// the leaked key was used once, from us-west-2
	lk := e.cfg(e.leaked)
	lk.Region = "us-west-2"
	if _, err := sts.NewFromConfig(lk).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("a call with the leaked key itself (to mark it used): %v", err)
	}
	e.clock.add(3600e9)
	o, err := e.responderWith(nil).Owner(context.Background(), e.leaked.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Ours || o.AccountID != acctOwn || o.UserName != "alice" || o.Status != "Active" {
		t.Errorf("owner = %+v", o)
	}
	if o.AccountFrom != "offline" {
		t.Errorf("account from %q, want offline", o.AccountFrom)
	}
	if o.LastUsed.IsZero() || o.LastService != "sts" || o.LastRegion != "us-west-2" {
		t.Errorf("last used = %v %q %q, want the sts call in us-west-2", o.LastUsed, o.LastService, o.LastRegion)
	}
	es, err := revoke.ReadJournal(revoke.JournalPath(e.dir, e.leaked.ID))
	if err != nil || len(es) != 1 || es[0].Record != "owner" {
		t.Errorf("journal = %+v, %v; want one owner record", es, err)
	}
}

func TestOwnerUnknownAccount(t *testing.T) {
	e := newEnv(t)
	stranger := e.key(acctOther, "bob")
	o, err := e.responderWith(nil).Owner(context.Background(), stranger.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Ours || o.AccountID != acctOther || o.UserName != "" {
		t.Errorf("owner = %+v, want not ours, account %s", o, acctOther)
	}
	adv := strings.Join(o.Advice, "\n")
	for _, want := range []string{acctOther, "report", "abuse"} {
		if !strings.Contains(adv, want) {
			t.Errorf("advice lacks %q:\n%s", want, adv)
		}
	}
	_, err = e.responderWith(nil).Contain(context.Background(), stranger.ID, revoke.ContainOptions{})
	if !errors.Is(err, revoke.ErrNotOurs) {
		t.Errorf("contain of a stranger's key: %v, want ErrNotOurs", err)
	}
	if e.keyStatus(stranger.ID) != "Active" {
		t.Error("a stranger's key was touched")
	}
}

func TestOwnerDeletedKey(t *testing.T) {
	e := newEnv(t)
	gone := e.key(acctOwn, "carol")
	if err := e.fake.DeleteKey(gone.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.responderWith(nil).Owner(context.Background(), gone.ID)
	if !errors.Is(err, revoke.ErrKeyNotFound) {
		t.Fatalf("owner of a deleted key: %v, want ErrKeyNotFound", err)
	}
}

func TestOwnerAccessDenied(t *testing.T) {
	e := newEnv(t)
	u := e.user(acctOwn, "responder")
	e.fake.Deny(u.ARN, "iam:GetAccessKeyLastUsed")
	_, err := e.responderWith(nil).Owner(context.Background(), e.leaked.ID)
	d := mustAs[*revoke.DeniedError](t, err)
	if d.Permission != "iam:GetAccessKeyLastUsed" || d.Account != acctOwn {
		t.Errorf("denied = %+v", d)
	}
}

func TestOwnerBadKeyID(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"", "AKIA", "not-a-key-id-at-all!", "akiaabcdefghijklmnop"} {
		if _, err := e.responderWith(nil).Owner(context.Background(), id); err == nil {
			t.Errorf("Owner(%q) succeeded", id)
		}
	}
}

func TestOwnerOldFormatKeyAsksSTS(t *testing.T) {
	e := newEnv(t)
	old, err := e.fake.PutAccessKey(acctOwn, "legacy", "AKIAIABCDEFGHIJKLMNO", "legacy-secret-legacy-secret-legacy-secre")
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.responderWith(nil).Owner(context.Background(), old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.AccountFrom != "sts:GetAccessKeyInfo" || o.AccountID != acctOwn || o.UserName != "legacy" {
		t.Errorf("owner = %+v, want the account from sts:GetAccessKeyInfo", o)
	}
}
