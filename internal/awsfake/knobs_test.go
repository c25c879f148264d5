package awsfake_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestThrottleThenRecover(t *testing.T) {
	f, _ := newFake(t)
	k := mustUserKey(t, f, acctA, "deploy")
	c := stsClient(t, f, k)
	f.Throttle("sts", 2) // the standard retryer makes 3 attempts
	if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("after 2 throttles the third attempt should succeed: %v", err)
	}
	if n := f.Calls("sts"); n != 3 {
		t.Errorf("sts calls = %d, want 3 (2 throttled + 1)", n)
	}
	f.Throttle("sts", 5)
	_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if code(err) != "Throttling" {
		t.Fatalf("throttled past the retries: %v, want Throttling", err)
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	f, _ := newFake(t)
	k := mustUserKey(t, f, acctA, "deploy")
	t.Setenv("AWS_ENDPOINT_URL_STS", f.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", k.ID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", k.Secret)
	t.Setenv("AWS_REGION", "us-west-2")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	c, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(c).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != acctA {
		t.Errorf("account %s", aws.ToString(out.Account))
	}
	if ev := f.Events(acctA, "us-west-2"); len(ev) != 1 || ev[0].Name != "GetCallerIdentity" {
		t.Errorf("events in us-west-2 = %+v, want one GetCallerIdentity", ev)
	}
}

// rawPost sends an unsigned or hand-made request and returns status and body.
func rawPost(t *testing.T, u string, hdr map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMalformedRequests(t *testing.T) {
	f, _ := newFake(t)
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	formCT := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	tests := []struct {
		name   string
		hdr    map[string]string
		body   string
		status int
		want   string
	}{
		{"unsigned query", formCT, form, 403, "<Code>MissingAuthenticationToken</Code>"},
		{"unsigned json", map[string]string{"X-Amz-Target": "CloudTrail_20131101.LookupEvents", "Content-Type": "application/x-amz-json-1.1"}, "{}", 400, `"__type":"MissingAuthenticationTokenException"`},
		{"garbage authorization", map[string]string{"Authorization": "AWS4-HMAC-SHA256 nonsense"}, form, 400, "<Code>IncompleteSignature</Code>"},
		{"bad json body", map[string]string{"X-Amz-Target": "secretsmanager.GetSecretValue"}, "{not json", 400, "SerializationException"},
		{"bad form encoding", formCT, "Action=%zz", 400, "<Code>MalformedQueryString</Code>"},
		{"body too large", formCT, strings.Repeat("a", 2<<20), 413, "RequestEntityTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := rawPost(t, f.URL, tt.hdr, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s, want %d containing %s", status, body, tt.status, tt.want)
			}
		})
	}
}

func TestDownAfterClose(t *testing.T) {
	f, _ := newFake(t)
	k := mustUserKey(t, f, acctA, "deploy")
	c := stsClient(t, f, k)
	if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err == nil || code(err) != "" {
		t.Fatalf("closed fake answered: %v, want a connection error", err)
	}
}
