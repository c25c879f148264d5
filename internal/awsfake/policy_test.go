package awsfake_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
)

// TestRevokeOlderSessions puts AWS's AWSRevokeOlderSessions policy on a
// user: sessions issued before its time are denied, later ones and
// GetCallerIdentity are not.
func TestRevokeOlderSessions(t *testing.T) {
	f, clk := newFake(t)
	ctx := context.Background()
	responder := mustUserKey(t, f, acctA, "responder")
	leaked := mustUserKey(t, f, acctA, "ci-bot")
	old, err := f.IssueSession(leaked.ID, 12*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Minute)
	cutoff := clk.t.Format(time.RFC3339)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}}`
	if _, err := iamClient(t, f, responder).PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String("ci-bot"), PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(doc),
	}); err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Minute)
	fresh, err := f.IssueSession(leaked.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  awsfake.Key
		want string
	}{
		{"session issued before the cutoff", old, "AccessDenied"},
		{"session issued after the cutoff", fresh, ""},
		{"long-term key has no token issue time", leaked, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := iamClient(t, f, tt.key).ListUsers(ctx, &iam.ListUsersInput{})
			if code(err) != tt.want {
				t.Errorf("ListUsers: %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := stsClient(t, f, old).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity cannot be denied: %v", err)
	}
}

func TestPolicyStatements(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	responder := mustUserKey(t, f, acctA, "responder")
	tests := []struct {
		name, doc string
		denied    bool
	}{
		{"deny all", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, true},
		{"deny the service", `{"Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`, true},
		{"deny the action, any case", `{"Statement":[{"Effect":"Deny","Action":"IAM:listusers","Resource":"*"}]}`, true},
		{"deny another action", `{"Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`, false},
		{"allow only", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, false},
		{"unsupported condition is skipped", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}]}`, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := "u" + string(rune('a'+i))
			k := mustUserKey(t, f, acctA, user)
			if _, err := iamClient(t, f, responder).PutUserPolicy(ctx, &iam.PutUserPolicyInput{
				UserName: aws.String(user), PolicyName: aws.String("p"), PolicyDocument: aws.String(tt.doc),
			}); err != nil {
				t.Fatal(err)
			}
			_, err := iamClient(t, f, k).ListUsers(ctx, &iam.ListUsersInput{})
			if got := code(err) == "AccessDenied"; got != tt.denied {
				t.Errorf("denied = %v (%v), want %v", got, err, tt.denied)
			}
		})
	}
}
