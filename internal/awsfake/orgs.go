package awsfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// organization is an AWS Organization: a management account and members.
type organization struct {
	id         string
	management string
	members    []string // account IDs, management first
}

// CreateOrganization makes management the management account of a new
// organization holding members (accounts are created when missing). Each
// member gets an OrganizationAccountAccessRole trusting the management
// account, as AWS creates for accounts made in the organization. It
// returns the organization ID.
func (f *Fake) CreateOrganization(management string, members ...string) (string, error) {
	for _, id := range append([]string{management}, members...) {
		if !isAccountID(id) {
			return "", fmt.Errorf("create organization: %q is not a 12-digit account ID", id)
		}
	}
	for _, m := range members {
		if _, err := f.AddRole(m, "OrganizationAccountAccessRole", management); err != nil {
			return "", fmt.Errorf("create organization: %w", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.org = &organization{
		id:         "o-" + strings.ToLower(f.gen.KeyID("", mustAccount(management))[:10]),
		management: management,
	}
	for i, id := range append([]string{management}, members...) {
		a := f.accountLocked(id)
		if a.Joined.IsZero() {
			a.Joined = f.now().Add(-time.Duration(len(members)-i) * 24 * time.Hour)
		}
		if !contains(f.org.members, id) {
			f.org.members = append(f.org.members, id)
		}
	}
	return f.org.id, nil
}

func orgOperation(action string) handler {
	if action == "ListAccounts" {
		return (*Fake).orgListAccounts
	}
	return nil
}

func (f *Fake) orgListAccounts(c *call) (*result, *apiError) {
	o := f.org
	if o == nil || !contains(o.members, c.p.Account) {
		return nil, errf(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if c.p.Account != o.management {
		return nil, errf(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
	}
	start := 0
	if s, _ := c.in["NextToken"].(string); s != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(s, "acct-"))
		if err != nil || !strings.HasPrefix(s, "acct-") || n < 0 || n > len(o.members) {
			return nil, errf(http.StatusBadRequest, "InvalidInputException", "The provided NextToken is not valid.")
		}
		start = n
	}
	max := 20
	if v, ok := c.in["MaxResults"].(float64); ok {
		if v < 1 || v > 20 {
			return nil, errf(http.StatusBadRequest, "InvalidInputException", "MaxResults must be between 1 and 20.")
		}
		max = int(v)
	}
	end := min(start+max, len(o.members))
	accounts := []map[string]any{}
	for _, id := range o.members[start:end] {
		a := f.accounts[id]
		method := "CREATED"
		if id == o.management {
			method = "INVITED"
		}
		accounts = append(accounts, map[string]any{
			"Id":              id,
			"Arn":             fmt.Sprintf("arn:aws:organizations::%s:account/%s/%s", o.management, o.id, id),
			"Name":            a.Name,
			"Email":           a.Email,
			"Status":          "ACTIVE",
			"State":           "ACTIVE",
			"JoinedMethod":    method,
			"JoinedTimestamp": float64(a.Joined.Unix()),
		})
	}
	out := map[string]any{"Accounts": accounts}
	if end < len(o.members) {
		out["NextToken"] = "acct-" + strconv.Itoa(end)
	}
	return &result{json: out}, nil
}
