package awsfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// PolicyDocument returns the inline policy name of user in account, and
// whether it exists. The document is returned as it was put (not
// URL-encoded).
func (f *Fake) PolicyDocument(account, user, name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.accounts[account]
	if !ok {
		return "", false
	}
	u, ok := a.users[user]
	if !ok {
		return "", false
	}
	doc, ok := u.Inline[name]
	return doc, ok
}

func noSuchUserPolicy(name string) *apiError {
	return errf(http.StatusNotFound, "NoSuchEntity", "The user policy with name %s cannot be found.", name)
}

func (f *Fake) iamPutUserPolicy(c *call) (*result, *apiError) {
	name, e := c.param("PolicyName")
	if e != nil {
		return nil, e
	}
	doc, e := c.param("PolicyDocument")
	if e != nil {
		return nil, e
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil || v["Statement"] == nil {
		return nil, errf(http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	u.Inline[name] = doc
	return &result{}, nil
}

func (f *Fake) iamGetUserPolicy(c *call) (*result, *apiError) {
	name, u, e := f.paramUser(c, "PolicyName")
	if e != nil {
		return nil, e
	}
	doc, ok := u.Inline[name]
	if !ok {
		return nil, noSuchUserPolicy(name)
	}
	return &result{xml: func(x *xmlw) {
		x.el("UserName", u.Name)
		x.el("PolicyName", name)
		// IAM returns policy documents URL-encoded (RFC 3986).
		x.el("PolicyDocument", strings.ReplaceAll(url.QueryEscape(doc), "+", "%20"))
	}}, nil
}

func (f *Fake) iamListUserPolicies(c *call) (*result, *apiError) {
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	names := make([]string, 0, len(u.Inline))
	for n := range u.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	pg, next, e := page(c, names)
	if e != nil {
		return nil, e
	}
	return &result{xml: func(x *xmlw) {
		x.open("PolicyNames", "")
		for _, n := range pg {
			x.el("member", n)
		}
		x.close("PolicyNames")
		pageTail(x, next)
	}}, nil
}

func (f *Fake) iamDeleteUserPolicy(c *call) (*result, *apiError) {
	name, u, e := f.paramUser(c, "PolicyName")
	if e != nil {
		return nil, e
	}
	if _, ok := u.Inline[name]; !ok {
		return nil, noSuchUserPolicy(name)
	}
	delete(u.Inline, name)
	return &result{}, nil
}

// policyName returns the name of a managed policy ARN
// ("arn:aws:iam::aws:policy/[path/]NAME" or an account's own).
func policyName(arn string) (string, bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" || (f[4] != "aws" && !isAccountID(f[4])) {
		return "", false
	}
	rest, ok := strings.CutPrefix(f[5], "policy/")
	if !ok || rest == "" {
		return "", false
	}
	return rest[strings.LastIndex(rest, "/")+1:], true
}

func (f *Fake) iamAttachUserPolicy(c *call) (*result, *apiError) {
	arn, e := c.param("PolicyArn")
	if e != nil {
		return nil, e
	}
	if _, ok := policyName(arn); !ok {
		return nil, errf(http.StatusBadRequest, "InvalidInput", "ARN %s is not valid.", arn)
	}
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	if !contains(u.Attached, arn) {
		u.Attached = append(u.Attached, arn)
	}
	return &result{}, nil
}

func (f *Fake) iamDetachUserPolicy(c *call) (*result, *apiError) {
	arn, u, e := f.paramUser(c, "PolicyArn")
	if e != nil {
		return nil, e
	}
	i := slices.Index(u.Attached, arn)
	if i < 0 {
		return nil, errf(http.StatusNotFound, "NoSuchEntity", "Policy %s was not found.", arn)
	}
	u.Attached = slices.Delete(u.Attached, i, i+1)
	return &result{}, nil
}

func (f *Fake) iamListAttachedUserPolicies(c *call) (*result, *apiError) {
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	pg, next, e := page(c, u.Attached)
	if e != nil {
		return nil, e
	}
	return &result{xml: func(x *xmlw) {
		x.open("AttachedPolicies", "")
		for _, arn := range pg {
			name, _ := policyName(arn)
			x.open("member", "")
			x.el("PolicyName", name)
			x.el("PolicyArn", arn)
			x.close("member")
		}
		x.close("AttachedPolicies")
		pageTail(x, next)
	}}, nil
}
