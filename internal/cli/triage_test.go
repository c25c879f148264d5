package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keysweep/keysweep/internal/demo"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/revoke"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/store"
	"github.com/keysweep/keysweep/tui"
	"github.com/keysweep/keysweep/verify"
	"github.com/muesli/termenv"
)

// startDemo starts the demo's repository and local AWS for a test.
func startDemo(t *testing.T) *demo.Env {
	t.Helper()
	env, err := demo.Start(t.Context(), demo.Options{Dir: filepath.Join(t.TempDir(), "shop")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	return env
}

func demoResponder(t *testing.T, env *demo.Env) *responder {
	cfg := env.AWSConfig()
	r := newTriageResponder(&TriageOptions{JournalDir: filepath.Join(t.TempDir(), "incidents")}, &cfg)
	r.regions = demo.Regions()
	return r
}

// The adapters hand the app plain values from the real playbook, through
// the real SDK, against the local AWS.
func TestResponderAdapterPlaybook(t *testing.T) {
	env := startDemo(t)
	ctx := t.Context()
	p := demoResponder(t, env)
	live := env.Keys.Live

	o, err := p.Owner(ctx, live.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	if o.UserName != "ci-deploy" || o.Status != "Active" || o.Foreign || o.AccountID != demo.Account {
		t.Fatalf("owner = %+v", o)
	}

	c, err := p.Contain(ctx, live.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Deactivated || !c.SessionsRevoked {
		t.Fatalf("containment = %+v", c)
	}
	again, err := p.Contain(ctx, live.KeyID)
	if err != nil || again.Deactivated || again.SessionsRevoked {
		t.Fatalf("second contain changed something: %+v, %v", again, err)
	}
	// After containment a fresh verification sees the key dead.
	fv := freshVerifier{cfg: verify.Config{Endpoint: env.Fake.URL}}
	f := scanner.Finding{KeyID: live.KeyID, Secret: scanner.Secret(live.Secret)}
	if v := fv.Verify(ctx, &f); v.Verdict != scanner.Invalid {
		t.Fatalf("verdict after contain = %s (%s), want invalid", v.Verdict, v.Error)
	}

	inv, err := p.Investigate(ctx, live.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]bool{}
	for _, fl := range inv.Flags {
		flagged[fl.Event] = true
	}
	for _, want := range []string{"CreateUser", "CreateAccessKey", "AttachUserPolicy", "RunInstances"} {
		if !flagged[want] {
			t.Errorf("investigation did not flag %s: %+v", want, inv.Flags)
		}
	}
	if !strings.Contains(strings.Join(inv.SourceIPs, ","), demo.AttackerIP) || len(inv.Eradicate) == 0 {
		t.Errorf("investigation = %+v", inv)
	}

	js, err := p.Journal(ctx, live.KeyID)
	if err != nil || len(js) < 2 {
		t.Fatalf("journal = %+v, %v", js, err)
	}
	if !strings.Contains(js[0].Action, "iam:UpdateAccessKey") {
		t.Errorf("first journal entry = %+v", js[0])
	}
	md, err := p.Report(ctx, scanner.Finding{KeyID: live.KeyID, Locations: []scanner.Location{{Path: "config/prod.env", Line: 3}}}, env.Repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{live.KeyID, "config/prod.env", "backup-svc"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, live.Secret) {
		t.Fatal("the incident report holds the leaked secret")
	}
}

func TestResponderAdapterAccessDenied(t *testing.T) {
	env := startDemo(t)
	env.Fake.Deny("arn:aws:iam::"+demo.Account+":user/oncall", "iam:UpdateAccessKey")
	p := demoResponder(t, env)
	_, err := p.Contain(t.Context(), env.Keys.Live.KeyID)
	if err == nil {
		t.Fatal("contain succeeded without iam:UpdateAccessKey")
	}
	h := tui.HintOf(err)
	if !strings.Contains(h, "iam:UpdateAccessKey") || !strings.Contains(h, revoke.PolicyDoc) {
		t.Fatalf("hint = %q (err %v)", h, err)
	}
	var de *revoke.DeniedError
	if !errors.As(err, &de) {
		t.Fatalf("the typed error is lost: %T %v", err, err)
	}
}

func TestResponderAdapterRotateSink(t *testing.T) {
	env := startDemo(t)
	p := demoResponder(t, env)
	tests := []struct {
		name, sink string
		ok         bool
	}{
		{"stdout refused in the app", "stdout", false},
		{"garbage", "ftp:x", false},
		{"file", "file:" + filepath.Join(t.TempDir(), "new.txt"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rot, err := p.Rotate(t.Context(), env.Keys.Live.KeyID, tt.sink)
			if (err == nil) != tt.ok {
				t.Fatalf("rotate to %s: %+v, %v", tt.sink, rot, err)
			}
			if !tt.ok {
				if tui.HintOf(err) == "" {
					t.Fatal("no hint for a bad sink")
				}
				return
			}
			path := strings.TrimPrefix(tt.sink, "file:")
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("new key file: %v %v", st, err)
			}
			if !strings.HasPrefix(rot.NewKeyID, "AKIA") || rot.NewKeyID == env.Keys.Live.KeyID {
				t.Fatalf("rotation = %+v", rot)
			}
			// The old key stays until D; then it is gone, the new one stays.
			if _, ok := env.Fake.Key(env.Keys.Live.KeyID); !ok {
				t.Fatal("rotate deleted the old key without being asked")
			}
			if err := p.DeleteOld(t.Context(), env.Keys.Live.KeyID); err != nil {
				t.Fatalf("delete old: %v (hint %q)", err, tui.HintOf(err))
			}
			if _, ok := env.Fake.Key(env.Keys.Live.KeyID); ok {
				t.Fatal("the old key survived DeleteOld")
			}
			if _, ok := env.Fake.Key(rot.NewKeyID); !ok {
				t.Fatal("the new key is gone")
			}
		})
	}
}

func TestResponderWithoutCredentials(t *testing.T) {
	p := newTriageResponder(&TriageOptions{JournalDir: t.TempDir()}, nil)
	p.load = func(context.Context) (awsConfig, error) { return awsConfig{}, errors.New("no profile x") }
	_, err := p.Owner(t.Context(), "AKIAIOSFODNN7EXAMPLE")
	if err == nil || !strings.Contains(tui.HintOf(err), "--profile") {
		t.Fatalf("err = %v, hint %q", err, tui.HintOf(err))
	}
	// The failure is remembered: one message, not one per action.
	if _, err2 := p.Contain(t.Context(), "AKIAIOSFODNN7EXAMPLE"); err2 != err {
		t.Fatalf("second error %v differs", err2)
	}
}

func TestResponderCredentialsRejectedUpFront(t *testing.T) {
	p := newTriageResponder(&TriageOptions{JournalDir: t.TempDir()}, nil)
	p.load = func(context.Context) (awsConfig, error) {
		return awsConfig{Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no EC2 IMDS role found")
		})}, nil
	}
	_, err := p.Contain(t.Context(), "AKIAIOSFODNN7EXAMPLE")
	if err == nil || !strings.Contains(err.Error(), "no responder AWS credentials") ||
		!strings.Contains(tui.HintOf(err), "never the leaked key") {
		t.Fatalf("err = %v, hint %q", err, tui.HintOf(err))
	}
}

func TestAllowlistWritesReason(t *testing.T) {
	dir := t.TempDir()
	a := allowlist{root: dir}
	f := scanner.Finding{KeyID: "AKIAIOSFODNN7EXAMPLE", Fingerprint: "0123456789abcdef0123456789abcdef"}
	path, err := a.Allow(t.Context(), f, "sample in the docs")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{f.Fingerprint, "sample in the docs"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf(".keysweep.toml lacks %q:\n%s", want, b)
		}
	}
	if filepath.Dir(path) != dir {
		t.Fatalf("written to %s, want in %s", path, dir)
	}
}

func TestSnippets(t *testing.T) {
	env := startDemo(t)
	s := &snippets{root: env.Repo, git: true}
	ctx := t.Context()
	head, err := s.Snippet(ctx, scanner.Location{Path: "config/prod.env", Line: 3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if head.First != 2 || len(head.Lines) != 3 || !strings.Contains(head.Lines[1], env.Keys.Live.KeyID) {
		t.Fatalf("file snippet = %+v", head)
	}
	tests := []struct {
		name string
		loc  scanner.Location
		want string // in the error; "" for success
	}{
		{"archive member", scanner.Location{Path: "a.zip", Member: "x", Line: 1}, "archive"},
		{"other repo", scanner.Location{Repo: "org/x", Path: "a", Line: 1}, "not checked out"},
		{"missing file", scanner.Location{Path: "nope.txt", Line: 1}, "no such file"},
		{"past the end", scanner.Location{Path: "config/prod.env", Line: 99}, "past the end"},
		{"bad commit", scanner.Location{Path: "a", Line: 1, Commit: "0000000000000000000000000000000000000000", Kind: "blob"}, "not readable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Snippet(ctx, tt.loc, 2)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSnippetFromHistory(t *testing.T) {
	env := startDemo(t)
	// The deploy script's key was removed from the file; git still has it.
	var res scanner.Result
	sc := triageScan(&ScanOptions{IO: &IO{Getenv: func(string) string { return "" }}}, env.Repo)
	res, err := sc.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s := &snippets{root: env.Repo, git: true}
	for _, f := range res.Findings {
		if f.KeyID != env.Keys.Deleted.KeyID {
			continue
		}
		l := f.Locations[0]
		sn, err := s.Snippet(t.Context(), l, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(sn.Lines, "\n"), env.Keys.Deleted.KeyID) {
			t.Fatalf("history snippet = %+v", sn)
		}
		return
	}
	t.Fatalf("the deleted key was not found in history: %+v", res.Findings)
}

func TestReadSnippet(t *testing.T) {
	tests := []struct {
		name, in   string
		line       int
		first      int
		lines, err string
	}{
		{"middle", "a\nb\nc\nd\ne\n", 3, 2, "b|c|d", ""},
		{"top", "a\nb\nc\n", 1, 1, "a|b", ""},
		{"binary", "a\x00b\nc\n", 1, 0, "", "binary"},
		{"long line cut", strings.Repeat("x", 1000) + "\n", 1, 1, strings.Repeat("x", 400) + "…", ""},
		{"empty", "", 1, 0, "", "past the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn, err := readSnippet(strings.NewReader(tt.in), tt.line, 1)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || sn.First != tt.first || strings.Join(sn.Lines, "|") != tt.lines {
				t.Fatalf("snippet = %+v, %v", sn, err)
			}
		})
	}
}

func TestRendererHonoursNoColor(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want termenv.Profile
	}{
		{"NO_COLOR", map[string]string{"NO_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"}, termenv.Ascii},
		{"truecolor", map[string]string{"TERM": "xterm-256color", "COLORTERM": "truecolor"}, termenv.TrueColor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams := &IO{Out: &lockedBuffer{}, OutIsTTY: true, Getenv: func(k string) string { return tt.env[k] }}
			if got := newRenderer(streams).ColorProfile(); got != tt.want {
				t.Fatalf("profile = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTriageReportArgument(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	_, _, err := triageConfig(t.Context(), &TriageOptions{Arg: bad, Scan: ScanOptions{IO: &IO{Getenv: os.Getenv}}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitFailure || ee.Hint == "" {
		t.Fatalf("corrupt report: %v", err)
	}
	_, _, err = triageConfig(t.Context(), &TriageOptions{Arg: filepath.Join(dir, "missing"), Scan: ScanOptions{IO: &IO{Getenv: os.Getenv}}})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing path: %v", err)
	}
}

func TestTriageStore(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	g := testkeys.New(11)
	id, secret := g.AccessKeyID(), scanner.Secret(g.Secret())
	allowedID, allowedSecret := g.AccessKeyID(), scanner.Secret(g.Secret())
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sw, _, err := st.BeginSweep("org:acme", now)
	if err != nil {
		t.Fatal(err)
	}
	found := []scanner.Finding{
		{Fingerprint: scanner.Fingerprint(id, secret), KeyID: id, KeyType: scanner.AccessKey, Secret: secret,
			Locations: []scanner.Location{{Repo: "acme/api", Path: "conf/prod.env", Line: 2, InHead: true}}},
		{Fingerprint: scanner.Fingerprint(allowedID, allowedSecret), KeyID: allowedID, KeyType: scanner.AccessKey, Secret: allowedSecret,
			Locations: []scanner.Location{{Repo: "acme/web", Path: "fixtures/keys.txt", Line: 1, InHead: true}}},
	}
	if err := st.CommitRepo(store.Repo{Name: "acme/api", SweepID: sw.ID}, found, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishSweep(sw.ID, now); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// The security team's allowlist in the directory triage runs from applies to the store too.
	toml := fmt.Sprintf("[[allow]]\nkey_id = %q\nreason = \"fixture\"\n", allowedID)
	if err := os.WriteFile(filepath.Join(dir, ".keysweep.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := &TriageOptions{Arg: dir, Store: true, State: state, Scan: ScanOptions{IO: &IO{Getenv: func(string) string { return "" }}}}
	cfg, cleanup, err := triageConfig(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if cfg.Scan != nil || cfg.Result == nil {
		t.Fatalf("--store must load the store, not scan: scan=%v result=%v", cfg.Scan != nil, cfg.Result != nil)
	}
	if len(cfg.Result.Findings) != 1 || cfg.Result.Findings[0].KeyID != id {
		t.Fatalf("findings = %+v, want only %s (the other is allowlisted)", cfg.Result.Findings, id)
	}
	if cfg.Result.Findings[0].Status != "new" || cfg.Result.Findings[0].Secret != secret {
		t.Fatalf("status %q, secret kept %v", cfg.Result.Findings[0].Status, cfg.Result.Findings[0].Secret == secret)
	}

	opts.State = filepath.Join(dir, "none.db")
	if _, _, err := triageConfig(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "none.db") {
		t.Fatalf("missing store: %v", err)
	}
}
