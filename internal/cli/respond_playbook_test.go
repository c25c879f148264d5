package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
)

// TestPlaybookRun runs the whole response playbook on one leaked key
// against the local AWS: the key is committed to a repository, scanned,
// and then owner, contain (dry run, for real, again), investigate, rotate
// and report. With KEYSWEEP_PLAYBOOK_OUT=FILE it builds the real binary,
// drives it, and writes the transcript (commands, what each printed, the
// incident report) to FILE; otherwise it runs the same commands in-process.
func TestPlaybookRun(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	out := os.Getenv("KEYSWEEP_PLAYBOOK_OUT")
	var bin runFunc
	if out != "" {
		bin = buildKeysweep(t) // before HOME moves: go build needs its cache
	}
	e := newRespondEnv(t)
	work := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(work, "state"))
	run := e.inProcess
	if bin != nil {
		run = bin
	}
	repo := filepath.Join(work, "shop")
	commitLeak(t, repo, e.leaked)
	plantAttack(t, e.fake, e.leaked)
	useKey(t, e.fake, e.leaked) // the key's last use, as IAM records it

	var tr bytes.Buffer
	fmt.Fprintf(&tr, "# keysweep response playbook on the local AWS (internal/awsfake), %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&tr, "# responder: IAM user 'responder' of account %s (AWS_ENDPOINT_URL=local fake); leaked key %s of user 'alice'\n", respAcct, e.leaked.ID)
	fmt.Fprintf(&tr, "# journal: $XDG_STATE_HOME/keysweep/incidents/%s.jsonl\n\n", e.leaked.ID)
	step := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := run(work, args...)
		fmt.Fprintf(&tr, "$ keysweep %s\n%s", strings.Join(args, " "), stdout)
		if stderr != "" {
			fmt.Fprintf(&tr, "[stderr]\n%s", stderr)
		}
		fmt.Fprintf(&tr, "[exit %d]\n\n", code)
		if code != want {
			t.Fatalf("keysweep %s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		return stdout
	}
	id := e.leaked.ID
	step(ExitFound, "scan", "--format", "json", "-o", "findings.json", "--no-progress", "shop")
	if o := step(0, "respond", "owner", id); !strings.Contains(o, "IAM user:   alice") || !strings.Contains(o, "(sts, eu-west-1)") {
		t.Errorf("owner printed:\n%s", o)
	}
	step(0, "respond", "contain", id, "--quarantine", "--dry-run")
	if e.status(id) != "Active" {
		t.Fatal("dry run contained the key")
	}
	step(0, "respond", "contain", id, "--quarantine", "--yes")
	if e.status(id) != "Inactive" {
		t.Fatal("key not contained")
	}
	if o := step(0, "respond", "contain", id, "--quarantine", "--yes"); !strings.Contains(o, "Already contained: nothing changed.") {
		t.Errorf("second contain printed:\n%s", o)
	}
	if o := step(0, "respond", "investigate", id, "--regions", "us-east-1,ap-south-1,eu-west-1"); !strings.Contains(o, "terminate instance i-0f3a9c2d4b6e8a1c7 in ap-south-1") {
		t.Errorf("investigate printed:\n%s", o)
	}
	step(0, "respond", "rotate", id, "--sink", "file:new-key.env", "--yes")
	if e.status(id) != "deleted" {
		t.Error("old key not deleted")
	}
	step(0, "respond", "report", id, "--findings", "findings.json", "-o", "incident.md")
	rep, err := os.ReadFile(filepath.Join(work, "incident.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## 1. Detection", "`deploy/settings.env:3`", "2026-10-02T09:30:00Z", "## 2. Containment",
		"`iam:UpdateAccessKey` done", "## 4. Eradication", "- [ ] delete IAM user backup-svc", "## 5. Recovery", "delivered to `file:new-key.env`"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("incident report lacks %q", want)
		}
	}
	secret, _ := os.ReadFile(filepath.Join(work, "new-key.env"))
	if bytes.Contains(tr.Bytes(), []byte(e.leaked.Secret)) || (len(secret) > 60 && bytes.Contains(tr.Bytes(), secret[len(secret)-41:len(secret)-1])) {
		t.Error("a secret leaked into the transcript")
	}
	fmt.Fprintf(&tr, "$ cat incident.md\n%s", rep)
	if out != "" {
		if err := os.WriteFile(out, tr.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type runFunc func(dir string, args ...string) (int, string, string)

// inProcess runs keysweep in this process, in dir.
func (e *respondEnv) inProcess(dir string, args ...string) (int, string, string) {
	e.t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		e.t.Fatal(err)
	}
	defer os.Chdir(wd)
	outb, errb := &lockedBuffer{}, &lockedBuffer{}
	code := Run(e.t.Context(), args, &IO{In: strings.NewReader(""), Out: outb, Err: errb, Getenv: os.Getenv})
	return code, outb.String(), errb.String()
}

// buildKeysweep builds the real binary and returns a runner for it.
func buildKeysweep(t *testing.T) runFunc {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keysweep")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/keysweep/keysweep")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build keysweep: %v\n%s", err, b)
	}
	return func(dir string, args ...string) (int, string, string) {
		var o, e bytes.Buffer
		c := exec.Command(bin, args...)
		c.Dir, c.Stdout, c.Stderr = dir, &o, &e
		err := c.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode(), o.String(), e.String()
		case err != nil:
			t.Fatalf("run keysweep: %v", err)
		}
		return 0, o.String(), e.String()
	}
}

// commitLeak makes a repository whose history holds k in deploy/settings.env.
func commitLeak(t *testing.T, repo string, k awsfake.Key) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(repo, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("region = eu-west-1\n# TODO move to secrets manager\naws_access_key_id = %s\naws_secret_access_key = %s\n", k.ID, k.Secret)
	if err := os.WriteFile(filepath.Join(repo, "deploy", "settings.env"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		c := exec.Command("git", args...)
		c.Dir = repo
		c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev One", "GIT_AUTHOR_EMAIL=dev@shop.example", "GIT_COMMITTER_NAME=Dev One",
			"GIT_COMMITTER_EMAIL=dev@shop.example", "GIT_AUTHOR_DATE=2026-10-02T09:30:00Z", "GIT_COMMITTER_DATE=2026-10-02T09:30:00Z", "GIT_CONFIG_NOSYSTEM=1")
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "deploy settings")
}

// useKey makes one signed call with k, from eu-west-1.
func useKey(t *testing.T, f *awsfake.Fake, k awsfake.Key) {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion("eu-west-1"), config.WithBaseEndpoint(f.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(k.ID, k.Secret, "")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

// plantAttack writes an attacker's CloudTrail history for k: reconnaissance,
// a session minted with GetSessionToken, a backdoor admin user with a key,
// and mining instances in a region the account does not use.
func plantAttack(t *testing.T, f *awsfake.Fake, k awsfake.Key) {
	t.Helper()
	sess, err := f.IssueSession(k.ID, 12*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	id := awsfake.Identity{Type: "IAMUser", AccountID: respAcct, ARN: "arn:aws:iam::" + respAcct + ":user/" + k.User, AccessKeyID: k.ID, UserName: k.User}
	sid := id
	sid.AccessKeyID = sess.ID
	t0 := time.Now().UTC().Add(-26 * time.Hour).Truncate(time.Minute)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	evs := []awsfake.Event{
		{Time: at(0), Source: "sts.amazonaws.com", Name: "GetCallerIdentity", ReadOnly: true, Identity: id},
		{Time: at(2), Source: "s3.amazonaws.com", Name: "ListBuckets", ReadOnly: true, Identity: id},
		{Time: at(3), Source: "sts.amazonaws.com", Name: "GetSessionToken", Identity: id,
			ResponseElements: map[string]any{"credentials": map[string]any{"accessKeyId": sess.ID}}},
		{Time: at(5), Source: "iam.amazonaws.com", Name: "CreateUser", Identity: sid, RequestParameters: map[string]any{"userName": "backup-svc"}},
		{Time: at(6), Source: "iam.amazonaws.com", Name: "AttachUserPolicy", Identity: sid,
			RequestParameters: map[string]any{"userName": "backup-svc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
		{Time: at(7), Source: "iam.amazonaws.com", Name: "CreateAccessKey", Identity: sid, RequestParameters: map[string]any{"userName": "backup-svc"},
			ResponseElements: map[string]any{"accessKey": map[string]any{"accessKeyId": "AKIA" + k.ID[4:12] + "BACKD00R", "userName": "backup-svc"}}},
		{Time: at(31), Region: "ap-south-1", Source: "ec2.amazonaws.com", Name: "RunInstances", Identity: id,
			ResponseElements: map[string]any{"instancesSet": map[string]any{"items": []any{
				map[string]any{"instanceId": "i-0f3a9c2d4b6e8a1c7"}, map[string]any{"instanceId": "i-0b7d1e5f9a3c2d4e6"}}}}},
	}
	for _, ev := range evs {
		ev.Account, ev.SourceIP, ev.UserAgent = respAcct, "203.0.113.66", "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-kali9-amd64"
		if _, err := f.PlantEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
}
