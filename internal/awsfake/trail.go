package awsfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Identity is a CloudTrail userIdentity.
type Identity struct {
	Type        string `json:"type"` // "IAMUser", "AssumedRole", "Root", …
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// Resource is a resource a CloudTrail event names.
type Resource struct {
	Type string // e.g. "AWS::IAM::AccessKey"
	Name string
}

// Event is a CloudTrail management event. Account and Region say where it
// lives: LookupEvents in a region returns only that region's events of the
// caller's account.
type Event struct {
	ID                string
	Time              time.Time
	Account           string
	Region            string
	Source            string // e.g. "iam.amazonaws.com"
	Name              string // e.g. "CreateAccessKey"
	SourceIP          string
	UserAgent         string
	Identity          Identity
	ReadOnly          bool
	RequestParameters map[string]any
	ResponseElements  map[string]any
	ErrorCode         string
	ErrorMessage      string
	Resources         []Resource

	seq uint64
}

// AccessKeyID is the key that signed the event's request.
func (e *Event) AccessKeyID() string { return e.Identity.AccessKeyID }

// Username is what LookupEvents reports and filters on as the user name:
// the IAM user, or the role session name.
func (e *Event) Username() string {
	if e.Identity.UserName != "" {
		return e.Identity.UserName
	}
	if i := strings.LastIndex(e.Identity.ARN, "/"); i >= 0 && e.Identity.Type == "AssumedRole" {
		return e.Identity.ARN[i+1:]
	}
	return ""
}

// recordJSON is the CloudTrailEvent document of e, as CloudTrail writes it.
func (e *Event) recordJSON() string {
	doc := map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       e.Identity,
		"eventTime":          e.Time.UTC().Format(time.RFC3339),
		"eventSource":        e.Source,
		"eventName":          e.Name,
		"awsRegion":          e.Region,
		"sourceIPAddress":    e.SourceIP,
		"userAgent":          e.UserAgent,
		"requestParameters":  e.RequestParameters,
		"responseElements":   e.ResponseElements,
		"requestID":          e.ID,
		"eventID":            e.ID,
		"readOnly":           e.ReadOnly,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": e.Account,
		"eventCategory":      "Management",
	}
	if e.ErrorCode != "" {
		doc["errorCode"], doc["errorMessage"] = e.ErrorCode, e.ErrorMessage
	}
	if len(e.Resources) > 0 {
		rs := make([]map[string]string, len(e.Resources))
		for i, r := range e.Resources {
			rs[i] = map[string]string{"type": r.Type, "ARN": r.Name}
		}
		doc["resources"] = rs
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// PlantEvent adds a CloudTrail event, for example an attacker's history
// for the demo. Empty ID, Time, Account (taken from the identity) and
// Region ("us-east-1") are filled in. It returns the stored event.
func (f *Fake) PlantEvent(e Event) (Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.Account == "" {
		e.Account = e.Identity.AccountID
	}
	if !isAccountID(e.Account) {
		return Event{}, fmt.Errorf("plant event: no account for event %s", e.Name)
	}
	if e.Name == "" || e.Source == "" {
		return Event{}, fmt.Errorf("plant event: event name and source are required")
	}
	if e.ID == "" {
		e.ID = f.nextIDLocked()
	}
	if e.Time.IsZero() {
		e.Time = f.now()
	}
	if e.Region == "" {
		e.Region = "us-east-1"
	}
	f.addEventLocked(&e)
	return e, nil
}

// Events returns the events of account in region ("" for all regions),
// newest first.
func (f *Fake) Events(account, region string) []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Event
	for _, e := range slices.Backward(f.events) {
		if e.Account == account && (region == "" || e.Region == region) {
			out = append(out, *e)
		}
	}
	return out
}

// addEventLocked inserts e keeping f.events ordered oldest first (so the
// usual event, happening now, is an append).
func (f *Fake) addEventLocked(e *Event) {
	f.seq++
	e.seq = f.seq
	i := sort.Search(len(f.events), func(i int) bool { return eventBefore(e, f.events[i]) })
	f.events = append(f.events, nil)
	copy(f.events[i+1:], f.events[i:])
	f.events[i] = e
}

// eventBefore reports whether a is older than b: an earlier time or, at
// equal times, recorded earlier. LookupEvents returns newest first.
func eventBefore(a, b *Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.seq < b.seq
}

// recordLocked records c as a CloudTrail event in the caller's account and
// the signing region. f.mu held.
func (f *Fake) recordLocked(c *call, res *result, fail *apiError) {
	e := &Event{
		ID: c.requestID, Time: f.now(), Account: c.p.Account, Region: c.region,
		Source: c.service + ".amazonaws.com", Name: c.action,
		SourceIP: c.sourceIP, UserAgent: c.userAgent, ReadOnly: readOnly(c.action),
		Identity: Identity{
			Type: c.p.Type, PrincipalID: c.p.UserID, ARN: c.p.ARN, AccountID: c.p.Account,
			AccessKeyID: c.p.KeyID, UserName: c.p.UserName,
		},
		RequestParameters: c.requestParameters(),
	}
	if res != nil {
		e.ResponseElements, e.Resources = res.elements, res.resources
	}
	if fail != nil {
		e.ErrorCode, e.ErrorMessage = fail.code, fail.message
	}
	f.addEventLocked(e)
	if res != nil {
		for _, acct := range res.alsoIn {
			cp := *e
			cp.Account = acct
			f.addEventLocked(&cp)
		}
	}
}

func readOnly(action string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Lookup"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// secretParam reports whether a request parameter holds a secret value
// CloudTrail never records.
func secretParam(name string) bool { return name == "SecretString" || name == "SecretBinary" }

// requestParameters are c's parameters in CloudTrail's lowerCamel form,
// without secret values.
func (c *call) requestParameters() map[string]any {
	out := map[string]any{}
	if c.jsonProto {
		for k, v := range c.in {
			if !secretParam(k) {
				out[lowerFirst(k)] = v
			}
		}
	} else {
		for k, v := range c.form {
			if k == "Action" || k == "Version" || secretParam(k) || len(v) == 0 {
				continue
			}
			out[lowerFirst(k)] = v[0]
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
