package awsfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
)

// TestShapesMatchSDKSnapshots checks every element or member the fake
// sends against the pinned SDK's own response snapshots (the
// response_snapshot directories of the service modules): a name the
// snapshot does not know would be silently dropped by the client.
func TestShapesMatchSDKSnapshots(t *testing.T) {
	f, _ := newFake(t)
	bodies := map[string][]byte{} // "service/Operation" → last 200 body
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, r)
		op := r.Header.Get("X-Amz-Target")
		if op == "" {
			form, _ := url.ParseQuery(string(b))
			op = form.Get("Action")
		}
		if rec.Code == 200 {
			mu.Lock()
			bodies[op] = rec.Body.Bytes()
			mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	f.URL = srv.URL
	exerciseAll(t, f)
	if len(bodies) != 20 {
		t.Errorf("captured %d successful operations, want 20: %v", len(bodies), bodies)
	}

	for op, body := range bodies {
		service, name := "sts", op
		switch {
		case strings.HasPrefix(op, "AWSOrganizations"):
			service, name = "organizations", strings.TrimPrefix(op, "AWSOrganizationsV20161128.")
		case strings.HasPrefix(op, "secretsmanager."):
			service, name = "secretsmanager", strings.TrimPrefix(op, "secretsmanager.")
		case strings.HasPrefix(op, "CloudTrail"):
			continue // the pinned cloudtrail module ships no response snapshots
		case !isSTS(name):
			service = "iam"
		}
		t.Run(service+"/"+name, func(t *testing.T) {
			snap := readSnapshot(t, service, name)
			var want, got map[string]bool
			if service == "sts" || service == "iam" {
				want, got = xmlPaths(t, snap), xmlPaths(t, body)
				delete(got, name+"Response/ResponseMetadata")
				delete(got, name+"Response/ResponseMetadata/RequestId")
			} else {
				want, got = jsonPaths(t, snap), jsonPaths(t, body)
			}
			for p := range got {
				if !want[p] {
					t.Errorf("fake sends %s, unknown to the SDK snapshot (knows %v)", p, keys(want))
				}
			}
		})
	}
}

func isSTS(op string) bool {
	switch op {
	case "GetCallerIdentity", "GetAccessKeyInfo", "AssumeRole", "GetSessionToken":
		return true
	}
	return false
}

// exerciseAll calls each operation of the fake once with success.
func exerciseAll(t *testing.T, f *awsfake.Fake) {
	ctx := context.Background()
	admin := mustUserKey(t, f, acctA, "responder")
	if _, err := f.CreateOrganization(acctA, acctB); err != nil {
		t.Fatal(err)
	}
	s, i := stsClient(t, f, admin), iamClient(t, f, admin)
	u, arn := aws.String("responder"), aws.String("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3")
	doc := aws.String(`{"Version":"2012-10-17","Statement":[]}`)
	calls := []func() error{
		func() error { _, err := s.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err },
		func() error {
			_, err := s.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(admin.ID)})
			return err
		},
		func() error {
			_, err := s.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acctB + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("s")})
			return err
		},
		func() error { _, err := s.GetSessionToken(ctx, &sts.GetSessionTokenInput{}); return err },
		func() error { _, err := i.ListUsers(ctx, &iam.ListUsersInput{}); return err },
		func() error { _, err := i.GetUser(ctx, &iam.GetUserInput{UserName: u}); return err },
		func() error { _, err := i.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u}); return err },
		func() error {
			_, err := i.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(admin.ID)})
			return err
		},
		func() error {
			_, err := i.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: u, AccessKeyId: aws.String(admin.ID), Status: "Active"})
			return err
		},
		func() error {
			out, err := i.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: u})
			if err != nil {
				return err
			}
			_, err = i.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: u, AccessKeyId: out.AccessKey.AccessKeyId})
			return err
		},
		func() error {
			_, err := i.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: u, PolicyName: aws.String("p"), PolicyDocument: doc})
			return err
		},
		func() error {
			_, err := i.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: u, PolicyName: aws.String("p")})
			return err
		},
		func() error { _, err := i.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: u}); return err },
		func() error {
			_, err := i.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: u, PolicyArn: arn})
			return err
		},
		func() error {
			_, err := i.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: u})
			return err
		},
		func() error {
			_, err := organizations.NewFromConfig(cfg(t, f, admin, "us-east-1")).ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
			return err
		},
		func() error {
			sm := secretsmanager.NewFromConfig(cfg(t, f, admin, "us-east-1"))
			if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("n"), SecretString: aws.String("v")}); err != nil {
				return err
			}
			if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("n"), SecretString: aws.String("w")}); err != nil {
				return err
			}
			_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("n")})
			return err
		},
	}
	for _, call := range calls {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
}

// readSnapshot returns the body of the SDK's response snapshot of op,
// skipping the test when the module source is not in the module cache.
func readSnapshot(t *testing.T, service, op string) []byte {
	t.Helper()
	mod := "github.com/aws/aws-sdk-go-v2/service/" + service
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Skipf("read go.mod: %v", err)
	}
	version := ""
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == mod {
			version = f[1]
		}
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		cache = filepath.Join(gopath, "pkg", "mod")
	}
	b, err := os.ReadFile(filepath.Join(cache, mod+"@"+version, "response_snapshot", op+".response.snap"))
	if err != nil {
		t.Skipf("snapshot not available: %v", err)
	}
	_, body, _ := bytes.Cut(b, []byte("\n\n")) // status and headers, blank line, body
	return body
}

func xmlPaths(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	paths := map[string]bool{}
	var stack []string
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return paths
		}
		if err != nil {
			t.Fatalf("parse XML: %v\n%s", err, b)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			paths[strings.Join(stack, "/")] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func jsonPaths(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("parse JSON: %v\n%s", err, b)
	}
	paths := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				paths[prefix+k] = true
				walk(prefix+k+"/", e)
			}
		case []any:
			for _, e := range x {
				walk(prefix, e)
			}
		}
	}
	walk("", v)
	return paths
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
