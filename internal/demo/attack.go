package demo

import (
	"fmt"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
)

// attackerAgent is the user agent of the planted attacker calls.
const attackerAgent = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-kali9-amd64 exe/x86_64.kali.2024"

// plantAttack writes the CloudTrail history of someone who found the live
// key: who am I, what is there, a backdoor user with admin rights and its
// own key, and crypto-mining instances in a region the shop never uses.
func (e *Env) plantAttack(live awsfake.Key, now time.Time) error {
	id := awsfake.Identity{Type: "IAMUser", PrincipalID: "AIDA" + live.ID[4:20], AccountID: Account,
		ARN: "arn:aws:iam::" + Account + ":user/" + live.User, AccessKeyID: live.ID, UserName: live.User}
	t0 := now.UTC().Add(-26 * time.Hour).Truncate(time.Minute)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	backdoorKey := "AKIA" + live.ID[4:12] + "BACKD00R"
	events := []awsfake.Event{
		{Time: at(0), Source: "sts.amazonaws.com", Name: "GetCallerIdentity", ReadOnly: true},
		{Time: at(2), Source: "s3.amazonaws.com", Name: "ListBuckets", ReadOnly: true},
		{Time: at(5), Source: "iam.amazonaws.com", Name: "CreateUser",
			RequestParameters: map[string]any{"userName": "backup-svc"},
			ResponseElements: map[string]any{"user": map[string]any{"userName": "backup-svc",
				"arn": "arn:aws:iam::" + Account + ":user/backup-svc"}},
			Resources: []awsfake.Resource{{Type: "AWS::IAM::User", Name: "backup-svc"}}},
		{Time: at(6), Source: "iam.amazonaws.com", Name: "AttachUserPolicy",
			RequestParameters: map[string]any{"userName": "backup-svc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
			Resources:         []awsfake.Resource{{Type: "AWS::IAM::User", Name: "backup-svc"}}},
		{Time: at(7), Source: "iam.amazonaws.com", Name: "CreateAccessKey",
			RequestParameters: map[string]any{"userName": "backup-svc"},
			ResponseElements: map[string]any{"accessKey": map[string]any{"accessKeyId": backdoorKey,
				"userName": "backup-svc", "status": "Active"}},
			Resources: []awsfake.Resource{{Type: "AWS::IAM::AccessKey", Name: backdoorKey}}},
		{Time: at(31), Region: "ap-southeast-3", Source: "ec2.amazonaws.com", Name: "RunInstances",
			RequestParameters: map[string]any{"instanceType": "c5.24xlarge", "minCount": 8, "maxCount": 8,
				"imageId": "ami-0c5b7e5f2a1d3e4f6"},
			ResponseElements: map[string]any{"instancesSet": map[string]any{"items": []any{
				map[string]any{"instanceId": "i-0f3a9c2d4b6e8a1c7"}, map[string]any{"instanceId": "i-0b7d1e5f9a3c2d4e6"}}}},
			Resources: []awsfake.Resource{{Type: "AWS::EC2::Instance", Name: "i-0f3a9c2d4b6e8a1c7"},
				{Type: "AWS::EC2::Instance", Name: "i-0b7d1e5f9a3c2d4e6"}}},
	}
	for _, ev := range events {
		ev.Account, ev.Identity, ev.SourceIP, ev.UserAgent = Account, id, AttackerIP, attackerAgent
		if _, err := e.Fake.PlantEvent(ev); err != nil {
			return fmt.Errorf("demo: plant %s: %w", ev.Name, err)
		}
	}
	if _, err := e.Fake.AddUser(Account, "backup-svc"); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
