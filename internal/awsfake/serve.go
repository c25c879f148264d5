package awsfake

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// call is one authenticated request on its way through an operation.
type call struct {
	service   string // signing name: "sts", "iam", …
	action    string // operation name: "GetCallerIdentity", …
	jsonProto bool
	region    string
	p         principal
	form      url.Values     // AWS Query parameters
	in        map[string]any // JSON input document
	requestID string
	sourceIP  string
	userAgent string
}

// result is what an operation answers: the body of its Query <…Result>
// element or its JSON document, and what CloudTrail records of it.
type result struct {
	xml       func(x *xmlw)
	json      any
	elements  map[string]any // CloudTrail responseElements (never secrets)
	resources []Resource
	alsoIn    []string // other accounts whose trail records the call too
}

// handler runs an operation with f.mu held.
type handler func(f *Fake, c *call) (*result, *apiError)

// queryNS is the XML namespace of a Query service's documents.
func queryNS(service string) string {
	if service == "iam" {
		return `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`
	}
	return `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`
}

// targetService maps an X-Amz-Target prefix to the service's signing name.
func targetService(target string) (service, action string) {
	prefix, action, _ := strings.Cut(target, ".")
	switch prefix {
	case "CloudTrail_20131101", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101":
		return "cloudtrail", action
	case "AWSOrganizationsV20161128":
		return "organizations", action
	case "secretsmanager":
		return "secretsmanager", action
	}
	return "unknown", action
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	reqID := f.nextIDLocked()
	f.mu.Unlock()
	c := &call{requestID: reqID, userAgent: r.UserAgent(), sourceIP: r.RemoteAddr}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.sourceIP = host
	}
	out, e := f.handle(w, r, c)
	if e != nil {
		if c.jsonProto {
			writeJSONError(w, reqID, e)
		} else {
			writeQueryError(w, queryNS(c.service), reqID, e)
		}
		return
	}
	ct := "text/xml"
	if c.jsonProto {
		ct = "application/x-amz-json-1.1"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Amzn-Requestid", reqID)
	_, _ = w.Write(out)
}

// handle runs a request through reading, authentication, dispatch and
// rendering, and returns the answer's body or the error to send.
func (f *Fake) handle(w http.ResponseWriter, r *http.Request, c *call) ([]byte, *apiError) {
	target := r.Header.Get("X-Amz-Target")
	c.jsonProto = target != ""
	a, authErrParse := parseAuth(r)
	if c.jsonProto {
		c.service, c.action = targetService(target)
	} else {
		c.service = a.Service
		if c.service != "iam" {
			c.service = "sts"
		}
	}
	f.mu.Lock()
	f.calls[c.service]++
	f.mu.Unlock()

	body, e := f.readBody(w, r)
	if e != nil {
		return nil, e
	}
	if e := c.parseInput(r, body); e != nil {
		return nil, e
	}
	switch {
	case errors.Is(authErrParse, errNoAuth):
		return nil, authErr(authMissing, c.jsonProto)
	case authErrParse != nil:
		code := "IncompleteSignature"
		if c.jsonProto {
			code = "IncompleteSignatureException"
		}
		return nil, errf(http.StatusBadRequest, code, "%v", authErrParse)
	case a.Service != c.service:
		return nil, authErr(authSignature, c.jsonProto)
	}
	c.region = a.Region
	if e := f.authenticate(r, body, a, c); e != nil {
		return nil, e
	}
	// Answers are rendered under the lock: results may point into state.
	f.mu.Lock()
	defer f.mu.Unlock()
	res, e := f.dispatchLocked(c)
	if e != nil {
		return nil, e
	}
	return c.render(res)
}

// readBody reads r's body up to Options.MaxBody.
func (f *Fake) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, f.opts.MaxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, errf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body larger than %d bytes", f.opts.MaxBody)
		}
		return nil, errf(http.StatusBadRequest, "IncompleteBody", "read request body: %v", err)
	}
	return body, nil
}

// parseInput reads the operation and its parameters from body.
func (c *call) parseInput(r *http.Request, body []byte) *apiError {
	if c.jsonProto {
		c.in = map[string]any{}
		if len(strings.TrimSpace(string(body))) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, &c.in); err != nil {
			return errf(http.StatusBadRequest, "SerializationException", "parse request body: %v", err)
		}
		return nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return errf(http.StatusBadRequest, "MalformedQueryString", "parse request body: %v", err)
	}
	for k, v := range r.URL.Query() {
		form[k] = append(form[k], v...)
	}
	c.form = form
	c.action = form.Get("Action")
	return nil
}

// dispatchLocked runs the throttle, deny and operation steps and records
// the call in CloudTrail. f.mu held.
func (f *Fake) dispatchLocked(c *call) (*result, *apiError) {
	if n := f.throttle[c.service]; n > 0 {
		f.throttle[c.service] = n - 1
		return nil, throttleErr(c.service)
	}
	h := operation(c.service, c.action)
	if h == nil {
		if c.jsonProto {
			return nil, errf(http.StatusBadRequest, "UnknownOperationException", "unknown operation %s", c.action)
		}
		return nil, errf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", c.action, c.form.Get("Version"))
	}
	action := c.service + ":" + c.action
	if c.action != "GetCallerIdentity" && (f.deniedLocked(c.p, action) || f.policyDeniedLocked(c.p, action)) {
		e := deniedErr(c.jsonProto, c.p.ARN, action, f.resourceLocked(c))
		f.recordLocked(c, nil, e)
		return nil, e
	}
	res, e := h(f, c)
	f.recordLocked(c, res, e)
	return res, e
}

func (f *Fake) deniedLocked(p principal, action string) bool {
	if f.deny[p.ARN][action] {
		return true
	}
	return p.RoleARN != "" && f.deny[p.RoleARN][action]
}

// resourceLocked names the resource of c for an AccessDenied message.
func (f *Fake) resourceLocked(c *call) string {
	if c.service == "iam" && c.form.Get("UserName") != "" {
		return "arn:aws:iam::" + c.p.Account + ":user/" + c.form.Get("UserName")
	}
	if c.service == "iam" && c.p.Type == "IAMUser" {
		return c.p.ARN
	}
	if c.action == "AssumeRole" {
		return c.form.Get("RoleArn")
	}
	return "*"
}

// operation returns the handler of service's action, or nil.
func operation(service, action string) handler {
	switch service {
	case "sts":
		return stsOperation(action)
	case "iam":
		return iamOperation(action)
	case "cloudtrail":
		return trailOperation(action)
	case "organizations":
		return orgOperation(action)
	case "secretsmanager":
		return secretsOperation(action)
	}
	return nil
}
