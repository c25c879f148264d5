package awsfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// sigTimeFormat is the X-Amz-Date layout.
const sigTimeFormat = "20060102T150405Z"

// authHeader is a parsed "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…" Authorization header.
type authHeader struct {
	KeyID         string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

var errNoAuth = errors.New("missing authorization")

// parseAuth parses the SigV4 Authorization header of r. It returns
// errNoAuth when there is none, another error when it is malformed.
func parseAuth(r *http.Request) (authHeader, error) {
	var a authHeader
	h := r.Header.Get("Authorization")
	if h == "" {
		return a, errNoAuth
	}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != "AWS4-HMAC-SHA256" {
		return a, fmt.Errorf("parse authorization: unsupported algorithm %q", alg)
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("parse authorization: bad component %q", part)
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, fmt.Errorf("parse authorization: bad credential scope %q", v)
			}
			a.KeyID, a.Date, a.Region, a.Service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		}
	}
	if a.KeyID == "" || len(a.SignedHeaders) == 0 || a.Signature == "" {
		return a, errors.New("parse authorization: incomplete")
	}
	return a, nil
}

// checkSignature recomputes the SigV4 signature of r (whose body was already
// read into body) with secret and reports whether it matches a.Signature.
// It follows the canonical request of AWS's signature version 4 for
// non-S3 services: double-escaped path, sorted query, the signed headers
// named by the request, and the SHA-256 of the body.
func checkSignature(r *http.Request, body []byte, a authHeader, secret string) bool {
	amzDate := r.Header.Get("X-Amz-Date")
	if len(amzDate) < 8 || amzDate[:8] != a.Date {
		return false
	}
	creq := canonicalRequest(r, body, a.SignedHeaders)
	scope := strings.Join([]string{a.Date, a.Region, a.Service, "aws4_request"}, "/")
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hexSHA(creq)
	k := hmacSHA([]byte("AWS4"+secret), a.Date)
	k = hmacSHA(k, a.Region)
	k = hmacSHA(k, a.Service)
	k = hmacSHA(k, "aws4_request")
	want := hex.EncodeToString(hmacSHA(k, sts))
	return hmac.Equal([]byte(want), []byte(a.Signature))
}

func canonicalRequest(r *http.Request, body []byte, signed []string) string {
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	path = escapePath(path)
	q := r.URL.Query()
	for k := range q {
		sort.Strings(q[k])
	}
	query := strings.ReplaceAll(q.Encode(), "+", "%20")
	var hdrs strings.Builder
	for _, name := range signed {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = r.Header.Get("Content-Length")
			if v == "" && r.ContentLength >= 0 {
				v = fmt.Sprint(r.ContentLength)
			}
		default:
			vals := r.Header.Values(name)
			for i := range vals {
				vals[i] = stripSpaces(vals[i])
			}
			v = strings.Join(vals, ",")
		}
		hdrs.WriteString(name + ":" + v + "\n")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = hexSHA(string(body))
	}
	return strings.Join([]string{r.Method, path, query, hdrs.String(), strings.Join(signed, ";"), payload}, "\n")
}

// escapePath escapes p the way the SDK does for non-S3 services: every
// byte but unreserved characters and '/' is percent-encoded (so an already
// escaped path is escaped twice).
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func stripSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

func hexSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func hmacSHA(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// requestTime returns the X-Amz-Date of r, or the zero time.
func requestTime(r *http.Request) time.Time {
	t, _ := time.Parse(sigTimeFormat, r.Header.Get("X-Amz-Date"))
	return t
}
