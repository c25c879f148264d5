package revoke

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// PolicyDoc is where the responder's minimal IAM policy is documented.
const PolicyDoc = "docs/responder-policy.md"

// ErrKeyNotFound means the access key does not exist (any more) in the
// account searched: deleted already, or never issued there.
var ErrKeyNotFound = errors.New("access key not found")

// DeniedError means the responder's credentials lack a permission.
type DeniedError struct {
	Permission string // "iam:UpdateAccessKey"
	Account    string // "" when unknown
	Code       string // AWS error code, e.g. AccessDenied
	Err        error
}

func (e *DeniedError) Error() string {
	where := ""
	if e.Account != "" {
		where = " in account " + e.Account
	}
	return fmt.Sprintf("access denied: the responder's credentials lack %s%s (%s)", e.Permission, where, e.Code)
}

func (e *DeniedError) Unwrap() error { return e.Err }

// CredentialsError means AWS rejected the responder's own credentials
// (unknown, inactive, expired or wrongly signed) or none were found.
type CredentialsError struct {
	Code string
	Err  error
}

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("responder credentials rejected (%s): %v", e.Code, e.Err)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// classify turns AWS errors the responder can act on into DeniedError and
// CredentialsError, by error code, never by message text. Others pass through.
func classify(permission, acct string, err error) error {
	if err == nil {
		return nil
	}
	var d *DeniedError
	var c *CredentialsError
	if errors.As(err, &d) || errors.As(err, &c) {
		return err
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch code := ae.ErrorCode(); code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess":
		return &DeniedError{Permission: permission, Account: acct, Code: code, Err: err}
	case "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
		"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken":
		return &CredentialsError{Code: code, Err: err}
	}
	return err
}

// hasCode reports whether err is an AWS API error with one of codes.
func hasCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}
