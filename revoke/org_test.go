package revoke_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/keysweep/keysweep/revoke"
)

func TestOwnerInOrgMemberAccount(t *testing.T) {
	e := newEnv(t)
	if _, err := e.fake.CreateOrganization(acctOwn, acctMember); err != nil {
		t.Fatal(err)
	}
	member := e.key(acctMember, "ci-bot")
	ctx := context.Background()

	o, err := e.responderWith(nil).Owner(ctx, member.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Ours || o.AccountID != acctMember {
		t.Errorf("without --org: %+v, want not ours", o)
	}

	r := e.responderWith(func(o *revoke.Options) { o.Org = true })
	o, err = r.Owner(ctx, member.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRole := "arn:aws:iam::" + acctMember + ":role/OrganizationAccountAccessRole"
	if !o.Ours || o.UserName != "ci-bot" || o.ViaRole != wantRole || o.Status != "Active" {
		t.Errorf("with --org: %+v", o)
	}
	c, err := r.Contain(ctx, member.ID, revoke.ContainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(c.Outcomes); !slices.Equal(got, []string{"contain/deactivate=done", "contain/revoke-sessions=done"}) {
		t.Errorf("contain in member account = %v", got)
	}
	if e.keyStatus(member.ID) != "Inactive" {
		t.Error("member key not deactivated")
	}
	if c.Outcomes[0].Action.Account != acctMember {
		t.Errorf("action account %q", c.Outcomes[0].Action.Account)
	}

	// a key in an account outside the organization stays not ours
	stranger := e.key(acctOther, "x")
	if o, err := r.Owner(ctx, stranger.ID); err != nil || o.Ours {
		t.Errorf("stranger with --org: %+v %v", o, err)
	}
}

func TestOwnerOrgNotInUse(t *testing.T) {
	e := newEnv(t)
	other := e.key(acctMember, "ci-bot")
	o, err := e.responderWith(func(o *revoke.Options) { o.Org = true }).Owner(context.Background(), other.ID)
	if err != nil || o.Ours {
		t.Errorf("no organization: %+v %v; want not ours, no error", o, err)
	}
}

func TestRotateSecretsManagerSink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sink := mustSink(t, "secretsmanager:prod/alice/aws")
	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink, KeepOld: true})
	if err != nil {
		t.Fatal(err)
	}
	if rot.OldDeleted || e.keyStatus(e.leaked.ID) != "Active" {
		t.Error("--keep-old deleted the old key")
	}
	check := func(id string) {
		t.Helper()
		v, ok := e.fake.SecretValue(acctOwn, "us-east-1", "prod/alice/aws")
		if !ok {
			t.Fatal("no secret created")
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(v), &got); err != nil {
			t.Fatal(err)
		}
		k, _ := e.fake.Key(id)
		if got["AccessKeyId"] != id || got["SecretAccessKey"] != k.Secret {
			t.Errorf("secret value = %v, want key %s", got, id)
		}
	}
	check(rot.NewKeyID)
	if e.out.Len() != 0 {
		t.Errorf("secret printed: %q", e.out.String())
	}
	// a second rotation (the replacement leaked too) puts a new version
	first := rot.NewKeyID
	rot2, err := e.responderWith(nil).Rotate(ctx, first, revoke.RotateOptions{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	check(rot2.NewKeyID)
	// the first replacement and the original were both active: the
	// leaked one made room, the secret got a new version
	if want := "stored as a new version of Secrets Manager secret prod/alice/aws"; rot2.Outcomes[len(rot2.Outcomes)-1].Detail != want {
		t.Errorf("outcomes = %+v", rot2.Outcomes)
	}
}
