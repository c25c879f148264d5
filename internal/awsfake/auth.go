package awsfake

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// principal is who signed a request.
type principal struct {
	Type        string // "IAMUser" or "AssumedRole"
	Account     string
	ARN         string
	UserID      string // AIDA… for users, AROA…:session for role sessions
	UserName    string // IAM user name (users and their GetSessionToken sessions)
	RoleARN     string // the role, for AssumedRole
	RoleID      string
	SessionName string
	KeyID       string
	Session     bool      // ASIA credentials
	TokenIssued time.Time // when the session was issued (aws:TokenIssueTime); zero for long-term keys
	Parent      string
}

// authenticate checks a's key and signature the way AWS does: an unknown,
// deleted or inactive key ID, or a session key without its token, is
// InvalidClientTokenId; an expired session ExpiredToken; a wrong secret
// SignatureDoesNotMatch. On success it fills c.p and updates the signing
// key's last-used time, service and region (a session key's own record:
// the long-term key that minted it is not touched).
func (f *Fake) authenticate(r *http.Request, body []byte, a authHeader, c *call) *apiError {
	f.mu.Lock()
	kp, ok := f.keys[a.KeyID]
	var k Key
	if ok {
		k = *kp
	}
	f.mu.Unlock()
	token := r.Header.Get("X-Amz-Security-Token")
	switch {
	case !ok || k.Status != StatusActive:
		return authErr(authInvalidToken, c.jsonProto)
	case k.SessionToken == "" && token != "":
		return authErr(authInvalidToken, c.jsonProto)
	case k.SessionToken != "" && token != k.SessionToken:
		return authErr(authInvalidToken, c.jsonProto)
	}
	if !k.Expires.IsZero() && !f.now().Before(k.Expires) {
		return authErr(authExpired, c.jsonProto)
	}
	if !checkSignature(r, body, a, k.Secret) {
		return authErr(authSignature, c.jsonProto)
	}
	if f.opts.MaxSkew > 0 {
		t := requestTime(r)
		if d := f.now().Sub(t); d > f.opts.MaxSkew || d < -f.opts.MaxSkew {
			e := authErr(authSignature, c.jsonProto)
			e.message = fmt.Sprintf("Signature expired: %s is now earlier than %s", t.Format(sigTimeFormat), f.now().Add(-f.opts.MaxSkew).Format(sigTimeFormat))
			return e
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	kp, ok = f.keys[a.KeyID]
	if !ok { // deleted while we checked
		return authErr(authInvalidToken, c.jsonProto)
	}
	kp.LastUsed, kp.LastService, kp.LastRegion = f.now(), c.service, a.Region
	c.p = f.principalLocked(kp)
	return nil
}

// principalLocked describes the identity behind key k. f.mu held.
func (f *Fake) principalLocked(k *Key) principal {
	p := principal{Account: k.Account, KeyID: k.ID, Session: k.SessionToken != "", Parent: k.Parent}
	if p.Session {
		p.TokenIssued = k.Created
	}
	if k.Role != "" {
		p.Type = "AssumedRole"
		p.RoleARN = fmt.Sprintf("arn:aws:iam::%s:role/%s", k.Account, k.Role)
		p.ARN = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", k.Account, k.Role, k.SessionName)
		p.SessionName = k.SessionName
		if a, ok := f.accounts[k.Account]; ok {
			if r, ok := a.roles[k.Role]; ok {
				p.RoleID = r.ID
			}
		}
		p.UserID = p.RoleID + ":" + k.SessionName
		return p
	}
	p.Type = "IAMUser"
	p.UserName = k.User
	p.ARN = fmt.Sprintf("arn:aws:iam::%s:user/%s", k.Account, k.User)
	if a, ok := f.accounts[k.Account]; ok {
		if u, ok := a.users[k.User]; ok {
			p.UserID, p.ARN = u.ID, u.ARN
		}
	}
	return p
}

// decodeAccount returns the account ID encoded in a new-format key ID
// (AKIA/ASIA… issued since 2019), as GetAccessKeyInfo reports it.
func decodeAccount(keyID string) (string, bool) {
	if len(keyID) != 20 {
		return "", false
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var z uint64
	for _, c := range keyID[4:14] { // 10 chars = 50 bits, covering the first 6 bytes
		i := strings.IndexRune(alphabet, c)
		if i < 0 {
			return "", false
		}
		z = z<<5 | uint64(i)
	}
	z >>= 2 // keep the first 48 bits
	acct := (z & 0x7fffffffff80) >> 7
	return fmt.Sprintf("%012d", acct), true
}
