package revoke_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/revoke"
)

const attackerIP = "203.0.113.66"

// plantTrail writes an attacker's CloudTrail history for e.leaked: n noise
// calls in us-east-1 (to paginate), a session minted with GetSessionToken
// and used, and the classic abuse calls. It returns the minted session key.
func (e *env) plantTrail(n int) awsfake.Key {
	e.t.Helper()
	t0 := e.clock.now().Add(-48 * time.Hour)
	id := awsfake.Identity{Type: "IAMUser", AccountID: acctOwn, ARN: "arn:aws:iam::" + acctOwn + ":user/alice", AccessKeyID: e.leaked.ID, UserName: "alice"}
	sess, err := e.fake.IssueSession(e.leaked.ID, 12*time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	sid := id
	sid.AccessKeyID = sess.ID
	plant := func(ev awsfake.Event) {
		e.t.Helper()
		if ev.Identity.AccessKeyID == "" {
			ev.Identity = id
		}
		if ev.SourceIP == "" {
			ev.SourceIP, ev.UserAgent = attackerIP, "aws-cli/2.15.30 kali"
		}
		if _, err := e.fake.PlantEvent(ev); err != nil {
			e.t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		plant(awsfake.Event{Time: t0.Add(time.Duration(i) * time.Second), Source: "s3.amazonaws.com", Name: "ListBuckets", ReadOnly: true})
	}
	at := func(m int) time.Time { return t0.Add(time.Hour + time.Duration(m)*time.Minute) }
	plant(awsfake.Event{Time: at(0), Source: "sts.amazonaws.com", Name: "GetSessionToken",
		ResponseElements: map[string]any{"credentials": map[string]any{"accessKeyId": sess.ID}}})
	plant(awsfake.Event{Time: at(1), Source: "iam.amazonaws.com", Name: "CreateUser", Identity: sid,
		RequestParameters: map[string]any{"userName": "backup-svc"}})
	plant(awsfake.Event{Time: at(2), Source: "iam.amazonaws.com", Name: "AttachUserPolicy", Identity: sid,
		RequestParameters: map[string]any{"userName": "backup-svc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}})
	plant(awsfake.Event{Time: at(3), Source: "iam.amazonaws.com", Name: "AttachUserPolicy",
		RequestParameters: map[string]any{"userName": "alice", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})
	plant(awsfake.Event{Time: at(4), Source: "iam.amazonaws.com", Name: "CreateAccessKey",
		RequestParameters: map[string]any{"userName": "backup-svc"},
		ResponseElements:  map[string]any{"accessKey": map[string]any{"accessKeyId": "AKIABACKD00R00000000", "userName": "backup-svc"}}})
	plant(awsfake.Event{Time: at(5), Source: "iam.amazonaws.com", Name: "CreateLoginProfile",
		RequestParameters: map[string]any{"userName": "backup-svc"}})
	plant(awsfake.Event{Time: at(6), Source: "iam.amazonaws.com", Name: "CreateUser", ErrorCode: "AccessDenied",
		RequestParameters: map[string]any{"userName": "other"}})
	plant(awsfake.Event{Time: at(7), Region: "ap-south-1", Source: "ec2.amazonaws.com", Name: "RunInstances", Identity: sid,
		ResponseElements: map[string]any{"instancesSet": map[string]any{"items": []any{
			map[string]any{"instanceId": "i-0aaa"}, map[string]any{"instanceId": "i-0bbb"}}}}})
	plant(awsfake.Event{Time: at(8), Region: "us-east-1", Source: "ec2.amazonaws.com", Name: "RunInstances",
		ResponseElements: map[string]any{"instancesSet": map[string]any{"items": []any{map[string]any{"instanceId": "i-0usual"}}}}})
	plant(awsfake.Event{Time: at(9), Region: "eu-west-1", Source: "s3.amazonaws.com", Name: "PutBucketPolicy",
		SourceIP: "198.51.100.7", UserAgent: "Boto3/1.34",
		RequestParameters: map[string]any{"bucketName": "customer-data"}})
	return sess
}

var testRegions = []string{"us-east-1", "ap-south-1", "eu-west-1", "us-west-2"}

func TestInvestigate(t *testing.T) {
	e := newEnv(t)
	sess := e.plantTrail(120)
	r := e.responderWith(nil)
	inv, err := r.Investigate(context.Background(), e.leaked.ID, revoke.InvestigateOptions{Regions: testRegions, Rate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inv.Minted, []string{sess.ID}) {
		t.Errorf("minted = %v, want %s", inv.Minted, sess.ID)
	}
	if n := len(inv.Events); n != 120+10 {
		t.Errorf("%d events, want 130 (120 over three pages, 10 more, the session's included)", n)
	}
	// 4 regions for the key, 4 for the session, plus two more pages in us-east-1
	if inv.Requests != 10 {
		t.Errorf("requests = %d, want 10", inv.Requests)
	}
	if want := e.clock.now().Add(-48 * time.Hour); !inv.First.Equal(want) {
		t.Errorf("first use %v, want %v", inv.First, want)
	}
	if got := inv.SourceIPs; len(got) != 2 || got[0] != (revoke.Count{Value: attackerIP, N: 129}) {
		t.Errorf("source IPs = %v", got)
	}
	if got := inv.UsedIn; len(got) != 3 || got[0].Value != "us-east-1" {
		t.Errorf("regions = %v", got)
	}
	if got := inv.EventNames[0]; got != (revoke.Count{Value: "ListBuckets", N: 120}) {
		t.Errorf("top event = %v", got)
	}
	if !slices.Contains(inv.ErrorCodes, revoke.Count{Value: "AccessDenied", N: 1}) {
		t.Errorf("error codes = %v", inv.ErrorCodes)
	}
	var flagged []string
	for _, f := range inv.Flags {
		flagged = append(flagged, fmt.Sprintf("%s@%s:%v", f.Event.Name, f.Event.Region, f.Failed))
	}
	wantFlags := []string{"CreateUser@us-east-1:false", "AttachUserPolicy@us-east-1:false", "CreateAccessKey@us-east-1:false",
		"CreateLoginProfile@us-east-1:false", "CreateUser@us-east-1:true", "RunInstances@ap-south-1:false", "PutBucketPolicy@eu-west-1:false"}
	if !slices.Equal(flagged, wantFlags) {
		t.Errorf("flags =\n%v\nwant\n%v", flagged, wantFlags)
	}
	var ids []string
	for _, res := range inv.Eradicate {
		ids = append(ids, res.Type+" "+res.ID)
	}
	wantIDs := []string{"AWS::IAM::User backup-svc", "AWS::IAM::PolicyAttachment backup-svc:arn:aws:iam::aws:policy/AdministratorAccess",
		"AWS::IAM::AccessKey AKIABACKD00R00000000", "AWS::IAM::LoginProfile backup-svc", "AWS::EC2::Instance i-0aaa",
		"AWS::EC2::Instance i-0bbb", "AWS::S3::BucketPolicy customer-data"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("eradicate =\n%v\nwant\n%v", ids, wantIDs)
	}
	var b strings.Builder
	if err := inv.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"events: 130", attackerIP + " (129)", "terminate instance i-0aaa in ap-south-1", "refused (AccessDenied)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	es, _ := revoke.ReadJournal(revoke.JournalPath(e.dir, e.leaked.ID))
	if len(es) != 1 || es[0].Record != "investigation" {
		t.Fatalf("journal = %+v, want the investigation recorded", es)
	}
	if d := string(es[0].Data); !strings.Contains(d, `"total_events":130`) || strings.Contains(d, `"events":`) {
		t.Errorf("journaled investigation should carry the summary, not the events: %.300s", d)
	}
}

func TestInvestigateNoFollow(t *testing.T) {
	e := newEnv(t)
	e.plantTrail(0)
	inv, err := e.responderWith(nil).Investigate(context.Background(), e.leaked.ID, revoke.InvestigateOptions{Regions: testRegions, Rate: 1000, NoFollow: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Minted) != 0 || len(inv.Events) != 7 {
		t.Errorf("minted %v, %d events; want none followed, the key's own 7", inv.Minted, len(inv.Events))
	}
}

func TestInvestigateRateLimit(t *testing.T) {
	e := newEnv(t)
	e.plantTrail(120) // three pages in us-east-1
	start := time.Now()
	inv, err := e.responderWith(nil).Investigate(context.Background(), e.leaked.ID,
		revoke.InvestigateOptions{Regions: []string{"us-east-1"}, Rate: revoke.LookupRate, NoFollow: true})
	if err != nil {
		t.Fatal(err)
	}
	// 3 requests at 2/s with no burst cannot take less than a second
	if el := time.Since(start); inv.Requests != 3 || el < time.Second {
		t.Errorf("%d requests in %v; want 3, no faster than 2 per second", inv.Requests, el)
	}
}

func TestInvestigateRegionErrorAndDenied(t *testing.T) {
	e := newEnv(t)
	e.plantTrail(0)
	// throttled past the retries in one region: listed, the rest still counted
	e.fake.Throttle("cloudtrail", 3)
	inv, err := e.responderWith(nil).Investigate(context.Background(), e.leaked.ID,
		revoke.InvestigateOptions{Regions: []string{"us-east-1"}, Rate: 1000, NoFollow: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Error, "ThrottlingException") {
		t.Errorf("errors = %+v", inv.Errors)
	}
	e.fake.Deny(e.user(acctOwn, "responder").ARN, "cloudtrail:LookupEvents")
	_, err = e.responderWith(nil).Investigate(context.Background(), e.leaked.ID, revoke.InvestigateOptions{Regions: testRegions, Rate: 1000})
	if d := mustAs[*revoke.DeniedError](t, err); d.Permission != "cloudtrail:LookupEvents" {
		t.Errorf("denied = %+v", d)
	}
}

func TestInvestigateCancelled(t *testing.T) {
	e := newEnv(t)
	e.plantTrail(120)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.responderWith(nil).Investigate(ctx, e.leaked.ID, revoke.InvestigateOptions{Regions: testRegions})
	if err == nil || ctx.Err() == nil {
		t.Errorf("cancelled investigation: %v", err)
	}
}

func TestDefaultRegionsHoldUSEast1(t *testing.T) {
	if !slices.Contains(revoke.DefaultRegions(), "us-east-1") {
		t.Error("us-east-1 (IAM and global STS events) missing from the default regions")
	}
}
