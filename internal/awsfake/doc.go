// Package awsfake is a local AWS endpoint for tests and the demo. It
// serves the wire protocols the pinned aws-sdk-go-v2 clients send — AWS
// Query (form POST, XML answers, <ErrorResponse>) for STS and IAM, and AWS
// JSON 1.1 (X-Amz-Target, {"__type","message"} errors) for CloudTrail,
// Organizations and Secrets Manager — so code under test uses the real SDK
// over real HTTP with only its endpoint changed (BaseEndpoint, or
// AWS_ENDPOINT_URL_STS / _IAM / _CLOUDTRAIL / _ORGANIZATIONS /
// _SECRETS_MANAGER).
//
// # Faithful
//
//   - SigV4: every request's signature is recomputed from the secret the
//     fake holds (canonical request, string to sign, derived key). Unknown,
//     deleted or inactive keys, and session keys with a missing or wrong
//     X-Amz-Security-Token, get InvalidClientTokenId (403); a wrong secret
//     SignatureDoesNotMatch (403); an expired session ExpiredToken (400).
//     The JSON services answer UnrecognizedClientException,
//     InvalidSignatureException and ExpiredTokenException as AWS does.
//   - Key IDs come from internal/testkeys and encode their account, so
//     GetAccessKeyInfo and offline decoding agree.
//   - Each authenticated call updates its key's last-used time, service
//     and region, and is recorded as a CloudTrail event in the caller's
//     account and the signing region, with userIdentity, sourceIPAddress,
//     userAgent, requestParameters and responseElements (minted session
//     key IDs included, secrets never).
//   - Throttling answers use each service's code (Throttling,
//     ThrottlingException, TooManyRequestsException), which the SDK retries.
//
// # Simplified
//
//   - IAM policies are stored but barely evaluated: every call is allowed
//     except those denied with Deny, and those an explicit Deny statement
//     of the caller's user inline policies matches by action, with no
//     condition or only aws:TokenIssueTime DateLessThan (AWS's
//     AWSRevokeOlderSessions shape; see policy.go). Managed policies and
//     role policies are not evaluated. GetCallerIdentity is never denied.
//   - Deactivating or deleting a key leaves the sessions minted from it
//     valid until they expire, as in AWS.
//   - A role trusts the accounts given to AddRole; no trust policy.
//   - One partition ("aws"); any region name is accepted. The clock-skew
//     check is off unless Options.MaxSkew is set. CloudTrail has no
//     delivery delay and no 90-day window. Pagination tokens are opaque
//     but not encrypted.
//   - Last-used information is that of the key that signed: requests made
//     with session credentials do not touch the long-term key that minted
//     them. GetAccessKeyLastUsed of a key in another account answers
//     NoSuchEntity (the documented error of that call).
//   - LookupEvents does not enforce CloudTrail's 2 requests/second; use
//     Throttle to exercise throttling.
//   - Only the operations listed in the handlers exist; others answer
//     InvalidAction / UnknownOperationException.
//
// A Fake is safe for concurrent use. "AWS is down" is Close.
package awsfake
