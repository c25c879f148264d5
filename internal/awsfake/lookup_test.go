package awsfake_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
)

func trailClient(t *testing.T, f *awsfake.Fake, k awsfake.Key, region string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(cfg(t, f, k, region))
}

func byKey(id string) []cttypes.LookupAttribute {
	return []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(id)}}
}

// lookupAll pages through LookupEvents, making more calls with extra
// between pages to check that new events do not shift pages.
func lookupAll(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput, between func()) []cttypes.Event {
	t.Helper()
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	var all []cttypes.Event
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Events...)
		if between != nil {
			between()
		}
	}
	return all
}

func TestLookupEventsByAccessKey(t *testing.T) {
	f, clk := newFake(t)
	ctx := context.Background()
	responder := mustUserKey(t, f, acctA, "responder")
	leaked := mustUserKey(t, f, acctA, "ci-bot")
	if _, err := f.AddRole(acctA, "deployer"); err != nil {
		t.Fatal(err)
	}
	start := clk.t
	// The attacker's planted history: 120 calls over two hours in us-east-1.
	for i := range 120 {
		_, err := f.PlantEvent(awsfake.Event{
			Time: start.Add(-2*time.Hour + time.Duration(i)*time.Minute), Region: "us-east-1",
			Source: "iam.amazonaws.com", Name: "ListUsers", SourceIP: "203.0.113.9", UserAgent: "aws-cli/2.15",
			Identity: awsfake.Identity{Type: "IAMUser", AccountID: acctA, AccessKeyID: leaked.ID, UserName: "ci-bot"},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Real calls with the leaked key: one in us-east-1, one in eu-west-1.
	clk.t = start.Add(time.Minute)
	ar, err := stsClient(t, f, leaked).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/deployer"), RoleSessionName: aws.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(cfg(t, f, leaked, "eu-west-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	c := trailClient(t, f, responder, "us-east-1")
	noise := func() { // the responder keeps working while paging
		clk.t = clk.t.Add(time.Second)
		if _, err := iam.NewFromConfig(cfg(t, f, leaked, "us-east-1")).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatal(err)
		}
	}
	events := lookupAll(t, c, &cloudtrail.LookupEventsInput{LookupAttributes: byKey(leaked.ID)}, noise)
	if len(events) != 121 {
		t.Fatalf("us-east-1 events for the key = %d, want 121 (120 planted + AssumeRole)", len(events))
	}
	seen := map[string]bool{}
	for i, e := range events {
		if seen[aws.ToString(e.EventId)] {
			t.Fatalf("event %s returned twice", aws.ToString(e.EventId))
		}
		seen[aws.ToString(e.EventId)] = true
		if i > 0 && e.EventTime.After(*events[i-1].EventTime) {
			t.Fatalf("events not newest first at %d", i)
		}
		if aws.ToString(e.AccessKeyId) != leaked.ID {
			t.Fatalf("event of key %s", aws.ToString(e.AccessKeyId))
		}
	}
	first := events[0]
	if aws.ToString(first.EventName) != "AssumeRole" || aws.ToString(first.Username) != "ci-bot" || aws.ToString(first.ReadOnly) != "false" {
		t.Errorf("newest event %s by %s readOnly %s", aws.ToString(first.EventName), aws.ToString(first.Username), aws.ToString(first.ReadOnly))
	}
	var rec struct {
		EventSource      string `json:"eventSource"`
		AWSRegion        string `json:"awsRegion"`
		SourceIPAddress  string `json:"sourceIPAddress"`
		UserAgent        string `json:"userAgent"`
		RequestParams    map[string]any
		ResponseElements struct {
			Credentials struct {
				AccessKeyID string `json:"accessKeyId"`
			} `json:"credentials"`
		} `json:"responseElements"`
		UserIdentity struct {
			Type        string `json:"type"`
			AccessKeyID string `json:"accessKeyId"`
			ARN         string `json:"arn"`
		} `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(first.CloudTrailEvent)), &rec); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v", err)
	}
	if rec.EventSource != "sts.amazonaws.com" || rec.AWSRegion != "us-east-1" || rec.SourceIPAddress != "127.0.0.1" || rec.UserAgent == "" ||
		rec.UserIdentity.Type != "IAMUser" || rec.UserIdentity.AccessKeyID != leaked.ID {
		t.Errorf("CloudTrailEvent = %+v", rec)
	}
	if rec.ResponseElements.Credentials.AccessKeyID != aws.ToString(ar.Credentials.AccessKeyId) {
		t.Errorf("minted key %q not in responseElements (%q)", aws.ToString(ar.Credentials.AccessKeyId), rec.ResponseElements.Credentials.AccessKeyID)
	}

	eu := lookupAll(t, trailClient(t, f, responder, "eu-west-1"), &cloudtrail.LookupEventsInput{LookupAttributes: byKey(leaked.ID)}, nil)
	if len(eu) != 1 || aws.ToString(eu[0].EventName) != "GetCallerIdentity" {
		t.Errorf("eu-west-1 events = %d, want the one GetCallerIdentity", len(eu))
	}
	other := mustUserKey(t, f, acctB, "elsewhere")
	if got := lookupAll(t, trailClient(t, f, other, "us-east-1"), &cloudtrail.LookupEventsInput{LookupAttributes: byKey(leaked.ID)}, nil); len(got) != 0 {
		t.Errorf("another account sees %d of our events", len(got))
	}
}

func TestLookupEventsFilters(t *testing.T) {
	f, clk := newFake(t)
	responder := mustUserKey(t, f, acctA, "responder")
	base := clk.t
	for i, name := range []string{"CreateUser", "CreateAccessKey", "AttachUserPolicy", "RunInstances"} {
		_, err := f.PlantEvent(awsfake.Event{
			Time: base.Add(-time.Duration(10-i) * time.Hour), Source: "iam.amazonaws.com", Name: name,
			Identity:  awsfake.Identity{Type: "IAMUser", AccountID: acctA, AccessKeyID: "AKIAATTACKER00000000", UserName: "mallory"},
			Resources: []awsfake.Resource{{Type: "AWS::IAM::User", Name: "backdoor"}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	c := trailClient(t, f, responder, "us-east-1")
	attr := func(k cttypes.LookupAttributeKey, v string) []cttypes.LookupAttribute {
		return []cttypes.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}
	}
	tests := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		want int
	}{
		{"event name", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventName, "CreateAccessKey")}, 1},
		{"username", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyUsername, "mallory")}, 4},
		{"resource name", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyResourceName, "backdoor")}, 4},
		{"time range", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyUsername, "mallory"), StartTime: aws.Time(base.Add(-9 * time.Hour)), EndTime: aws.Time(base.Add(-8 * time.Hour))}, 2},
		{"small pages", cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyUsername, "mallory"), MaxResults: aws.Int32(1)}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lookupAll(t, c, &tt.in, nil); len(got) != tt.want {
				t.Errorf("%d events, want %d", len(got), tt.want)
			}
		})
	}
}

func TestLookupEventsErrors(t *testing.T) {
	f, clk := newFake(t)
	responder := mustUserKey(t, f, acctA, "responder")
	c := trailClient(t, f, responder, "us-east-1")
	tests := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		want string
	}{
		{"two attributes", cloudtrail.LookupEventsInput{LookupAttributes: append(byKey("AKIA1"), byKey("AKIA2")...)}, "InvalidLookupAttributesException"},
		{"start after end", cloudtrail.LookupEventsInput{StartTime: aws.Time(clk.t), EndTime: aws.Time(clk.t.Add(-time.Hour))}, "InvalidTimeRangeException"},
		{"too many results", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"forged token", cloudtrail.LookupEventsInput{NextToken: aws.String("bm90LWEtdG9rZW4")}, "InvalidNextTokenException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.LookupEvents(context.Background(), &tt.in)
			if got := code(err); got != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}

func TestPlantEventNeedsAccount(t *testing.T) {
	f, _ := newFake(t)
	if _, err := f.PlantEvent(awsfake.Event{Source: "iam.amazonaws.com", Name: "CreateUser"}); err == nil {
		t.Error("event without an account accepted")
	}
}
