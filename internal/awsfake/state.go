package awsfake

import (
	"fmt"
	"strconv"
	"time"
)

// Key statuses, as IAM spells them.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// Key is an access key the fake knows: a user's long-term AKIA key, or an
// ASIA session key minted by AssumeRole or GetSessionToken. Values are
// copies; change state through the Fake's methods.
type Key struct {
	ID           string
	Secret       string
	SessionToken string // ASIA keys only
	Account      string
	User         string // owning IAM user; for GetSessionToken sessions too
	Role         string // role name, for AssumeRole sessions
	SessionName  string // role session name, for AssumeRole sessions
	Status       string // StatusActive or StatusInactive
	Created      time.Time
	Expires      time.Time // ASIA keys only
	Parent       string    // the key that minted this session key
	LastUsed     time.Time // zero if never used
	LastService  string    // signing name of the last service called, e.g. "sts"
	LastRegion   string
}

// User is an IAM user.
type User struct {
	Name     string
	ID       string // AIDA…
	ARN      string
	Account  string
	Path     string
	Created  time.Time
	Inline   map[string]string // policy name → document
	Attached []string          // managed policy ARNs, in attach order
	Keys     []string          // access key IDs, in creation order
}

// Role is an IAM role that principals of the trusted accounts may assume.
type Role struct {
	Name    string
	ID      string // AROA…
	ARN     string
	Account string
	Trusted []string // account IDs allowed to assume it (its own always is)
	Created time.Time
}

// Account is an AWS account.
type Account struct {
	ID     string
	Name   string
	Email  string
	Joined time.Time // when it joined the organization
}

type account struct {
	Account
	users   map[string]*User
	roles   map[string]*Role
	secrets map[string]*secret // key: region + "/" + name
}

func (f *Fake) now() time.Time { return f.opts.Now().UTC() }

// accountLocked returns account id, creating it when missing. f.mu held.
func (f *Fake) accountLocked(id string) *account {
	if a, ok := f.accounts[id]; ok {
		return a
	}
	a := &account{
		Account: Account{ID: id, Name: "account-" + id, Email: "aws+" + id + "@example.com"},
		users:   map[string]*User{},
		roles:   map[string]*Role{},
		secrets: map[string]*secret{},
	}
	f.accounts[id] = a
	return a
}

// AddAccount adds (or renames) an account. id must be 12 digits.
func (f *Fake) AddAccount(acc Account) error {
	if !isAccountID(acc.ID) {
		return fmt.Errorf("add account: %q is not a 12-digit account ID", acc.ID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accountLocked(acc.ID)
	if acc.Name != "" {
		a.Name = acc.Name
	}
	if acc.Email != "" {
		a.Email = acc.Email
	}
	return nil
}

// AddUser adds IAM user name to account (creating the account if needed)
// and returns it. Adding an existing user returns it unchanged.
func (f *Fake) AddUser(accountID, name string) (User, error) {
	if !isAccountID(accountID) {
		return User{}, fmt.Errorf("add user: %q is not a 12-digit account ID", accountID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.addUserLocked(accountID, name), nil
}

func (f *Fake) addUserLocked(accountID, name string) *User {
	a := f.accountLocked(accountID)
	if u, ok := a.users[name]; ok {
		return u
	}
	u := &User{
		Name: name, Account: accountID, Path: "/", Created: f.now(),
		ID:     f.gen.KeyID("AIDA", mustAccount(accountID)),
		ARN:    fmt.Sprintf("arn:aws:iam::%s:user/%s", accountID, name),
		Inline: map[string]string{},
	}
	a.users[name] = u
	return u
}

// AddAccessKey creates an active access key for user (adding the user and
// account if needed), with an ID from internal/testkeys that decodes to
// the account, and returns it with its secret.
func (f *Fake) AddAccessKey(accountID, user string) (Key, error) {
	if !isAccountID(accountID) {
		return Key{}, fmt.Errorf("add access key: %q is not a 12-digit account ID", accountID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.gen.KeyID("AKIA", mustAccount(accountID))
	return f.putKeyLocked(accountID, user, id, f.gen.Secret()), nil
}

// PutAccessKey plants a given key pair (for example one a test also writes
// into a file to be scanned) as an active key of user. The user's
// two-key limit is not enforced here.
func (f *Fake) PutAccessKey(accountID, user, keyID, secret string) (Key, error) {
	if !isAccountID(accountID) {
		return Key{}, fmt.Errorf("put access key: %q is not a 12-digit account ID", accountID)
	}
	if len(keyID) != 20 || keyID[:4] != "AKIA" {
		return Key{}, fmt.Errorf("put access key: %q is not an AKIA key ID", keyID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.keys[keyID]; ok {
		return Key{}, fmt.Errorf("put access key: %s already exists", keyID)
	}
	return f.putKeyLocked(accountID, user, keyID, secret), nil
}

func (f *Fake) putKeyLocked(accountID, user, id, secret string) Key {
	u := f.addUserLocked(accountID, user)
	k := &Key{ID: id, Secret: secret, Account: accountID, User: user, Status: StatusActive, Created: f.now()}
	f.keys[id] = k
	u.Keys = append(u.Keys, id)
	return *k
}

// SetKeyStatus sets an access key to StatusActive or StatusInactive.
func (f *Fake) SetKeyStatus(keyID, status string) error {
	if status != StatusActive && status != StatusInactive {
		return fmt.Errorf("set key status: bad status %q", status)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.keys[keyID]
	if !ok {
		return fmt.Errorf("set key status: no key %s", keyID)
	}
	k.Status = status
	return nil
}

// DeleteKey deletes an access key; requests signed with it then fail
// with InvalidClientTokenId.
func (f *Fake) DeleteKey(keyID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.keys[keyID]; !ok {
		return fmt.Errorf("delete key: no key %s", keyID)
	}
	f.deleteKeyLocked(keyID)
	return nil
}

func (f *Fake) deleteKeyLocked(keyID string) {
	k := f.keys[keyID]
	delete(f.keys, keyID)
	if a, ok := f.accounts[k.Account]; ok && k.SessionToken == "" {
		if u, ok := a.users[k.User]; ok {
			u.Keys = remove(u.Keys, keyID)
		}
	}
}

// Key returns a copy of access key id and whether it exists.
func (f *Fake) Key(id string) (Key, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.keys[id]
	if !ok {
		return Key{}, false
	}
	return *k, true
}

// User returns a copy of IAM user name of account and whether it exists.
func (f *Fake) User(accountID, name string) (User, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.accounts[accountID]
	if !ok {
		return User{}, false
	}
	u, ok := a.users[name]
	if !ok {
		return User{}, false
	}
	c := *u
	c.Inline = make(map[string]string, len(u.Inline))
	for k, v := range u.Inline {
		c.Inline[k] = v
	}
	c.Attached = append([]string(nil), u.Attached...)
	c.Keys = append([]string(nil), u.Keys...)
	return c, true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

func mustAccount(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

func remove(s []string, v string) []string {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
