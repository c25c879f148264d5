package awsfake_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/keysweep/keysweep/internal/awsfake"
)

func iamClient(t *testing.T, f *awsfake.Fake, k awsfake.Key) *iam.Client {
	return iam.NewFromConfig(cfg(t, f, k, "us-east-1"))
}

func TestIAMKeyLifecycle(t *testing.T) {
	f, clk := newFake(t)
	ctx := context.Background()
	admin := mustUserKey(t, f, acctA, "responder")
	leaked := mustUserKey(t, f, acctA, "ci-bot")
	c := iamClient(t, f, admin)

	lu, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(leaked.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(lu.UserName) != "ci-bot" || lu.AccessKeyLastUsed.LastUsedDate != nil || aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "N/A" {
		t.Errorf("never-used key: user %s date %v service %s", aws.ToString(lu.UserName), lu.AccessKeyLastUsed.LastUsedDate, aws.ToString(lu.AccessKeyLastUsed.ServiceName))
	}
	// The leaked key is used somewhere else.
	if _, err := iam.NewFromConfig(cfg(t, f, leaked, "us-east-1")).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	lu, err = c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(leaked.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToTime(lu.AccessKeyLastUsed.LastUsedDate).Equal(clk.t) || aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "iam" || aws.ToString(lu.AccessKeyLastUsed.Region) != "us-east-1" {
		t.Errorf("used key: %v %s %s", lu.AccessKeyLastUsed.LastUsedDate, aws.ToString(lu.AccessKeyLastUsed.ServiceName), aws.ToString(lu.AccessKeyLastUsed.Region))
	}

	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci-bot"), AccessKeyId: aws.String(leaked.ID), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if k, _ := f.Key(leaked.ID); k.Status != awsfake.StatusInactive {
		t.Errorf("status after UpdateAccessKey = %s", k.Status)
	}
	if _, err := iam.NewFromConfig(cfg(t, f, leaked, "us-east-1")).ListUsers(ctx, &iam.ListUsersInput{}); code(err) != "InvalidClientTokenId" {
		t.Errorf("inactive key still works: %v", err)
	}

	created, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci-bot")})
	if err != nil {
		t.Fatal(err)
	}
	nk := created.AccessKey
	if aws.ToString(nk.UserName) != "ci-bot" || nk.Status != types.StatusTypeActive || len(aws.ToString(nk.SecretAccessKey)) != 40 {
		t.Errorf("new key %+v", nk)
	}
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci-bot")})
	if code(err) != "LimitExceeded" {
		t.Errorf("third key: %v, want LimitExceeded", err)
	}
	newKey := awsfake.Key{ID: *nk.AccessKeyId, Secret: *nk.SecretAccessKey}
	if _, err := iam.NewFromConfig(cfg(t, f, newKey, "us-east-1")).GetUser(ctx, &iam.GetUserInput{}); err != nil {
		t.Errorf("new key does not work: %v", err)
	}

	lk, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("ci-bot")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]types.StatusType{}
	for _, m := range lk.AccessKeyMetadata {
		got[aws.ToString(m.AccessKeyId)] = m.Status
	}
	if len(got) != 2 || got[leaked.ID] != types.StatusTypeInactive || got[newKey.ID] != types.StatusTypeActive {
		t.Errorf("ListAccessKeys = %v", got)
	}

	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ci-bot"), AccessKeyId: aws.String(leaked.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Key(leaked.ID); ok {
		t.Error("deleted key still held")
	}
	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ci-bot"), AccessKeyId: aws.String(leaked.ID)})
	if code(err) != "NoSuchEntity" {
		t.Errorf("deleting twice: %v, want NoSuchEntity", err)
	}
}

func TestIAMErrors(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	admin := mustUserKey(t, f, acctA, "responder")
	other := mustUserKey(t, f, acctB, "elsewhere")
	c := iamClient(t, f, admin)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"get missing user", func() error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity"},
		{"last used of a key in another account", func() error {
			_, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(other.ID)})
			return err
		}, "NoSuchEntity"},
		{"update a key of another user", func() error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("responder"), AccessKeyId: aws.String(other.ID), Status: types.StatusTypeInactive})
			return err
		}, "NoSuchEntity"},
		{"bad status", func() error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(admin.ID), Status: "Paused"})
			return err
		}, "ValidationError"},
		{"malformed policy", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("responder"), PolicyName: aws.String("p"), PolicyDocument: aws.String("{nope")})
			return err
		}, "MalformedPolicyDocument"},
		{"bad policy ARN", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("responder"), PolicyArn: aws.String("arn:aws:s3:::bucket")})
			return err
		}, "InvalidInput"},
		{"missing inline policy", func() error {
			_, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("responder"), PolicyName: aws.String("none")})
			return err
		}, "NoSuchEntity"},
		{"unknown action", func() error {
			_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}, "InvalidAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.call()); got != tt.want {
				t.Errorf("error code %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIAMPolicies(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	admin := mustUserKey(t, f, acctA, "responder")
	mustUserKey(t, f, acctA, "ci-bot")
	c := iamClient(t, f, admin)
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T08:00:00Z"}}}]}`
	for range 2 { // putting and attaching twice changes nothing the second time
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ci-bot"), PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ci-bot"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3")}); err != nil {
			t.Fatal(err)
		}
	}
	gp, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("ci-bot"), PolicyName: aws.String("AWSRevokeOlderSessions")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); err != nil || got != doc {
		t.Errorf("policy document (URL-decoded) = %q, %v", got, err)
	}
	lp, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("ci-bot")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.PolicyNames) != 1 || lp.PolicyNames[0] != "AWSRevokeOlderSessions" {
		t.Errorf("inline policies %v", lp.PolicyNames)
	}
	la, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("ci-bot")})
	if err != nil {
		t.Fatal(err)
	}
	if len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyName) != "AWSCompromisedKeyQuarantineV3" {
		t.Errorf("attached %+v", la.AttachedPolicies)
	}
	if d, ok := f.PolicyDocument(acctA, "ci-bot", "AWSRevokeOlderSessions"); !ok || d != doc {
		t.Errorf("PolicyDocument = %q %v", d, ok)
	}
}

func TestIAMListUsersPaginates(t *testing.T) {
	f, _ := newFake(t)
	admin := mustUserKey(t, f, acctA, "responder")
	for i := range 6 {
		if _, err := f.AddUser(acctA, fmt.Sprintf("user-%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	p := iam.NewListUsersPaginator(iamClient(t, f, admin), &iam.ListUsersInput{MaxItems: aws.Int32(2)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	if pages != 4 || len(names) != 7 || names[0] != "responder" || names[6] != "user-05" {
		t.Errorf("%d pages, users %v", pages, names)
	}
}

func TestDeny(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	admin := mustUserKey(t, f, acctA, "responder")
	leaked := mustUserKey(t, f, acctA, "ci-bot")
	u, _ := f.User(acctA, "responder")
	f.Deny(u.ARN, "iam:UpdateAccessKey")
	c := iamClient(t, f, admin)
	_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ci-bot"), AccessKeyId: aws.String(leaked.ID), Status: types.StatusTypeInactive})
	if code(err) != "AccessDenied" {
		t.Fatalf("denied call: %v, want AccessDenied", err)
	}
	if k, _ := f.Key(leaked.ID); k.Status != awsfake.StatusActive {
		t.Error("a denied call changed the key")
	}
	if _, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("ci-bot")}); err != nil {
		t.Errorf("other actions stay allowed: %v", err)
	}
	ev := f.Events(acctA, "us-east-1")
	if len(ev) < 2 || ev[1].Name != "UpdateAccessKey" || ev[1].ErrorCode != "AccessDenied" {
		t.Errorf("denied call not recorded with its error: %+v", ev)
	}
}
