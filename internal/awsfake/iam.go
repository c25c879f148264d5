package awsfake

import (
	"net/http"
	"sort"
	"strings"
)

// keysPerUser is IAM's quota of access keys per user.
const keysPerUser = 2

func iamOperation(action string) handler {
	switch action {
	case "ListUsers":
		return (*Fake).iamListUsers
	case "GetUser":
		return (*Fake).iamGetUser
	case "ListAccessKeys":
		return (*Fake).iamListAccessKeys
	case "GetAccessKeyLastUsed":
		return (*Fake).iamGetAccessKeyLastUsed
	case "UpdateAccessKey":
		return (*Fake).iamUpdateAccessKey
	case "CreateAccessKey":
		return (*Fake).iamCreateAccessKey
	case "DeleteAccessKey":
		return (*Fake).iamDeleteAccessKey
	case "PutUserPolicy":
		return (*Fake).iamPutUserPolicy
	case "GetUserPolicy":
		return (*Fake).iamGetUserPolicy
	case "ListUserPolicies":
		return (*Fake).iamListUserPolicies
	case "DeleteUserPolicy":
		return (*Fake).iamDeleteUserPolicy
	case "AttachUserPolicy":
		return (*Fake).iamAttachUserPolicy
	case "ListAttachedUserPolicies":
		return (*Fake).iamListAttachedUserPolicies
	case "DetachUserPolicy":
		return (*Fake).iamDetachUserPolicy
	}
	return nil
}

func noSuchUser(name string) *apiError {
	return errf(http.StatusNotFound, "NoSuchEntity", "The user with name %s cannot be found.", name)
}

func noSuchKey(id string) *apiError {
	return errf(http.StatusNotFound, "NoSuchEntity", "The Access Key with id %s cannot be found.", id)
}

// targetUser is the user a user-scoped IAM call acts on: UserName, or the
// caller itself when it is an IAM user and UserName is omitted.
func (f *Fake) targetUser(c *call) (*User, *apiError) {
	name := c.form.Get("UserName")
	if name == "" {
		if c.p.UserName == "" {
			return nil, errf(http.StatusBadRequest, "ValidationError", "Must specify userName when calling with non-User credentials")
		}
		name = c.p.UserName
	}
	u, ok := f.accounts[c.p.Account].users[name]
	if !ok {
		return nil, noSuchUser(name)
	}
	return u, nil
}

// paramUser returns the required parameter key of a user-scoped call and
// the user the call acts on, checking them in that order as IAM does.
func (f *Fake) paramUser(c *call, key string) (string, *User, *apiError) {
	v, e := c.param(key)
	if e != nil {
		return "", nil, e
	}
	u, e := f.targetUser(c)
	if e != nil {
		return "", nil, e
	}
	return v, u, nil
}

// userKey finds access key id among u's keys.
func (f *Fake) userKey(u *User, id string) (*Key, *apiError) {
	if !contains(u.Keys, id) {
		return nil, noSuchKey(id)
	}
	return f.keys[id], nil
}

func writeUser(x *xmlw, u *User) {
	x.el("Path", u.Path)
	x.el("UserName", u.Name)
	x.el("UserId", u.ID)
	x.el("Arn", u.ARN)
	x.time("CreateDate", u.Created)
}

func (f *Fake) iamListUsers(c *call) (*result, *apiError) {
	a := f.accounts[c.p.Account]
	prefix := c.form.Get("PathPrefix")
	var users []*User
	for _, u := range a.users {
		if strings.HasPrefix(u.Path, prefix) {
			users = append(users, u)
		}
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	pg, next, e := page(c, users)
	if e != nil {
		return nil, e
	}
	return &result{xml: func(x *xmlw) {
		x.open("Users", "")
		for _, u := range pg {
			x.open("member", "")
			writeUser(x, u)
			x.close("member")
		}
		x.close("Users")
		pageTail(x, next)
	}}, nil
}

func (f *Fake) iamGetUser(c *call) (*result, *apiError) {
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	return &result{xml: func(x *xmlw) {
		x.open("User", "")
		writeUser(x, u)
		x.close("User")
	}}, nil
}

func (f *Fake) iamListAccessKeys(c *call) (*result, *apiError) {
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	pg, next, e := page(c, u.Keys)
	if e != nil {
		return nil, e
	}
	keys := make([]Key, len(pg))
	for i, id := range pg {
		keys[i] = *f.keys[id]
	}
	return &result{xml: func(x *xmlw) {
		x.open("AccessKeyMetadata", "")
		for _, k := range keys {
			x.open("member", "")
			x.el("UserName", k.User)
			x.el("AccessKeyId", k.ID)
			x.el("Status", k.Status)
			x.time("CreateDate", k.Created)
			x.close("member")
		}
		x.close("AccessKeyMetadata")
		pageTail(x, next)
	}}, nil
}

func (f *Fake) iamGetAccessKeyLastUsed(c *call) (*result, *apiError) {
	id, e := c.param("AccessKeyId")
	if e != nil {
		return nil, e
	}
	k, ok := f.keys[id]
	if !ok || k.Account != c.p.Account || k.SessionToken != "" {
		return nil, noSuchKey(id)
	}
	kc := *k
	return &result{xml: func(x *xmlw) {
		x.el("UserName", kc.User)
		x.open("AccessKeyLastUsed", "")
		if kc.LastUsed.IsZero() {
			x.el("ServiceName", "N/A")
			x.el("Region", "N/A")
		} else {
			x.time("LastUsedDate", kc.LastUsed)
			x.el("ServiceName", kc.LastService)
			x.el("Region", kc.LastRegion)
		}
		x.close("AccessKeyLastUsed")
	}}, nil
}

func (f *Fake) iamUpdateAccessKey(c *call) (*result, *apiError) {
	id, e := c.param("AccessKeyId")
	if e != nil {
		return nil, e
	}
	status, e := c.param("Status")
	if e != nil {
		return nil, e
	}
	if status != StatusActive && status != StatusInactive {
		return nil, errf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	k, e := f.userKey(u, id)
	if e != nil {
		return nil, e
	}
	k.Status = status
	return &result{resources: []Resource{{Type: "AWS::IAM::AccessKey", Name: id}}}, nil
}

func (f *Fake) iamCreateAccessKey(c *call) (*result, *apiError) {
	u, e := f.targetUser(c)
	if e != nil {
		return nil, e
	}
	if len(u.Keys) >= keysPerUser {
		return nil, errf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", keysPerUser)
	}
	k := f.putKeyLocked(u.Account, u.Name, f.gen.KeyID("AKIA", mustAccount(u.Account)), f.gen.Secret())
	return &result{
		xml: func(x *xmlw) {
			x.open("AccessKey", "")
			x.el("UserName", k.User)
			x.el("AccessKeyId", k.ID)
			x.el("Status", k.Status)
			x.el("SecretAccessKey", k.Secret)
			x.time("CreateDate", k.Created)
			x.close("AccessKey")
		},
		elements: map[string]any{"accessKey": map[string]any{
			"userName": k.User, "accessKeyId": k.ID, "status": k.Status,
			"createDate": k.Created.Format("Jan 2, 2006, 3:04:05 PM"),
		}},
		resources: []Resource{{Type: "AWS::IAM::AccessKey", Name: k.ID}},
	}, nil
}

func (f *Fake) iamDeleteAccessKey(c *call) (*result, *apiError) {
	id, u, e := f.paramUser(c, "AccessKeyId")
	if e != nil {
		return nil, e
	}
	if _, e := f.userKey(u, id); e != nil {
		return nil, e
	}
	f.deleteKeyLocked(id)
	return &result{resources: []Resource{{Type: "AWS::IAM::AccessKey", Name: id}}}, nil
}
