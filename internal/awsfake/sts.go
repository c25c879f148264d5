package awsfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func stsOperation(action string) handler {
	switch action {
	case "GetCallerIdentity":
		return (*Fake).stsGetCallerIdentity
	case "GetAccessKeyInfo":
		return (*Fake).stsGetAccessKeyInfo
	case "AssumeRole":
		return (*Fake).stsAssumeRole
	case "GetSessionToken":
		return (*Fake).stsGetSessionToken
	}
	return nil
}

func (f *Fake) stsGetCallerIdentity(c *call) (*result, *apiError) {
	p := c.p
	return &result{xml: func(x *xmlw) {
		x.el("UserId", p.UserID)
		x.el("Account", p.Account)
		x.el("Arn", p.ARN)
	}}, nil
}

func (f *Fake) stsGetAccessKeyInfo(c *call) (*result, *apiError) {
	id, e := c.param("AccessKeyId")
	if e != nil {
		return nil, e
	}
	acct := ""
	if k, ok := f.keys[id]; ok {
		acct = k.Account
	} else if a, ok := decodeAccount(id); ok {
		acct = a
	} else {
		return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint")
	}
	return &result{xml: func(x *xmlw) { x.el("Account", acct) }}, nil
}

// parseRoleARN splits "arn:aws:iam::ACCOUNT:role/[path/]NAME".
func parseRoleARN(s string) (account, name string, ok bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" || !strings.HasPrefix(f[1], "aws") || f[2] != "iam" || !isAccountID(f[4]) {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(f[5], "role/")
	if !ok || rest == "" {
		return "", "", false
	}
	return f[4], rest[strings.LastIndex(rest, "/")+1:], true
}

// duration reads DurationSeconds (default def, AWS's bounds lo..hi).
func (c *call) duration(def, lo, hi int) (time.Duration, *apiError) {
	s := c.form.Get("DurationSeconds")
	if s == "" {
		return time.Duration(def) * time.Second, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between %d and %d", s, lo, hi)
	}
	return time.Duration(n) * time.Second, nil
}

func (f *Fake) stsAssumeRole(c *call) (*result, *apiError) {
	roleARN, e := c.param("RoleArn")
	if e != nil {
		return nil, e
	}
	session, e := c.param("RoleSessionName")
	if e != nil {
		return nil, e
	}
	d, e := c.duration(3600, 900, 43200)
	if e != nil {
		return nil, e
	}
	acct, name, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, errf(http.StatusBadRequest, "ValidationError", "%s is invalid", roleARN)
	}
	notAuthorized := deniedErr(false, c.p.ARN, "sts:AssumeRole", roleARN)
	a, ok := f.accounts[acct]
	if !ok {
		return nil, notAuthorized
	}
	role, ok := a.roles[name]
	if !ok || !contains(role.Trusted, c.p.Account) {
		return nil, notAuthorized
	}
	k := f.mintSessionLocked(f.keys[c.p.KeyID], role, session, d)
	assumed := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", role.Account, role.Name, session)
	assumedID := role.ID + ":" + session
	return &result{
		xml: func(x *xmlw) {
			x.open("Credentials", "")
			writeCreds(x, k)
			x.close("Credentials")
			x.open("AssumedRoleUser", "")
			x.el("AssumedRoleId", assumedID)
			x.el("Arn", assumed)
			x.close("AssumedRoleUser")
		},
		elements: map[string]any{
			"credentials":     credElements(k),
			"assumedRoleUser": map[string]any{"assumedRoleId": assumedID, "arn": assumed},
		},
		resources: []Resource{{Type: "AWS::IAM::Role", Name: roleARN}},
		alsoIn:    crossAccount(c.p.Account, role.Account),
	}, nil
}

func (f *Fake) stsGetSessionToken(c *call) (*result, *apiError) {
	if c.p.Session {
		return nil, errf(http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	d, e := c.duration(43200, 900, 129600)
	if e != nil {
		return nil, e
	}
	k := f.mintSessionLocked(f.keys[c.p.KeyID], nil, "", d)
	return &result{
		xml: func(x *xmlw) {
			x.open("Credentials", "")
			writeCreds(x, k)
			x.close("Credentials")
		},
		elements: map[string]any{"credentials": credElements(k)},
	}, nil
}

func writeCreds(x *xmlw, k Key) {
	x.el("AccessKeyId", k.ID)
	x.el("SecretAccessKey", k.Secret)
	x.el("SessionToken", k.SessionToken)
	x.time("Expiration", k.Expires)
}

// credElements is how CloudTrail records minted credentials: the key ID
// and expiry, never the secret (AWS records the token; we do not need it).
func credElements(k Key) map[string]any {
	return map[string]any{"accessKeyId": k.ID, "expiration": k.Expires.UTC().Format("Jan 2, 2006, 3:04:05 PM")}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// crossAccount lists the role's account when it differs from the
// caller's: CloudTrail records a cross-account AssumeRole in both.
func crossAccount(caller, role string) []string {
	if caller == role {
		return nil
	}
	return []string{role}
}
