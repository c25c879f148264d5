package revoke

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// ctRecord is the part of a CloudTrailEvent document the summary reads.
type ctRecord struct {
	Region    string         `json:"awsRegion"`
	SourceIP  string         `json:"sourceIPAddress"`
	UserAgent string         `json:"userAgent"`
	ErrorCode string         `json:"errorCode"`
	Request   map[string]any `json:"requestParameters"`
	Response  map[string]any `json:"responseElements"`
}

func parseRecord(s string) *ctRecord {
	if s == "" {
		return nil
	}
	var rec ctRecord
	if json.Unmarshal([]byte(s), &rec) != nil {
		return nil
	}
	return &rec
}

// str returns the string at path ("requestParameters", "userName") or "".
func (c *ctRecord) str(path ...string) string {
	if c == nil || len(path) == 0 {
		return ""
	}
	var cur any
	switch path[0] {
	case "requestParameters":
		cur = c.Request
	case "responseElements":
		cur = c.Response
	}
	for _, p := range path[1:] {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

// instanceIDs returns the IDs in responseElements.instancesSet.items.
func (c *ctRecord) instanceIDs() []string {
	if c == nil {
		return nil
	}
	set, _ := c.Response["instancesSet"].(map[string]any)
	items, _ := set["items"].([]any)
	var ids []string
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if id, ok := m["instanceId"].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// flag returns the flag for e, or false when e is not a classic abuse call.
func flag(e Event, usual []string) (Flag, bool) {
	rec := e.record
	f := Flag{Event: e, Failed: e.ErrorCode != ""}
	user := rec.str("requestParameters", "userName")
	switch e.Name {
	case "CreateUser":
		f.Reason = "created an IAM user (persistence)"
		f.Resources = []Resource{{Type: "AWS::IAM::User", ID: user, Remove: "delete IAM user " + user + " (its keys, policies and login profile first)"}}
	case "CreateAccessKey":
		id := rec.str("responseElements", "accessKey", "accessKeyId")
		if u := rec.str("responseElements", "accessKey", "userName"); u != "" {
			user = u
		}
		f.Reason = "created an access key (persistence)"
		f.Resources = []Resource{{Type: "AWS::IAM::AccessKey", ID: id, Remove: "delete access key " + id + " of user " + user}}
	case "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy":
		arn := rec.str("requestParameters", "policyArn")
		if !strings.HasSuffix(arn, ":policy/AdministratorAccess") {
			return Flag{}, false
		}
		who := firstNonEmpty(user, rec.str("requestParameters", "roleName"), rec.str("requestParameters", "groupName"))
		f.Reason = "attached AdministratorAccess (privilege escalation)"
		f.Resources = []Resource{{Type: "AWS::IAM::PolicyAttachment", ID: who + ":" + arn, Remove: "detach " + arn + " from " + who}}
	case "RunInstances":
		if slices.Contains(usual, e.Region) {
			return Flag{}, false
		}
		f.Reason = "ran instances in " + e.Region + ", a region the account does not use (crypto-mining)"
		for _, id := range rec.instanceIDs() {
			f.Resources = append(f.Resources, Resource{Type: "AWS::EC2::Instance", ID: id, Region: e.Region, Remove: "terminate instance " + id + " in " + e.Region})
		}
	case "CreateLoginProfile":
		f.Reason = "gave a user a console password (persistence)"
		f.Resources = []Resource{{Type: "AWS::IAM::LoginProfile", ID: user, Remove: "delete the login profile of " + user}}
	case "PutBucketPolicy":
		b := rec.str("requestParameters", "bucketName")
		f.Reason = "changed a bucket policy (data exposure)"
		f.Resources = []Resource{{Type: "AWS::S3::BucketPolicy", ID: b, Region: e.Region, Remove: "restore the policy of bucket " + b + " from before the leak"}}
	default:
		return Flag{}, false
	}
	if f.Failed {
		f.Reason += fmt.Sprintf("; refused (%s): nothing to clean up", e.ErrorCode)
		f.Resources = nil
	}
	f.Resources = slices.DeleteFunc(f.Resources, func(r Resource) bool { return r.ID == "" || strings.HasPrefix(r.ID, ":") })
	return f, true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// summarize fills inv's counts, flags and eradication list from evs.
func summarize(inv *Investigation, evs []Event, usual []string) {
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].Time.Equal(evs[j].Time) {
			return evs[i].Time.Before(evs[j].Time)
		}
		return evs[i].ID < evs[j].ID
	})
	evs = slices.CompactFunc(evs, func(a, b Event) bool { return a.ID != "" && a.ID == b.ID })
	inv.Events, inv.Total = evs, len(evs)
	if len(evs) > 0 {
		inv.First, inv.Last = evs[0].Time, evs[len(evs)-1].Time
	}
	counts := func(get func(Event) string) []Count {
		m := map[string]int{}
		for _, e := range evs {
			if v := get(e); v != "" {
				m[v]++
			}
		}
		out := make([]Count, 0, len(m))
		for v, n := range m {
			out = append(out, Count{v, n})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].N != out[j].N {
				return out[i].N > out[j].N
			}
			return out[i].Value < out[j].Value
		})
		return out
	}
	inv.SourceIPs = counts(func(e Event) string { return e.SourceIP })
	inv.UserAgents = counts(func(e Event) string { return e.UserAgent })
	inv.UsedIn = counts(func(e Event) string { return e.Region })
	inv.EventNames = counts(func(e Event) string { return e.Name })
	inv.ErrorCodes = counts(func(e Event) string { return e.ErrorCode })
	inv.Flags, inv.Eradicate = []Flag{}, []Resource{}
	for _, e := range evs {
		f, ok := flag(e, usual)
		if !ok {
			continue
		}
		inv.Flags = append(inv.Flags, f)
		for _, r := range f.Resources {
			if !slices.Contains(inv.Eradicate, r) {
				inv.Eradicate = append(inv.Eradicate, r)
			}
		}
	}
}

// ago formats t relative to now for summaries.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("%s (%s ago)", t.UTC().Format(time.RFC3339), now.Sub(t).Round(time.Minute))
}
