package revoke

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/keysweep/keysweep/scanner"
)

// Owner says whose key a key ID is.
type Owner struct {
	KeyID            string    `json:"key_id"`
	AccountID        string    `json:"account_id"`
	AccountFrom      string    `json:"account_from"` // "offline" or "sts:GetAccessKeyInfo"
	ResponderAccount string    `json:"responder_account"`
	Ours             bool      `json:"ours"` // in the responder's account or a member account reached with --org
	ViaRole          string    `json:"via_role,omitempty"`
	Temporary        bool      `json:"temporary,omitempty"` // ASIA session key: no IAM key to deactivate
	UserName         string    `json:"user_name,omitempty"`
	Status           string    `json:"status,omitempty"` // Active, Inactive
	Created          time.Time `json:"created,omitzero"`
	LastUsed         time.Time `json:"last_used,omitzero"` // zero: never used
	LastService      string    `json:"last_service,omitempty"`
	LastRegion       string    `json:"last_region,omitempty"`
	Advice           []string  `json:"advice,omitempty"` // what to do when the key is not ours
}

// CheckKeyID returns an error unless id has the shape of an AWS access key ID.
func CheckKeyID(id string) error {
	if len(id) != 20 || id[0] != 'A' {
		return fmt.Errorf("%q is not an AWS access key ID (20 characters, AKIA…/ASIA…)", id)
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7' || c >= '0' && c <= '9') {
			return fmt.Errorf("%q is not an AWS access key ID (20 characters, AKIA…/ASIA…)", id)
		}
	}
	return nil
}

// Owner finds the account and IAM user of keyID with read-only calls:
// the account offline or from sts:GetAccessKeyInfo; the user, status and
// last use with iam:GetAccessKeyLastUsed and iam:ListAccessKeys in the
// responder's account, or with Options.Org in a member account through
// sts:AssumeRole. A key in no account of ours is not an error: Owner.Ours is
// false and Owner.Advice says what to do. ErrKeyNotFound means the account
// is ours but holds no such key. The owner is journaled when a journal
// directory is set.
func (r *Responder) Owner(ctx context.Context, keyID string) (Owner, error) {
	o, _, err := r.locate(ctx, keyID)
	if err != nil {
		return o, err
	}
	if r.opts.JournalDir != "" && !r.opts.DryRun {
		j, err := r.openJournal(keyID)
		if err != nil {
			return o, err
		}
		defer j.Close()
		if err := j.record("owner", o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// locate returns the owner and the clients acting in the owner's account
// (nil when the key is not ours).
func (r *Responder) locate(ctx context.Context, keyID string) (Owner, *account, error) {
	o, a, err := r.where(ctx, keyID)
	if err != nil || a == nil {
		return o, a, err
	}
	if o.Temporary {
		o.Advice = []string{"temporary (ASIA) credentials cannot be deactivated: contain the user or role that minted them " +
			"(respond investigate finds the GetSessionToken/AssumeRole call) and revoke its older sessions"}
		return o, a, nil
	}
	if err := r.lookupUser(ctx, a, &o); err != nil {
		return o, nil, err
	}
	return o, a, nil
}

// where finds keyID's account and the clients acting in it, without
// looking up the user (the key may be deleted already).
func (r *Responder) where(ctx context.Context, keyID string) (Owner, *account, error) {
	if err := CheckKeyID(keyID); err != nil {
		return Owner{}, nil, err
	}
	o := Owner{KeyID: keyID, Temporary: scanner.TypeOf(keyID) == scanner.SessionKey}
	if acct, ok := scanner.AccountID(keyID); ok {
		o.AccountID, o.AccountFrom = acct, "offline"
	} else {
		out, err := r.sts.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(keyID)})
		if err != nil {
			return o, nil, classify("sts:GetAccessKeyInfo", "", fmt.Errorf("get access key info: %w", err))
		}
		o.AccountID, o.AccountFrom = aws.ToString(out.Account), "sts:GetAccessKeyInfo"
	}
	own, err := r.ownAccount(ctx)
	if err != nil {
		return o, nil, err
	}
	o.ResponderAccount = own
	var a *account
	switch {
	case o.AccountID == own:
		a = r.own
	case r.opts.Org:
		member, err := r.inOrg(ctx, o.AccountID)
		if err != nil {
			return o, nil, err
		}
		if member {
			if a, err = r.member(ctx, o.AccountID); err != nil {
				return o, nil, err
			}
			o.ViaRole = a.viaRole
		}
	}
	if a == nil {
		o.Advice = notOursAdvice(o)
		return o, nil, nil
	}
	o.Ours = true
	return o, a, nil
}

func notOursAdvice(o Owner) []string {
	return []string{
		fmt.Sprintf("the key belongs to AWS account %s, not to the responder's account %s (nor, with --org, to a member of its organization)", o.AccountID, o.ResponderAccount),
		"do not try to use it: report the exposure to the account's owner if you know them, with where the key was found",
		"otherwise report it to AWS Trust & Safety (the abuse form at https://support.aws.amazon.com/#/contacts/report-abuse or abuse@amazonaws.com), giving the key ID (never the secret) and the location",
		"remove the key from the place it was found and from its history, whoever owns it",
	}
}

func (r *Responder) ownAccount(ctx context.Context) (string, error) {
	r.mu.Lock()
	id := r.ownID
	r.mu.Unlock()
	if id != "" {
		return id, nil
	}
	out, err := r.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", classify("sts:GetCallerIdentity", "", fmt.Errorf("get caller identity: %w", err))
	}
	id = aws.ToString(out.Account)
	r.mu.Lock()
	r.ownID, r.own.id = id, id
	r.mu.Unlock()
	return id, nil
}

// inOrg reports whether id is a member of the responder's organization.
func (r *Responder) inOrg(ctx context.Context, id string) (bool, error) {
	p := organizations.NewListAccountsPaginator(r.org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if hasCode(err, "AWSOrganizationsNotInUseException") {
			return false, nil
		}
		if err != nil {
			return false, classify("organizations:ListAccounts", "", fmt.Errorf("list organization accounts: %w", err))
		}
		for _, acc := range page.Accounts {
			if aws.ToString(acc.Id) == id {
				return true, nil
			}
		}
	}
	return false, nil
}

func (r *Responder) member(ctx context.Context, id string) (*account, error) {
	r.mu.Lock()
	a := r.members[id]
	r.mu.Unlock()
	if a != nil {
		return a, nil
	}
	a, err := r.assume(ctx, id)
	if err != nil {
		return nil, err
	}
	a.id = id
	r.mu.Lock()
	if r.members == nil {
		r.members = map[string]*account{}
	}
	r.members[id] = a
	r.mu.Unlock()
	return a, nil
}

// lookupUser fills the user, status, creation and last use of o's key.
func (r *Responder) lookupUser(ctx context.Context, a *account, o *Owner) error {
	lu, err := a.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(o.KeyID)})
	if hasCode(err, "NoSuchEntity") {
		return fmt.Errorf("look up key %s in account %s: %w", o.KeyID, o.AccountID, ErrKeyNotFound)
	}
	if err != nil {
		return classify("iam:GetAccessKeyLastUsed", o.AccountID, fmt.Errorf("get access key last used: %w", err))
	}
	o.UserName = aws.ToString(lu.UserName)
	if u := lu.AccessKeyLastUsed; u != nil {
		o.LastUsed = aws.ToTime(u.LastUsedDate).UTC()
		o.LastService, o.LastRegion = aws.ToString(u.ServiceName), aws.ToString(u.Region)
		if o.LastService == "N/A" {
			o.LastService = ""
		}
		if o.LastRegion == "N/A" {
			o.LastRegion = ""
		}
	}
	keys, err := listKeys(ctx, a, o.UserName)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == o.KeyID {
			o.Status, o.Created = k.Status, k.Created
			return nil
		}
	}
	return fmt.Errorf("look up key %s of user %s: %w", o.KeyID, o.UserName, ErrKeyNotFound)
}

// KeyInfo is one access key of a user.
type KeyInfo struct {
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created,omitzero"`
}

func listKeys(ctx context.Context, a *account, user string) ([]KeyInfo, error) {
	var keys []KeyInfo
	p := iam.NewListAccessKeysPaginator(a.iam, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if hasCode(err, "NoSuchEntity") {
			return nil, fmt.Errorf("list access keys of %s: user gone: %w", user, ErrKeyNotFound)
		}
		if err != nil {
			return nil, classify("iam:ListAccessKeys", a.id, fmt.Errorf("list access keys of %s: %w", user, err))
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, KeyInfo{ID: aws.ToString(k.AccessKeyId), Status: string(k.Status), Created: aws.ToTime(k.CreateDate).UTC()})
		}
	}
	return keys, nil
}
