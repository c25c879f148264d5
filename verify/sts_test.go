package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

func TestClassify(t *testing.T) {
	api := func(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }
	tests := []struct {
		name string
		err  error
		want scanner.Verdict
	}{
		{"signature", api("SignatureDoesNotMatch", "x"), scanner.WrongSecret},
		{"unknown key", api("InvalidClientTokenId", "x"), scanner.Invalid},
		{"expired", api("ExpiredToken", "x"), scanner.Expired},
		{"wrapped", fmt.Errorf("operation error STS: %w", api("InvalidClientTokenId", "x")), scanner.Invalid},
		{"throttling", api("Throttling", "Rate exceeded"), scanner.VerifyError},
		{"access denied", api("AccessDenied", "x"), scanner.VerifyError},
		{"code only in the message", api("InternalFailure", "InvalidClientTokenId SignatureDoesNotMatch"), scanner.VerifyError},
		{"plain error naming a code", errors.New("InvalidClientTokenId"), scanner.VerifyError},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, scanner.VerifyError},
		{"nil", nil, scanner.Live},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify = %q, want %q", got, tt.want)
			}
		})
	}
}

// hostRecorder is an HTTP client that records request hosts and sends nothing.
type hostRecorder struct {
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) Do(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host)
	h.mu.Unlock()
	return nil, errors.New("recorded, not sent")
}

func TestEndpointChoice(t *testing.T) {
	user := aws.Config{BaseEndpoint: aws.String("https://sts.internal.example:8443")}
	tests := []struct {
		name      string
		partition string
		endpoint  string
		user      *aws.Config
		want      string
		region    string
	}{
		{"aws", "aws", "", nil, "sts.us-east-1.amazonaws.com", ""},
		{"default partition", "", "", nil, "sts.us-east-1.amazonaws.com", ""},
		{"aws-cn", "aws-cn", "", nil, "sts.cn-north-1.amazonaws.com.cn", ""},
		{"aws-us-gov", "aws-us-gov", "", nil, "sts.us-gov-west-1.amazonaws.com", ""},
		{"user configuration", "aws", "", &user, "sts.internal.example:8443", ""},
		{"flag beats configuration", "aws", "http://127.0.0.1:9", &user, "127.0.0.1:9", ""},
		{"signing region", "aws", "", nil, "sts.eu-west-3.amazonaws.com", "eu-west-3"},
	}
	g := testkeys.New(30)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &hostRecorder{}
			cfg := fastConfig(tt.endpoint)
			cfg.Partition, cfg.Region, cfg.UserConfig, cfg.HTTPClient, cfg.MaxAttempts = tt.partition, tt.region, tt.user, rec, 1
			v := newVerifier(t, cfg)
			f := finding(g.AccessKeyID(), g.Secret())
			if got := v.Verify(context.Background(), &f); got.Verdict != scanner.VerifyError {
				t.Fatalf("verdict %+v, want error", got)
			}
			if len(rec.hosts) != 1 || rec.hosts[0] != tt.want {
				t.Errorf("hosts = %v, want [%s]", rec.hosts, tt.want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"partition", Config{Partition: "aws-mars"}, "unknown partition"},
		{"endpoint scheme", Config{Endpoint: "ftp://x"}, "want http(s)://host"},
		{"endpoint without host", Config{Endpoint: "https://"}, "want http(s)://host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	s := scanner.Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	tok := scanner.Secret("IQoJb3JpZ2luX2VjEXAMPLETOKEN")
	got := scrub("bad "+s.Reveal()+" and "+tok.Reveal(), s, tok)
	if strings.Contains(got, s.Reveal()) || strings.Contains(got, tok.Reveal()) || !strings.Contains(got, "wJal****") {
		t.Errorf("scrub = %q", got)
	}
}
