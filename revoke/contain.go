package revoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// QuarantinePolicy is the name of AWS's managed policy for compromised keys.
const QuarantinePolicy = "AWSCompromisedKeyQuarantineV3"

// ErrNotOurs is returned by steps that act on a key when the key is in no
// account the responder can reach; Owner tells whose it is and what to do.
var ErrNotOurs = errors.New("key is not in the responder's account")

// ErrTemporaryKey is returned when a step needs an IAM user key but was
// given temporary (ASIA) credentials.
var ErrTemporaryKey = errors.New("temporary (ASIA) credentials have no IAM key to act on")

// ContainOptions choose what Contain does beyond deactivating the key and
// revoking older sessions.
type ContainOptions struct {
	Quarantine bool // also attach AWS's managed AWSCompromisedKeyQuarantineV3 to the user
}

// Containment is what Contain did.
type Containment struct {
	Owner    Owner     `json:"owner"`
	Outcomes []Outcome `json:"outcomes"`
}

// Changed reports whether any call was made (Done) in this run.
func (c Containment) Changed() bool {
	return slices.ContainsFunc(c.Outcomes, func(o Outcome) bool { return o.State == Done })
}

// RevokePolicyName is the inline policy Contain puts on the key's user.
func RevokePolicyName(keyID string) string { return "keysweep-revoke-older-sessions-" + keyID }

// RevokePolicy returns the inline deny-all policy for sessions issued before
// t: AWS's AWSRevokeOlderSessions shape. Requests signed with a long-term
// key carry no aws:TokenIssueTime and are not affected.
func RevokePolicy(t time.Time) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Deny",
			"Action":    []string{"*"},
			"Resource":  []string{"*"},
			"Condition": map[string]any{"DateLessThan": map[string]string{"aws:TokenIssueTime": t.UTC().Format(time.RFC3339)}},
		}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// Contain deactivates keyID (iam:UpdateAccessKey Inactive), revokes sessions
// its user obtained before now (an inline deny-all policy on
// aws:TokenIssueTime) and, with Quarantine, attaches AWS's quarantine
// policy. Each action checks AWS first: one already in place is Unchanged
// and makes no call, so running Contain twice changes nothing the second
// time. It returns ErrNotOurs (with Owner filled) for a key in no account of
// ours, ErrTemporaryKey for ASIA keys, ErrDeclined when Confirm declines.
func (r *Responder) Contain(ctx context.Context, keyID string, opts ContainOptions) (Containment, error) {
	o, a, err := r.locate(ctx, keyID)
	c := Containment{Owner: o}
	if err != nil {
		return c, err
	}
	if a == nil {
		return c, ErrNotOurs
	}
	if o.Temporary {
		return c, ErrTemporaryKey
	}
	j, err := r.journalFor(keyID)
	if err != nil {
		return c, err
	}
	defer j.Close()
	if err := j.record("owner", o); err != nil {
		return c, err
	}
	steps := []func(context.Context, *Journal, *account, Owner) (Outcome, error){r.deactivate, r.revokeSessions}
	if opts.Quarantine {
		steps = append(steps, r.quarantine)
	}
	var declined bool
	for _, step := range steps {
		out, err := step(ctx, j, a, o)
		if out.Action.ID != "" {
			c.Outcomes = append(c.Outcomes, out)
		}
		if errors.Is(err, ErrDeclined) {
			declined = true // the other containment actions stand alone
			continue
		}
		if err != nil {
			return c, err
		}
	}
	if declined {
		return c, ErrDeclined
	}
	return c, nil
}

func (r *Responder) deactivate(ctx context.Context, j *Journal, a *account, o Owner) (Outcome, error) {
	act := Action{ID: "contain/deactivate", Step: "contain", Operation: "iam:UpdateAccessKey", Account: o.AccountID,
		Params: []Param{{"UserName", o.UserName}, {"AccessKeyId", o.KeyID}, {"Status", "Inactive"}},
		Why:    "stop the leaked key from signing requests"}
	if o.Status == string(iamtypes.StatusTypeInactive) {
		return r.unchanged(j, act, "key "+o.KeyID+" is already Inactive")
	}
	return r.do(ctx, j, act, func(ctx context.Context) (string, error) {
		_, err := a.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
			UserName: aws.String(o.UserName), AccessKeyId: aws.String(o.KeyID), Status: iamtypes.StatusTypeInactive})
		if hasCode(err, "NoSuchEntity") {
			return "", fmt.Errorf("deactivate %s: %w", o.KeyID, ErrKeyNotFound)
		}
		return "key " + o.KeyID + " is now Inactive", err
	})
}

func (r *Responder) revokeSessions(ctx context.Context, j *Journal, a *account, o Owner) (Outcome, error) {
	name := RevokePolicyName(o.KeyID)
	t := r.now().Truncate(time.Second)
	act := Action{ID: "contain/revoke-sessions", Step: "contain", Operation: "iam:PutUserPolicy", Account: o.AccountID,
		Params: []Param{{"UserName", o.UserName}, {"PolicyName", name}, {"PolicyDocument", RevokePolicy(t)}},
		Why:    "deny every request made with temporary credentials issued before " + t.Format(time.RFC3339)}
	have, err := userPolicies(ctx, a, o.UserName)
	if err != nil {
		return Outcome{}, err
	}
	if slices.Contains(have, name) {
		act.Params = act.Params[:2] // the policy in place keeps its own time
		return r.unchanged(j, act, "inline policy "+name+" is already on user "+o.UserName)
	}
	return r.do(ctx, j, act, func(ctx context.Context) (string, error) {
		_, err := a.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName: aws.String(o.UserName), PolicyName: aws.String(name), PolicyDocument: aws.String(RevokePolicy(t))})
		return "sessions of " + o.UserName + " issued before " + t.Format(time.RFC3339) + " are denied", err
	})
}

func (r *Responder) quarantine(ctx context.Context, j *Journal, a *account, o Owner) (Outcome, error) {
	arn := fmt.Sprintf("arn:%s:iam::aws:policy/%s", partitionOf(r.region), QuarantinePolicy)
	act := Action{ID: "contain/quarantine", Step: "contain", Operation: "iam:AttachUserPolicy", Account: o.AccountID,
		Params: []Param{{"UserName", o.UserName}, {"PolicyArn", arn}},
		Why:    "deny the actions attackers use after a key leak"}
	p := iam.NewListAttachedUserPoliciesPaginator(a.iam, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(o.UserName)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Outcome{}, classify("iam:ListAttachedUserPolicies", o.AccountID, fmt.Errorf("list attached policies of %s: %w", o.UserName, err))
		}
		for _, ap := range page.AttachedPolicies {
			if aws.ToString(ap.PolicyArn) == arn {
				return r.unchanged(j, act, QuarantinePolicy+" is already attached to "+o.UserName)
			}
		}
	}
	return r.do(ctx, j, act, func(ctx context.Context) (string, error) {
		_, err := a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(o.UserName), PolicyArn: aws.String(arn)})
		return QuarantinePolicy + " attached to " + o.UserName, err
	})
}

func userPolicies(ctx context.Context, a *account, user string) ([]string, error) {
	var names []string
	p := iam.NewListUserPoliciesPaginator(a.iam, &iam.ListUserPoliciesInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify("iam:ListUserPolicies", a.id, fmt.Errorf("list inline policies of %s: %w", user, err))
		}
		names = append(names, page.PolicyNames...)
	}
	return names, nil
}
