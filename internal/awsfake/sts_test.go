package awsfake_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/internal/testkeys"
)

func TestGetCallerIdentity(t *testing.T) {
	f, _ := newFake(t)
	k := mustUserKey(t, f, acctA, "deploy")
	u, _ := f.User(acctA, "deploy")
	out, err := stsClient(t, f, k).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != acctA || aws.ToString(out.Arn) != "arn:aws:iam::111122223333:user/deploy" || aws.ToString(out.UserId) != u.ID {
		t.Errorf("identity = %s %s %s, want %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId), acctA, u.ARN, u.ID)
	}
	if !strings.HasPrefix(u.ID, "AIDA") {
		t.Errorf("user ID %q, want AIDA…", u.ID)
	}
}

func TestAuthErrors(t *testing.T) {
	f, clk := newFake(t)
	good := mustUserKey(t, f, acctA, "deploy")
	inactive := mustUserKey(t, f, acctA, "old")
	if err := f.SetKeyStatus(inactive.ID, awsfake.StatusInactive); err != nil {
		t.Fatal(err)
	}
	deleted := mustUserKey(t, f, acctA, "gone")
	if err := f.DeleteKey(deleted.ID); err != nil {
		t.Fatal(err)
	}
	sess, err := f.IssueSession(good.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := f.IssueSession(good.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(2 * time.Minute) // expired is now past its expiry, sess is not

	wrongSecret := good
	wrongSecret.Secret = strings.Repeat("x", 40)
	unknown := good
	unknown.ID = "AKIAZZZZZZZZZZZZZZZZ"
	noToken := sess
	noToken.SessionToken = ""
	badToken := sess
	badToken.SessionToken = "IQoJb3JpZ2luX2VjEJunk"
	userWithToken := good
	userWithToken.SessionToken = sess.SessionToken

	tests := []struct {
		name string
		key  awsfake.Key
		want string
	}{
		{"live user key", good, ""},
		{"live session key", sess, ""},
		{"wrong secret", wrongSecret, "SignatureDoesNotMatch"},
		{"unknown key", unknown, "InvalidClientTokenId"},
		{"inactive key", inactive, "InvalidClientTokenId"},
		{"deleted key", deleted, "InvalidClientTokenId"},
		{"expired session", expired, "ExpiredToken"},
		{"session without token", noToken, "InvalidClientTokenId"},
		{"session with wrong token", badToken, "InvalidClientTokenId"},
		{"user key with a token", userWithToken, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stsClient(t, f, tt.key).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if got := code(err); got != tt.want {
				t.Fatalf("error code = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestSessionIdentityAndLastUsed(t *testing.T) {
	f, clk := newFake(t)
	k := mustUserKey(t, f, acctA, "deploy")
	if got, _ := f.Key(k.ID); !got.LastUsed.IsZero() {
		t.Fatalf("new key already used at %v", got.LastUsed)
	}
	c := sts.NewFromConfig(cfg(t, f, k, "eu-west-1"))
	st, err := c.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	cr := st.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("session credentials %q / token %d chars", aws.ToString(cr.AccessKeyId), len(aws.ToString(cr.SessionToken)))
	}
	if want := clk.t.Add(15 * time.Minute); !cr.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", cr.Expiration, want)
	}
	got, _ := f.Key(k.ID)
	if !got.LastUsed.Equal(clk.t) || got.LastService != "sts" || got.LastRegion != "eu-west-1" {
		t.Errorf("last used = %v %s %s, want now sts eu-west-1", got.LastUsed, got.LastService, got.LastRegion)
	}
	sk := awsfake.Key{ID: *cr.AccessKeyId, Secret: *cr.SecretAccessKey, SessionToken: *cr.SessionToken}
	minted := clk.t
	clk.t = clk.t.Add(time.Minute)
	id, err := stsClient(t, f, sk).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if parent, _ := f.Key(k.ID); !parent.LastUsed.Equal(minted) {
		t.Errorf("session use moved the parent key's last use to %v", parent.LastUsed)
	}
	if s, _ := f.Key(sk.ID); !s.LastUsed.Equal(clk.t) || s.Parent != k.ID {
		t.Errorf("session key last used %v, parent %s", s.LastUsed, s.Parent)
	}
	if aws.ToString(id.Arn) != "arn:aws:iam::111122223333:user/deploy" {
		t.Errorf("session identity %s, want the user", aws.ToString(id.Arn))
	}
	_, err = stsClient(t, f, sk).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if code(err) != "AccessDenied" {
		t.Errorf("GetSessionToken with session credentials: %v, want AccessDenied", err)
	}
	clk.t = clk.t.Add(15 * time.Minute)
	_, err = stsClient(t, f, sk).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if code(err) != "ExpiredToken" {
		t.Errorf("after expiry: %v, want ExpiredToken", err)
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	f, _ := newFake(t)
	me := mustUserKey(t, f, acctA, "responder")
	other := mustUserKey(t, f, acctB, "someone")
	c := stsClient(t, f, me)
	for _, tt := range []struct{ name, id, want string }{
		{"key the fake holds", other.ID, acctB},
		{"key it does not hold decodes offline", "AKIA" + other.ID[4:14] + "AAAAAA", acctB},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GetAccessKeyInfo(context.Background(), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(tt.id)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Account) != tt.want {
				t.Errorf("account %s, want %s", aws.ToString(out.Account), tt.want)
			}
		})
	}
}

func TestAssumeRole(t *testing.T) {
	f, _ := newFake(t)
	mgmt := mustUserKey(t, f, acctA, "responder")
	outsider := mustUserKey(t, f, "999988887777", "stranger")
	role, err := f.AddRole(acctB, "OrganizationAccountAccessRole", acctA)
	if err != nil {
		t.Fatal(err)
	}
	out, err := stsClient(t, f, mgmt).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("keysweep"),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:sts::444455556666:assumed-role/OrganizationAccountAccessRole/keysweep"
	if aws.ToString(out.AssumedRoleUser.Arn) != wantARN {
		t.Errorf("assumed role ARN %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), wantARN)
	}
	cr := out.Credentials
	sk := awsfake.Key{ID: *cr.AccessKeyId, Secret: *cr.SecretAccessKey, SessionToken: *cr.SessionToken}
	id, err := stsClient(t, f, sk).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != acctB || aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != role.ID+":keysweep" {
		t.Errorf("role session identity %s %s %s", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}

	for _, tt := range []struct {
		name string
		key  awsfake.Key
		arn  string
	}{
		{"untrusted account", outsider, role.ARN},
		{"no such role", mgmt, "arn:aws:iam::444455556666:role/Nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stsClient(t, f, tt.key).AssumeRole(context.Background(), &sts.AssumeRoleInput{
				RoleArn: aws.String(tt.arn), RoleSessionName: aws.String("x"),
			})
			if code(err) != "AccessDenied" {
				t.Errorf("got %v, want AccessDenied", err)
			}
		})
	}
}

func TestPutSessionKey(t *testing.T) {
	f, clk := newFake(t)
	g := testkeys.New(3)
	id, secret, token := g.KeyID("ASIA", 111122223333), g.Secret(), g.SessionToken()
	k, err := f.PutSessionKey(acctA, "dev", id, secret, token, clk.t.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out, err := stsClient(t, f, k).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Arn) != "arn:aws:iam::111122223333:user/dev" {
		t.Fatalf("planted session: %v %v", out, err)
	}
	if _, err := f.PutSessionKey(acctA, "dev", "AKIA"+id[4:], secret, token, clk.t); err == nil {
		t.Error("AKIA ID accepted as a session key")
	}
}

func TestServeStopsWithContext(t *testing.T) {
	f := awsfake.New(awsfake.Options{})
	k, err := f.AddAccessKey(acctA, "u")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Serve(ctx, ln) }()
	f.URL = "http://" + ln.Addr().String()
	if _, err := stsClient(t, f, k).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	// Down: the SDK gets a network error, not an AWS answer.
	_, err = stsClient(t, f, k).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err == nil || code(err) != "" {
		t.Fatalf("after shutdown: %v, want a connection error", err)
	}
}

func TestSessionsOutliveTheirKey(t *testing.T) {
	f, _ := newFake(t)
	k := mustUserKey(t, f, acctA, "ci-bot")
	sess, err := f.IssueSession(k.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetKeyStatus(k.ID, awsfake.StatusInactive); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteKey(k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := stsClient(t, f, sess).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("session minted before the key was deleted: %v, want it still valid", err)
	}
}
