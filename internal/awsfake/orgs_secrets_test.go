package awsfake_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
)

func TestOrganizationsAndMemberAccess(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	mgmt := mustUserKey(t, f, acctA, "responder")
	member := mustUserKey(t, f, acctB, "local-admin")
	loner := mustUserKey(t, f, "999988887777", "solo")
	const third = "777766665555"
	if _, err := f.CreateOrganization(acctA, acctB, third); err != nil {
		t.Fatal(err)
	}
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg(t, f, mgmt, "us-east-1")), &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	var ids []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			ids = append(ids, aws.ToString(a.Id))
			if a.Status != "ACTIVE" || a.JoinedTimestamp == nil || aws.ToString(a.Arn) == "" {
				t.Errorf("account %+v", a)
			}
		}
	}
	if len(ids) != 3 || ids[0] != acctA || ids[1] != acctB || ids[2] != third {
		t.Errorf("accounts %v", ids)
	}

	for _, tt := range []struct {
		name string
		key  awsfake.Key
		want string
	}{
		{"member account", member, "AccessDeniedException"},
		{"account outside any organization", loner, "AWSOrganizationsNotInUseException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := organizations.NewFromConfig(cfg(t, f, tt.key, "us-east-1")).ListAccounts(ctx, &organizations.ListAccountsInput{})
			if code(err) != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}

	// The responder reaches into the member account through the role.
	ar, err := stsClient(t, f, mgmt).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acctB + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("keysweep-owner"),
	})
	if err != nil {
		t.Fatal(err)
	}
	sk := awsfake.Key{ID: *ar.Credentials.AccessKeyId, Secret: *ar.Credentials.SecretAccessKey, SessionToken: *ar.Credentials.SessionToken}
	for _, acct := range []string{acctA, acctB} { // a cross-account AssumeRole is in both trails
		if ev := f.Events(acct, "us-east-1"); len(ev) == 0 || ev[0].Name != "AssumeRole" || ev[0].Identity.AccessKeyID != mgmt.ID {
			t.Errorf("account %s: newest event %+v, want the responder's AssumeRole", acct, ev)
		}
	}
	lu, err := iam.NewFromConfig(cfg(t, f, sk, "us-east-1")).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(member.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(lu.UserName) != "local-admin" {
		t.Errorf("owner in member account = %s", aws.ToString(lu.UserName))
	}
	// A Deny on the role covers its sessions.
	f.Deny("arn:aws:iam::"+acctB+":role/OrganizationAccountAccessRole", "iam:ListUsers")
	if _, err := iam.NewFromConfig(cfg(t, f, sk, "us-east-1")).ListUsers(ctx, &iam.ListUsersInput{}); code(err) != "AccessDenied" {
		t.Errorf("denied role session: %v", err)
	}
}

func TestSecretsManager(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	k := mustUserKey(t, f, acctA, "responder")
	c := secretsmanager.NewFromConfig(cfg(t, f, k, "eu-central-1"))
	cs, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("ci/aws"), SecretString: aws.String(`{"v":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("ci/aws")}); code(err) != "ResourceExistsException" {
		t.Errorf("second CreateSecret: %v", err)
	}
	put, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: cs.ARN, SecretString: aws.String(`{"v":2}`), ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000002")})
	if err != nil {
		t.Fatal(err)
	}
	// Retrying with the same token is idempotent; reusing it for another value is not.
	again, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("ci/aws"), SecretString: aws.String(`{"v":2}`), ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000002")})
	if err != nil || aws.ToString(again.VersionId) != aws.ToString(put.VersionId) {
		t.Errorf("idempotent retry: %v, version %s vs %s", err, aws.ToString(again.VersionId), aws.ToString(put.VersionId))
	}
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("ci/aws"), SecretString: aws.String("other"), ClientRequestToken: aws.String("00000000-0000-4000-8000-000000000002")}); code(err) != "ResourceExistsException" {
		t.Errorf("token reuse with another value: %v", err)
	}
	gv, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("ci/aws")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gv.SecretString) != `{"v":2}` || len(gv.VersionStages) != 1 || gv.VersionStages[0] != "AWSCURRENT" {
		t.Errorf("current = %s %v", aws.ToString(gv.SecretString), gv.VersionStages)
	}
	prev, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("ci/aws"), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil || aws.ToString(prev.SecretString) != `{"v":1}` {
		t.Errorf("previous = %v %v", aws.ToString(prev.SecretString), err)
	}
	if v, ok := f.SecretValue(acctA, "eu-central-1", "ci/aws"); !ok || v != `{"v":2}` {
		t.Errorf("SecretValue = %q %v", v, ok)
	}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"put to missing secret", func() error {
			_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("nope"), SecretString: aws.String("x")})
			return err
		}},
		{"secret lives in another region", func() error {
			_, err := secretsmanager.NewFromConfig(cfg(t, f, k, "us-east-1")).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("ci/aws")})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); code(err) != "ResourceNotFoundException" {
				t.Errorf("got %v, want ResourceNotFoundException", err)
			}
		})
	}
	for _, e := range f.Events(acctA, "eu-central-1") {
		if e.Name == "PutSecretValue" && e.RequestParameters["secretString"] != nil {
			t.Errorf("CloudTrail recorded a secret value: %v", e.RequestParameters)
		}
	}
}

func TestJSONServicesAuthAndThrottle(t *testing.T) {
	f, clk := newFake(t)
	ctx := context.Background()
	good := mustUserKey(t, f, acctA, "responder")
	wrong := good
	wrong.Secret = "0000000000000000000000000000000000000000"
	unknown := good
	unknown.ID = "AKIAQQQQQQQQQQQQQQQQ"
	expired, err := f.IssueSession(good.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Hour)
	for _, tt := range []struct {
		name string
		key  awsfake.Key
		want string
	}{
		{"wrong secret", wrong, "InvalidSignatureException"},
		{"unknown key", unknown, "UnrecognizedClientException"},
		{"expired session", expired, "ExpiredTokenException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := trailClient(t, f, tt.key, "us-east-1").LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
			if code(err) != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	if _, err := f.CreateOrganization(acctA); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		service, want string
		call          func() error
	}{
		{"cloudtrail", "ThrottlingException", func() error {
			_, err := trailClient(t, f, good, "us-east-1").LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
			return err
		}},
		{"organizations", "TooManyRequestsException", func() error {
			_, err := organizations.NewFromConfig(cfg(t, f, good, "us-east-1")).ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		}},
		{"iam", "Throttling", func() error {
			_, err := iamClient(t, f, good).ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
		{"secretsmanager", "ThrottlingException", func() error {
			_, err := secretsmanager.NewFromConfig(cfg(t, f, good, "us-east-1")).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("x")})
			return err
		}},
	} {
		t.Run("throttle "+tt.service, func(t *testing.T) {
			f.Throttle(tt.service, 2)
			if err := tt.call(); err != nil && code(err) != "ResourceNotFoundException" {
				t.Errorf("not recovered after 2 throttles: %v", err)
			}
			f.Throttle(tt.service, 3)
			if err := tt.call(); code(err) != tt.want {
				t.Errorf("past the retries: %v, want %s", err, tt.want)
			}
		})
	}
}

func TestAllEndpointsFromEnvironment(t *testing.T) {
	f, _ := newFake(t)
	k := mustUserKey(t, f, acctA, "responder")
	if _, err := f.CreateOrganization(acctA); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"STS", "IAM", "CLOUDTRAIL", "ORGANIZATIONS", "SECRETS_MANAGER"} {
		t.Setenv("AWS_ENDPOINT_URL_"+v, f.URL)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", k.ID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", k.Secret)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	ctx := context.Background()
	c, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Error(err)
	}
	if _, err := iam.NewFromConfig(c).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Error(err)
	}
	if _, err := cloudtrail.NewFromConfig(c).LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
		t.Error(err)
	}
	if _, err := organizations.NewFromConfig(c).ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
		t.Error(err)
	}
	if _, err := secretsmanager.NewFromConfig(c).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")}); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"sts", "iam", "cloudtrail", "organizations", "secretsmanager"} {
		if f.Calls(s) != 1 {
			t.Errorf("%s calls = %d, want 1", s, f.Calls(s))
		}
	}
}

func TestDenyJSONServices(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	k := mustUserKey(t, f, acctA, "responder")
	u, _ := f.User(acctA, "responder")
	f.Deny(u.ARN, "cloudtrail:LookupEvents")
	f.Deny(u.ARN, "secretsmanager:PutSecretValue")
	if _, err := trailClient(t, f, k, "us-east-1").LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); code(err) != "AccessDeniedException" {
		t.Errorf("LookupEvents: %v, want AccessDeniedException", err)
	}
	sm := secretsmanager.NewFromConfig(cfg(t, f, k, "us-east-1"))
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("1")}); err != nil {
		t.Fatalf("CreateSecret is not denied: %v", err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("2")}); code(err) != "AccessDeniedException" {
		t.Errorf("PutSecretValue: %v, want AccessDeniedException", err)
	}
	if v, _ := f.SecretValue(acctA, "us-east-1", "s"); v != "1" {
		t.Errorf("a denied PutSecretValue changed the secret to %q", v)
	}
}
