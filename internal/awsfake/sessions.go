package awsfake

import (
	"fmt"
	"time"
)

// IssueSession mints session credentials from long-term key parent, as
// GetSessionToken would, valid for d. The session acts as the key's user.
func (f *Fake) IssueSession(parent string, d time.Duration) (Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.keys[parent]
	if !ok {
		return Key{}, fmt.Errorf("issue session: no key %s", parent)
	}
	return f.mintSessionLocked(p, nil, "", d), nil
}

// mintSessionLocked creates an ASIA key in account of p (or of role when set).
func (f *Fake) mintSessionLocked(p *Key, role *Role, sessionName string, d time.Duration) Key {
	acct := p.Account
	if role != nil {
		acct = role.Account
	}
	k := &Key{
		ID:     f.gen.KeyID("ASIA", mustAccount(acct)),
		Secret: f.gen.Secret(), SessionToken: f.gen.SessionToken(),
		Account: acct, Status: StatusActive, Created: f.now(), Expires: f.now().Add(d),
		Parent: p.ID, SessionName: sessionName,
	}
	if role != nil {
		k.Role = role.Name
	} else {
		k.User, k.Role, k.SessionName = p.User, p.Role, p.SessionName
	}
	f.keys[k.ID] = k
	return *k
}

// PutSessionKey plants session credentials (an ASIA key ID, its secret and
// session token, for example ones a test also writes into a scanned file)
// acting as user of account until expires.
func (f *Fake) PutSessionKey(accountID, user, keyID, secret, token string, expires time.Time) (Key, error) {
	if !isAccountID(accountID) {
		return Key{}, fmt.Errorf("put session key: %q is not a 12-digit account ID", accountID)
	}
	if len(keyID) != 20 || keyID[:4] != "ASIA" || token == "" {
		return Key{}, fmt.Errorf("put session key: want an ASIA key ID and a session token")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.keys[keyID]; ok {
		return Key{}, fmt.Errorf("put session key: %s already exists", keyID)
	}
	f.addUserLocked(accountID, user)
	k := &Key{
		ID: keyID, Secret: secret, SessionToken: token, Account: accountID, User: user,
		Status: StatusActive, Created: f.now(), Expires: expires,
	}
	f.keys[keyID] = k
	return *k, nil
}

// AddRole adds role name to account, assumable from the accounts trusted
// (its own account is always trusted), and returns it.
func (f *Fake) AddRole(accountID, name string, trusted ...string) (Role, error) {
	if !isAccountID(accountID) {
		return Role{}, fmt.Errorf("add role: %q is not a 12-digit account ID", accountID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accountLocked(accountID)
	r := &Role{
		Name: name, Account: accountID, Created: f.now(),
		ID:      f.gen.KeyID("AROA", mustAccount(accountID)),
		ARN:     fmt.Sprintf("arn:aws:iam::%s:role/%s", accountID, name),
		Trusted: append([]string{accountID}, trusted...),
	}
	a.roles[name] = r
	return *r, nil
}
