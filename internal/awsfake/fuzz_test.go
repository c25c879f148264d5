package awsfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzSignedRequests sends correctly signed requests with arbitrary
// targets and bodies, so every operation sees hostile input. Invariants:
// no panic, no 5xx, and the answer parses in the protocol's format.
func FuzzSignedRequests(f *testing.F) {
	seeds := []struct{ target, body string }{
		{"", "Action=GetCallerIdentity&Version=2011-06-15"},
		{"", "Action=AssumeRole&RoleArn=arn:aws:iam::111122223333:role/r&RoleSessionName=s&DurationSeconds=900"},
		{"", "Action=GetSessionToken&DurationSeconds=x"},
		{"", "Action=CreateAccessKey&UserName=u"},
		{"", "Action=ListUsers&Marker=99&MaxItems=0"},
		{"", "Action=PutUserPolicy&UserName=u&PolicyName=p&PolicyDocument=%7B%7D"},
		{"", "Action=GetAccessKeyInfo&AccessKeyId=AKIA%00"},
		{"CloudTrail_20131101.LookupEvents", `{"LookupAttributes":[{"AttributeKey":"AccessKeyId","AttributeValue":"AKIA"}],"MaxResults":1.5,"StartTime":"x"}`},
		{"CloudTrail_20131101.LookupEvents", `{"NextToken":"eyJ0IjoxfQ","LookupAttributes":[null]}`},
		{"AWSOrganizationsV20161128.ListAccounts", `{"NextToken":"acct-9","MaxResults":-1}`},
		{"secretsmanager.CreateSecret", `{"Name":"n","SecretBinary":"!!"}`},
		{"secretsmanager.PutSecretValue", `{"SecretId":["x"],"SecretString":1}`},
		{"secretsmanager.GetSecretValue", `[]`},
	}
	for _, s := range seeds {
		f.Add(s.target, []byte(s.body))
	}
	fk := New(Options{Seed: 5})
	k, err := fk.AddAccessKey("111122223333", "u")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := fk.CreateOrganization("111122223333", "444455556666"); err != nil {
		f.Fatal(err)
	}
	if _, err := fk.AddRole("111122223333", "r"); err != nil {
		f.Fatal(err)
	}
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret}
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		service, _ := targetService(target)
		if target == "" {
			service = "iam"
		}
		req, err := http.NewRequest("POST", "http://127.0.0.1/", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		sum := sha256.Sum256(body)
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Skip()
		}
		w := httptest.NewRecorder()
		fk.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if target != "" {
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("invalid JSON answer: %q", w.Body)
			}
			return
		}
		d := xml.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		for {
			if _, err := d.Token(); err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("invalid XML answer: %v: %q", err, w.Body)
				}
				break
			}
		}
	})
}
