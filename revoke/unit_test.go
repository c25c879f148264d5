package revoke

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	api := func(code string) error {
		return fmt.Errorf("operation error: %w", &smithy.GenericAPIError{Code: code, Message: "m"})
	}
	tests := []struct {
		name   string
		err    error
		denied bool
		creds  bool
	}{
		{"AccessDenied", api("AccessDenied"), true, false},
		{"AccessDeniedException", api("AccessDeniedException"), true, false},
		{"InvalidClientTokenId", api("InvalidClientTokenId"), false, true},
		{"ExpiredToken", api("ExpiredToken"), false, true},
		{"UnrecognizedClientException", api("UnrecognizedClientException"), false, true},
		{"SignatureDoesNotMatch", api("SignatureDoesNotMatch"), false, true},
		{"NoSuchEntity passes", api("NoSuchEntity"), false, false},
		{"Throttling passes", api("Throttling"), false, false},
		{"message text is not classified", errors.New("AccessDenied: not an API error"), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := classify("iam:X", "1", tc.err)
			var d *DeniedError
			var c *CredentialsError
			if errors.As(got, &d) != tc.denied || errors.As(got, &c) != tc.creds {
				t.Errorf("classify(%v) = %T %v", tc.err, got, got)
			}
			if !errors.Is(got, tc.err) {
				t.Error("the original error is not wrapped")
			}
		})
	}
}

func TestParseSink(t *testing.T) {
	tests := []struct {
		in      string
		want    Sink
		wantErr bool
	}{
		{"stdout", Sink{Kind: "stdout"}, false},
		{"file:/tmp/k.env", Sink{Kind: "file", Target: "/tmp/k.env"}, false},
		{"file:c:/x", Sink{Kind: "file", Target: "c:/x"}, false},
		{"profile:prod", Sink{Kind: "profile", Target: "prod"}, false},
		{"secretsmanager:prod/app/aws", Sink{Kind: "secretsmanager", Target: "prod/app/aws"}, false},
		{"", Sink{}, true},
		{"file:", Sink{}, true},
		{"profile:a]b", Sink{}, true},
		{"s3:bucket", Sink{}, true},
		{"stdout:x", Sink{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSink(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseSink(%q) = %+v, %v", tc.in, got, err)
			}
			if err == nil && got.String() != tc.in {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}

func TestSetProfile(t *testing.T) {
	k := NewKey{AccessKeyID: "AKIANEW", Secret: "s3cr3t"}
	set := "aws_access_key_id = AKIANEW\naws_secret_access_key = s3cr3t\n"
	tests := []struct {
		name, before, want string
	}{
		{"missing file", "", "[app]\n" + set},
		{"appended, no trailing newline", "[default]\nregion = x", "[default]\nregion = x\n\n[app]\n" + set},
		{"replaced in place, others kept", "[a]\nk = 1\n[ app ]\nAWS_ACCESS_KEY_ID=OLD\naws_session_token=t\noutput = json\n[b]\nk = 2\n",
			"[a]\nk = 1\n[ app ]\n" + set + "output = json\n[b]\nk = 2\n"},
		{"profile prefix is another profile", "[profile app]\nx = 1\n", "[profile app]\nx = 1\n\n[app]\n" + set},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "sub", "credentials")
			if tc.before != "" {
				os.MkdirAll(filepath.Dir(p), 0o700)
				os.WriteFile(p, []byte(tc.before), 0o644)
			}
			if err := setProfile(p, "app", k); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			if string(b) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", b, tc.want)
			}
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", fi.Mode().Perm())
			}
			if profileKey(b, "app") != "AKIANEW" {
				t.Error("profileKey does not read it back")
			}
		})
	}
}

func TestWritePrivateRefusesDirectory(t *testing.T) {
	if err := writePrivate(t.TempDir(), []byte("x")); err == nil {
		t.Error("wrote over a directory")
	}
}

func TestOnlyActive(t *testing.T) {
	keys := []KeyInfo{{ID: "A", Status: "Active"}, {ID: "B", Status: "Inactive"}}
	if !onlyActive(keys, "A", false) || onlyActive(keys, "A", true) || onlyActive(keys, "B", false) {
		t.Error("onlyActive wrong")
	}
}

func TestOpenJournalIncidentNames(t *testing.T) {
	long := strings.Repeat("a", 128)
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"INC-2026-11-27_a.b", true},
		{long, true},
		{long + "a", false},
		{"", false},
		{"../escape", false},
		{"a/b", false},
		{"with space", false},
		{"ünicode", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := OpenJournal(t.TempDir(), tc.name, time.Now)
			if tc.ok != (err == nil) {
				t.Fatalf("OpenJournal(%q) error %v, want ok=%v", tc.name, err, tc.ok)
			}
			if j != nil {
				j.Close()
			}
		})
	}
}
