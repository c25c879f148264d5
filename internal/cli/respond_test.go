package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
)

const respAcct = "111122223333"

// respondEnv is a local AWS with a responder key and a leaked key of user
// alice, and the environment that points the AWS SDK's default chain at it.
type respondEnv struct {
	t         *testing.T
	fake      *awsfake.Fake
	responder awsfake.Key
	leaked    awsfake.Key
	journal   string
	home      string
	env       map[string]string
}

func newRespondEnv(t *testing.T) *respondEnv {
	t.Helper()
	f := awsfake.New(awsfake.Options{Now: time.Now, Seed: 9})
	f.Start()
	t.Cleanup(f.Close)
	e := &respondEnv{t: t, fake: f, journal: t.TempDir(), home: t.TempDir()}
	var err error
	if e.responder, err = f.AddAccessKey(respAcct, "responder"); err != nil {
		t.Fatal(err)
	}
	if e.leaked, err = f.AddAccessKey(respAcct, "alice"); err != nil {
		t.Fatal(err)
	}
	e.env = map[string]string{
		"AWS_ACCESS_KEY_ID":           e.responder.ID,
		"AWS_SECRET_ACCESS_KEY":       e.responder.Secret,
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "us-east-1",
		"AWS_ENDPOINT_URL":            f.URL,
		"AWS_CONFIG_FILE":             filepath.Join(e.home, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(e.home, ".aws", "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_MAX_ATTEMPTS":            "3",
		"HOME":                        e.home,
		"XDG_STATE_HOME":              "",
		"NO_COLOR":                    "1",
	}
	for k, v := range e.env {
		t.Setenv(k, v)
	}
	return e
}

// run runs keysweep in-process with stdin not a terminal.
func (e *respondEnv) run(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	full := append([]string{"respond"}, args...)
	full = append(full, "--journal-dir", e.journal)
	code = Run(context.Background(), full, &IO{In: strings.NewReader(""), Out: out, Err: errb, Getenv: os.Getenv})
	return code, out.String(), errb.String()
}

func (e *respondEnv) status(id string) string {
	k, ok := e.fake.Key(id)
	if !ok {
		return "deleted"
	}
	return k.Status
}

func TestRespondNeedsConfirmation(t *testing.T) {
	e := newRespondEnv(t)
	for _, step := range [][]string{{"contain"}, {"rotate", "--sink", "stdout"}, {"delete"}} {
		t.Run(step[0], func(t *testing.T) {
			code, _, stderr := e.run(append(step, e.leaked.ID)...)
			if code != ExitUsage || !strings.Contains(stderr, "--yes") || !strings.Contains(stderr, "--dry-run") {
				t.Errorf("exit %d, stderr %q; want 2 with a hint", code, stderr)
			}
		})
	}
	if e.status(e.leaked.ID) != "Active" || e.fake.Calls("iam") != 0 {
		t.Error("AWS was called without confirmation")
	}
}

func TestRespondTerminalConfirmation(t *testing.T) {
	e := newRespondEnv(t)
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	code := Run(context.Background(), []string{"respond", "contain", e.leaked.ID, "--journal-dir", e.journal},
		&IO{In: strings.NewReader("y\nn\n"), Out: out, Err: errb, InIsTTY: true, Getenv: os.Getenv})
	if code != ExitFailure {
		t.Fatalf("exit %d (%s), want 1 for the declined call", code, errb)
	}
	if strings.Count(errb.String(), "Make this call? [y/N]") != 2 {
		t.Errorf("prompts: %s", errb)
	}
	if e.status(e.leaked.ID) != "Inactive" {
		t.Error("confirmed deactivation not made")
	}
	if u, _ := e.fake.User(respAcct, "alice"); len(u.Inline) != 0 {
		t.Error("declined policy was put")
	}
	if !strings.Contains(out.String(), "declined") {
		t.Errorf("stdout = %s", out)
	}
}

func TestRespondContainTwiceAndDryRun(t *testing.T) {
	e := newRespondEnv(t)
	code, out, stderr := e.run("contain", e.leaked.ID, "--dry-run", "--quarantine")
	if code != 0 || !strings.Contains(out, "planned    iam:UpdateAccessKey UserName=alice AccessKeyId="+e.leaked.ID+" Status=Inactive") ||
		!strings.Contains(out, `iam:PutUserPolicy UserName=alice PolicyName=keysweep-revoke-older-sessions-`+e.leaked.ID+` PolicyDocument={"Statement":[{"Action":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":`) ||
		!strings.Contains(out, "iam:AttachUserPolicy UserName=alice PolicyArn=arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3") ||
		!strings.Contains(out, "Dry run: nothing changed") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	if e.status(e.leaked.ID) != "Active" {
		t.Fatal("dry run changed the key")
	}
	code, out, stderr = e.run("contain", e.leaked.ID, "--yes")
	if code != 0 || !strings.Contains(out, "Contained.") || e.status(e.leaked.ID) != "Inactive" {
		t.Fatalf("contain: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "iam:UpdateAccessKey") {
		t.Errorf("--yes should still announce each call on stderr: %s", stderr)
	}
	code, out, _ = e.run("contain", e.leaked.ID, "--yes")
	if code != 0 || !strings.Contains(out, "Already contained: nothing changed.") || strings.Contains(out, "done ") {
		t.Errorf("second contain: exit %d\n%s", code, out)
	}
	if fi, err := os.Stat(filepath.Join(e.journal, e.leaked.ID+".jsonl")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal: %v %v", fi, err)
	}
}

func TestRespondAccessDeniedExits4(t *testing.T) {
	e := newRespondEnv(t)
	u, _ := e.fake.User(respAcct, "responder")
	e.fake.Deny(u.ARN, "iam:UpdateAccessKey")
	code, _, stderr := e.run("contain", e.leaked.ID, "--yes")
	if code != ExitCredentials || !strings.Contains(stderr, "lack iam:UpdateAccessKey") || !strings.Contains(stderr, "docs/responder-policy.md") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestRespondNoCredentialsExits4(t *testing.T) {
	e := newRespondEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	code, _, stderr := e.run("owner", e.leaked.ID)
	if code != ExitCredentials || !strings.Contains(stderr, "no responder AWS credentials") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestRespondRejectedCredentialsExits4(t *testing.T) {
	e := newRespondEnv(t)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong"+e.responder.Secret[5:])
	code, _, stderr := e.run("owner", e.leaked.ID)
	if code != ExitCredentials || !strings.Contains(stderr, "SignatureDoesNotMatch") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestRespondDeletedKey(t *testing.T) {
	e := newRespondEnv(t)
	e.fake.DeleteKey(e.leaked.ID)
	code, _, stderr := e.run("owner", e.leaked.ID)
	if code != ExitFailure || !strings.Contains(stderr, "no longer exists") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestRespondBadArgs(t *testing.T) {
	e := newRespondEnv(t)
	for name, args := range map[string][]string{
		"bad key id":     {"owner", "not-a-key"},
		"no sink":        {"rotate", e.leaked.ID, "--yes"},
		"bad sink":       {"rotate", e.leaked.ID, "--yes", "--sink", "ftp:x"},
		"bad format":     {"investigate", e.leaked.ID, "--format", "xml"},
		"missing key id": {"contain"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, stderr := e.run(args...); code != ExitUsage {
				t.Errorf("exit %d, want 2; stderr %s", code, stderr)
			}
		})
	}
}

func TestRespondInterruptedExits130(t *testing.T) {
	e := newRespondEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := Run(ctx, []string{"respond", "contain", e.leaked.ID, "--yes", "--journal-dir", e.journal},
		&IO{In: strings.NewReader(""), Out: &lockedBuffer{}, Err: &lockedBuffer{}, Getenv: os.Getenv})
	if code != ExitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if e.status(e.leaked.ID) != "Active" {
		t.Error("a cancelled run changed the key")
	}
}

func TestRespondCtrlCAtPrompt(t *testing.T) {
	e := newRespondEnv(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"respond", "contain", e.leaked.ID, "--journal-dir", e.journal},
			&IO{In: pr, Out: &lockedBuffer{}, Err: errb, InIsTTY: true, Getenv: os.Getenv})
	}()
	for !strings.Contains(errb.String(), "Make this call?") {
		select {
		case code := <-done:
			t.Fatalf("exited %d before asking: %s", code, errb)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if e.status(e.leaked.ID) != "Active" {
		t.Error("the key changed")
	}
}

func TestRespondInvestigateJSON(t *testing.T) {
	e := newRespondEnv(t)
	plantAttack(t, e.fake, e.leaked)
	code, out, stderr := e.run("investigate", e.leaked.ID, "--format", "json", "--regions", "us-east-1,ap-south-1", "--rate", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var inv struct {
		KeyID     string   `json:"key_id"`
		Total     int      `json:"total_events"`
		Minted    []string `json:"minted"`
		Eradicate []struct {
			Type, ID string
		} `json:"eradicate"`
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if inv.KeyID != e.leaked.ID || inv.Total != 7 || len(inv.Minted) != 1 || len(inv.Eradicate) != 5 {
		t.Errorf("investigation = %+v", inv)
	}
}
