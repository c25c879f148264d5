package awsfake

import (
	"encoding/json"
	"strings"
	"time"
)

// The fake allows every call, except those its Deny list names and those
// an explicit Deny statement in the caller's IAM user inline policies
// matches. Only this narrow part of the policy language is evaluated:
//
//   - Effect "Deny" (Allow statements change nothing: all is allowed);
//   - Action "*", "service:*" or "service:Operation", a string or a list;
//     NotAction and Resource are ignored (Resource is taken to match);
//   - no Condition, or only DateLessThan / DateLessThanEquals on
//     aws:TokenIssueTime — AWS's AWSRevokeOlderSessions shape, which
//     denies session credentials issued before a time. Requests signed
//     with a long-term key have no token issue time, so such a statement
//     never matches them. A statement with any other condition is skipped.
//
// Role policies are not modelled: role sessions are only subject to Deny.

type statement struct {
	Effect    string
	Action    any
	Condition map[string]map[string]any
}

// statements decodes a policy document's Statement (an object or a list).
func statements(doc string) []statement {
	var d struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var list []statement
	if json.Unmarshal(d.Statement, &list) == nil {
		return list
	}
	var one statement
	if json.Unmarshal(d.Statement, &one) == nil {
		return []statement{one}
	}
	return nil
}

// policyDeniedLocked reports whether an inline policy of the calling user
// explicitly denies action ("iam:UpdateAccessKey"). f.mu held.
func (f *Fake) policyDeniedLocked(p principal, action string) bool {
	if p.UserName == "" {
		return false
	}
	u, ok := f.accounts[p.Account].users[p.UserName]
	if !ok {
		return false
	}
	for _, doc := range u.Inline {
		for _, s := range statements(doc) {
			if s.Effect == "Deny" && actionMatches(s.Action, action) && conditionHolds(s.Condition, p) {
				return true
			}
		}
	}
	return false
}

func actionMatches(v any, action string) bool {
	var pats []string
	switch a := v.(type) {
	case string:
		pats = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				pats = append(pats, s)
			}
		}
	}
	for _, p := range pats {
		svc, op, _ := strings.Cut(action, ":")
		ps, po, _ := strings.Cut(p, ":")
		if p == "*" || strings.EqualFold(ps, svc) && (po == "*" || strings.EqualFold(po, op)) {
			return true
		}
	}
	return false
}

// conditionHolds evaluates the supported conditions for principal p.
func conditionHolds(cond map[string]map[string]any, p principal) bool {
	for op, kv := range cond {
		if op != "DateLessThan" && op != "DateLessThanEquals" {
			return false
		}
		for key, v := range kv {
			if !strings.EqualFold(key, "aws:TokenIssueTime") || p.TokenIssued.IsZero() {
				return false
			}
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return false
			}
			if p.TokenIssued.Before(t) || op == "DateLessThanEquals" && p.TokenIssued.Equal(t) {
				continue
			}
			return false
		}
	}
	return true
}
