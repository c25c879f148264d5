package awsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an AWS error answer. code is the wire code for the service's
// protocol (AWS Query codes like "NoSuchEntity", JSON codes like
// "ResourceNotFoundException"); status is the HTTP status AWS uses.
type apiError struct {
	status  int
	code    string
	message string
	sender  bool // Type Sender (client fault) vs Receiver
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errf(status int, code, format string, a ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, a...), sender: status < 500}
}

// authError is an authentication failure; its code depends on the protocol:
// the Query services (STS, IAM) and the JSON services name them differently.
type authKind int

const (
	authMissing authKind = iota
	authInvalidToken
	authSignature
	authExpired
)

var authCodes = map[authKind][2]string{
	authMissing:      {"MissingAuthenticationToken", "MissingAuthenticationTokenException"},
	authInvalidToken: {"InvalidClientTokenId", "UnrecognizedClientException"},
	authSignature:    {"SignatureDoesNotMatch", "InvalidSignatureException"},
	authExpired:      {"ExpiredToken", "ExpiredTokenException"},
}

var authMessages = map[authKind]string{
	authMissing:      "Request is missing Authentication Token",
	authInvalidToken: "The security token included in the request is invalid.",
	authSignature:    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
	authExpired:      "The security token included in the request is expired",
}

func authErr(kind authKind, jsonProto bool) *apiError {
	c := authCodes[kind]
	if jsonProto {
		return &apiError{status: http.StatusBadRequest, code: c[1], message: authMessages[kind], sender: true}
	}
	status := http.StatusForbidden
	if kind == authExpired {
		status = http.StatusBadRequest
	}
	return &apiError{status: status, code: c[0], message: authMessages[kind], sender: true}
}

// throttleErr is the throttling answer of service; the SDK's standard
// retryer treats each of these codes as retryable.
func throttleErr(service string) *apiError {
	code := "ThrottlingException"
	switch service {
	case "sts", "iam":
		code = "Throttling"
	case "organizations":
		code = "TooManyRequestsException"
	}
	return &apiError{status: http.StatusBadRequest, code: code, message: "Rate exceeded", sender: true}
}

// deniedErr is AccessDenied for principal performing action (e.g.
// "iam:UpdateAccessKey") on resource.
func deniedErr(jsonProto bool, principalARN, action, resource string) *apiError {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", principalARN, action, resource)
	if jsonProto {
		return &apiError{status: http.StatusBadRequest, code: "AccessDeniedException", message: msg, sender: true}
	}
	return &apiError{status: http.StatusForbidden, code: "AccessDenied", message: msg, sender: true}
}

// writeQueryError writes e as an AWS Query ErrorResponse document.
func writeQueryError(w http.ResponseWriter, ns, requestID string, e *apiError) {
	typ := "Sender"
	if !e.sender {
		typ = "Receiver"
	}
	var x xmlw
	x.open("ErrorResponse", ns)
	x.open("Error", "")
	x.el("Type", typ)
	x.el("Code", e.code)
	x.el("Message", e.message)
	x.close("Error")
	x.el("RequestId", requestID)
	x.close("ErrorResponse")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.status)
	_, _ = w.Write(x.b.Bytes())
}

// writeJSONError writes e as an AWS JSON 1.1 error document.
func writeJSONError(w http.ResponseWriter, requestID string, e *apiError) {
	b, _ := json.Marshal(map[string]string{"__type": e.code, "message": e.message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
