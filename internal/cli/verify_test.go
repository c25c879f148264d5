package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
)

// verifyEnv is a local AWS with keys in it, and a decoy server that no
// request may ever reach.
type verifyEnv struct {
	fake        *awsfake.Fake
	url         string
	requests    *atomic.Int64
	decoy       string
	decoyHits   *atomic.Int64
	live, gone  awsfake.Key
	sess        awsfake.Key
	wrongSecret string
}

func countingServer(t *testing.T, h http.Handler) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func newVerifyEnv(t *testing.T) *verifyEnv {
	t.Helper()
	// Keep the machine's own AWS configuration out of the tests.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	e := &verifyEnv{fake: awsfake.New(awsfake.Options{Seed: 21})}
	e.url, e.requests = countingServer(t, e.fake)
	e.decoy, e.decoyHits = countingServer(t, http.NotFoundHandler())
	t.Cleanup(func() {
		if n := e.decoyHits.Load(); n != 0 {
			t.Errorf("the decoy endpoint got %d requests", n)
		}
	})
	var err error
	if e.live, err = e.fake.AddAccessKey("111122223333", "deploy"); err != nil {
		t.Fatal(err)
	}
	if e.gone, err = e.fake.AddAccessKey("111122223333", "gone"); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.DeleteKey(e.gone.ID); err != nil {
		t.Fatal(err)
	}
	if e.sess, err = e.fake.IssueSession(e.live.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	e.wrongSecret = testkeys.New(3).Secret()
	return e
}

// run runs keysweep with stdin and an environment seen through IO.Getenv.
func (e *verifyEnv) run(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	streams := &IO{In: strings.NewReader(stdin), Out: out, Err: errb, Getenv: func(k string) string { return env[k] }}
	code = Run(context.Background(), append(args, "--verify-retry-pause", "1ms"), streams)
	return code, out.String(), errb.String()
}

func noSecrets(t *testing.T, where, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("%s carries a secret:\n%s", where, s)
		}
	}
}

func TestVerifyKeyID(t *testing.T) {
	e := newVerifyEnv(t)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{name: "live user key", stdin: e.live.Secret + "\n", args: []string{"--key-id", e.live.ID, "--sts-endpoint", e.url},
			wantCode: ExitFound, wantOut: []string{"verdict:     live", "arn:         arn:aws:iam::111122223333:user/deploy", "account_id:  111122223333"}},
		{name: "live session key with its token", stdin: e.sess.Secret + "\n" + e.sess.SessionToken + "\n", args: []string{"--key-id", e.sess.ID, "--sts-endpoint", e.url},
			wantCode: ExitFound, wantOut: []string{"verdict:     live"}},
		{name: "session key without its token", stdin: e.sess.Secret, args: []string{"--key-id", e.sess.ID, "--sts-endpoint", e.url},
			wantCode: ExitClean, wantOut: []string{"verdict:     unverified", "without its session token"}, wantErr: "session token on the second line"},
		{name: "wrong secret", stdin: e.wrongSecret, args: []string{"--key-id", e.live.ID, "--sts-endpoint", e.url},
			wantCode: ExitClean, wantOut: []string{"verdict:     wrong-secret"}},
		{name: "deleted key", stdin: e.gone.Secret, args: []string{"--key-id", e.gone.ID, "--sts-endpoint", e.url},
			wantCode: ExitClean, wantOut: []string{"verdict:     invalid"}},
		{name: "endpoint from AWS_ENDPOINT_URL_STS", stdin: e.live.Secret, args: []string{"--key-id", e.live.ID},
			env: map[string]string{"AWS_ENDPOINT_URL_STS": e.url}, wantCode: ExitFound, wantOut: []string{"verdict:     live"}},
		{name: "flag beats the environment", stdin: e.live.Secret, args: []string{"--key-id", e.live.ID, "--sts-endpoint", e.url},
			env: map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}, wantCode: ExitFound, wantOut: []string{"verdict:     live"}},
		{name: "json", stdin: e.live.Secret, args: []string{"--key-id", e.live.ID, "--sts-endpoint", e.url, "--format", "json"},
			wantCode: ExitFound, wantOut: []string{`"verdict": "live"`, `"arn": "arn:aws:iam::111122223333:user/deploy"`, `"verified_at": "`}},
		{name: "endpoint down", stdin: e.live.Secret, args: []string{"--key-id", e.live.ID, "--sts-endpoint", "http://127.0.0.1:1", "--verify-timeout", "2s"},
			wantCode: ExitFailure, wantOut: []string{"verdict:     error"}, wantErr: "could not be verified"},
		{name: "no secret on stdin", stdin: "\n\n", args: []string{"--key-id", e.live.ID, "--sts-endpoint", e.url},
			wantCode: ExitUsage, wantErr: "no secret on stdin"},
		{name: "not a key ID", stdin: e.live.Secret, args: []string{"--key-id", "AKIA123", "--sts-endpoint", e.url},
			wantCode: ExitUsage, wantErr: "not an AWS access key ID"},
		{name: "report and key ID", stdin: e.live.Secret, args: []string{"r.json", "--key-id", e.live.ID},
			wantCode: ExitUsage, wantErr: "not both"},
		{name: "neither", args: []string{}, wantCode: ExitUsage, wantErr: "needs a REPORT.json or --key-id"},
		{name: "bad partition", stdin: e.live.Secret, args: []string{"--key-id", e.live.ID, "--partition", "aws-mars"},
			wantCode: ExitUsage, wantErr: "unknown --partition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := e.run(t, tt.stdin, tt.env, append([]string{"verify"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errs)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errs, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errs)
			}
			noSecrets(t, "stdout", out, e.live.Secret, e.sess.Secret, e.sess.SessionToken, e.gone.Secret, e.wrongSecret)
			noSecrets(t, "stderr", errs, e.live.Secret, e.sess.Secret, e.sess.SessionToken, e.gone.Secret, e.wrongSecret)
		})
	}
}

// writeReportFile writes a JSON report of fs to a new file (mode 0644, as
// a careless copy would be) and returns its path.
func writeReportFile(t *testing.T, fs []scanner.Finding, show bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteJSON(&b, scanner.Result{Target: "/src", Findings: fs}, report.Options{ShowSecrets: show}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func keyFinding(id, secret, token string, path string) scanner.Finding {
	f := scanner.Finding{KeyID: id, KeyType: scanner.TypeOf(id), Secret: scanner.Secret(secret), SessionToken: scanner.Secret(token),
		Fingerprint: scanner.Fingerprint(id, scanner.Secret(secret)), Verification: scanner.Verification{Verdict: scanner.Unverified},
		Locations: []scanner.Location{{Path: path, Line: 3, Column: 1, Kind: "file"}}}
	f.AccountID, _ = scanner.AccountID(id)
	return f
}

func readDoc(t *testing.T, path string) report.Document {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	return doc
}

func TestVerifyReport(t *testing.T) {
	e := newVerifyEnv(t)
	g := testkeys.New(8)
	earlier := keyFinding(g.AccessKeyID(), "", "", "old.env") // verified by an earlier scan, no secret kept
	earlier.Verification = scanner.Verification{Verdict: scanner.Invalid, VerifiedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	example := keyFinding(testkeys.ExampleKeyID, testkeys.ExampleSecret, "", "README.md")
	example.Example = true
	fs := []scanner.Finding{
		keyFinding(e.gone.ID, e.gone.Secret, "", "a.env"),
		earlier,
		example,
		keyFinding(e.sess.ID, e.sess.Secret, e.sess.SessionToken, "ci.sh"),
		keyFinding(e.live.ID, e.live.Secret, "", "z.env"),
	}
	path := writeReportFile(t, fs, true)

	code, out, errs := e.run(t, "", nil, "verify", path, "--sts-endpoint", e.url)
	if code != ExitFound {
		t.Fatalf("exit %d, want 3\nstderr:\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing", out)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode after verify: %v %v, want 0600", fi.Mode(), err)
	}
	if !strings.Contains(errs, "verified 3 keys: 2 live, 1 invalid; 1 not verified (1 example)") {
		t.Errorf("summary missing or wrong:\n%s", errs)
	}
	if !strings.Contains(errs, earlier.KeyID) || !strings.Contains(errs, "--show-secrets") {
		t.Errorf("stderr should name the key without a secret and how to get one:\n%s", errs)
	}
	noSecrets(t, "stderr", errs, e.live.Secret, e.sess.Secret, e.sess.SessionToken, e.gone.Secret)

	doc := readDoc(t, path)
	got := map[string]report.Finding{}
	for _, f := range doc.Findings {
		got[f.KeyID] = f
	}
	if len(doc.Findings) != 5 {
		t.Fatalf("report has %d findings, want 5", len(doc.Findings))
	}
	if doc.Findings[0].Verdict != "live" || doc.Findings[1].Verdict != "live" {
		t.Errorf("live keys not first: %s, %s", doc.Findings[0].Verdict, doc.Findings[1].Verdict)
	}
	for id, want := range map[string]string{e.live.ID: "live", e.sess.ID: "live", e.gone.ID: "invalid", earlier.KeyID: "invalid", testkeys.ExampleKeyID: "unverified"} {
		if got[id].Verdict != want {
			t.Errorf("%s: verdict %q, want %q", id, got[id].Verdict, want)
		}
	}
	if l := got[e.live.ID]; l.ARN != "arn:aws:iam::111122223333:user/deploy" || l.UserID == "" || l.VerifiedAt == nil || l.Secret != e.live.Secret {
		t.Errorf("live finding: %+v", l)
	}
	if s := got[e.sess.ID]; s.SessionToken != e.sess.SessionToken {
		t.Errorf("session token not kept in the report")
	}
	if v := got[earlier.KeyID].VerifiedAt; v == nil || !v.Equal(earlier.Verification.VerifiedAt) {
		t.Errorf("earlier verdict not kept: %v", v)
	}
}

func TestVerifyReportOutput(t *testing.T) {
	e := newVerifyEnv(t)
	path := writeReportFile(t, []scanner.Finding{keyFinding(e.live.ID, e.live.Secret, "", "a")}, true)
	before, _ := os.ReadFile(path)
	dst := filepath.Join(t.TempDir(), "verified.json")
	code, _, errs := e.run(t, "", nil, "verify", path, "-o", dst, "--sts-endpoint", e.url)
	if code != ExitFound {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("the input report changed although -o was given")
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("output: %v %v", fi, err)
	}
	if d := readDoc(t, dst); d.Findings[0].Verdict != "live" {
		t.Errorf("output verdict %q", d.Findings[0].Verdict)
	}
}

func TestVerifyReportUnverifiable(t *testing.T) {
	e := newVerifyEnv(t)
	redacted := writeReportFile(t, []scanner.Finding{keyFinding(e.live.ID, e.live.Secret, "", "a"), keyFinding(e.gone.ID, e.gone.Secret, "", "b")}, false)
	corrupt := filepath.Join(t.TempDir(), "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"version": 1, "findings": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantErr, wantHint string
	}{
		{"report without secrets", redacted, "carries no secrets, so its 2 keys can't be verified", "--show-secrets"},
		{"corrupt report", corrupt, "read report", "JSON report"},
		{"missing report", filepath.Join(t.TempDir(), "nope.json"), "no such file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			code, _, errs := e.run(t, "", nil, "verify", tt.path, "--sts-endpoint", e.url)
			if code != ExitFailure {
				t.Fatalf("exit %d, want 1\n%s", code, errs)
			}
			if !strings.Contains(errs, tt.wantErr) || !strings.Contains(errs, tt.wantHint) {
				t.Errorf("stderr lacks %q / %q:\n%s", tt.wantErr, tt.wantHint, errs)
			}
			if after, _ := os.ReadFile(tt.path); !bytes.Equal(before, after) {
				t.Errorf("report changed")
			}
			if e.requests.Load() != 0 {
				t.Errorf("%d requests sent", e.requests.Load())
			}
		})
	}
}

// A scanned file names another endpoint; verification must still go only
// to the configured one, and secrets show only with --show-secrets.
func TestScanVerify(t *testing.T) {
	e := newVerifyEnv(t)
	dir := t.TempDir()
	body := fmt.Sprintf("[default]\nendpoint_url = %s\nsts_endpoint = %s\naws_access_key_id = %s\naws_secret_access_key = %s\nAWS_ENDPOINT_URL_STS=%s\n",
		e.decoy, e.decoy, e.live.ID, e.live.Secret, e.decoy)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := e.run(t, "", nil, "scan", "--no-git", "--no-progress", "--verify", "--sts-endpoint", e.url, "-f", "json", dir)
	if code != ExitFound {
		t.Fatalf("exit %d, want 3\nstderr:\n%s", code, errs)
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Findings) != 1 {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if f := doc.Findings[0]; f.Verdict != "live" || f.ARN != "arn:aws:iam::111122223333:user/deploy" {
		t.Errorf("finding: verdict %q arn %q, want live as user/deploy", f.Verdict, f.ARN)
	}
	if !strings.Contains(errs, "keysweep: verified 1 key: 1 live") {
		t.Errorf("stderr lacks the summary:\n%s", errs)
	}
	if n := e.requests.Load(); n != 1 {
		t.Errorf("requests to the configured endpoint = %d, want 1", n)
	}
	noSecrets(t, "stdout", out, e.live.Secret)
	noSecrets(t, "stderr", errs, e.live.Secret)

	t.Run("show-secrets", func(t *testing.T) {
		code, out, _ := e.run(t, "", nil, "scan", "--no-git", "--no-progress", "--verify", "--sts-endpoint", e.url, "-f", "json", "--show-secrets", dir)
		if code != ExitFound || !strings.Contains(out, e.live.Secret) {
			t.Errorf("exit %d; with --show-secrets the secret should be in the report", code)
		}
	})
	t.Run("endpoint down", func(t *testing.T) {
		code, out, errs := e.run(t, "", nil, "scan", "--no-git", "--no-progress", "--verify", "--sts-endpoint", "http://127.0.0.1:1", "--verify-timeout", "2s", "-f", "json", dir)
		if code != ExitFound || !strings.Contains(out, `"verdict": "error"`) || !strings.Contains(errs, "1 error") {
			t.Errorf("exit %d, want 3 with an error verdict\n%s\n%s", code, out, errs)
		}
		noSecrets(t, "stdout", out, e.live.Secret)
		noSecrets(t, "stderr", errs, e.live.Secret)
	})
}

func TestVerifySummary(t *testing.T) {
	fin := func(v scanner.Verdict, reason string) scanner.Finding {
		return scanner.Finding{Verification: scanner.Verification{Verdict: v, Error: reason}}
	}
	tests := []struct {
		name string
		fs   []scanner.Finding
		want string
	}{
		{"none", nil, "keysweep: verified 0 keys"},
		{"one live", []scanner.Finding{fin(scanner.Live, "")}, "keysweep: verified 1 key: 1 live"},
		{"mixed", []scanner.Finding{fin(scanner.Invalid, ""), fin(scanner.Live, ""), fin(scanner.VerifyError, "timeout"),
			fin(scanner.Unverified, "not verified: canary-token account, calling it would alert whoever planted it (--verify-canaries to call anyway)"),
			fin(scanner.WrongSecret, ""), fin(scanner.Expired, ""), fin(scanner.Invalid, ""), fin(scanner.Unverified, "")},
			"keysweep: verified 6 keys: 1 live, 1 wrong-secret, 2 invalid, 1 expired, 1 error; 2 not verified (1 canary, 1 not reached)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifySummary(tt.fs); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Ctrl-C while keys are being verified: the report is still written, the
// keys not reached stay unverified, and the exit code is 130.
func TestScanVerifyInterrupted(t *testing.T) {
	e := newVerifyEnv(t)
	stop := make(chan struct{})
	hang, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop) }) // runs before the server's Close
	dir := t.TempDir()
	body := fmt.Sprintf("aws_access_key_id = %s\naws_secret_access_key = %s\n", e.live.ID, e.live.Secret)
	if err := os.WriteFile(filepath.Join(dir, "a.env"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	streams := &IO{In: strings.NewReader(""), Out: out, Err: errb, Getenv: func(string) string { return "" }}
	start := time.Now()
	code := Run(ctx, []string{"scan", "--no-git", "--no-progress", "--verify", "--sts-endpoint", hang, "-f", "json", dir}, streams)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, errb.String())
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %s to stop", el)
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil || len(doc.Findings) != 1 {
		t.Fatalf("report not written: %v\n%s", err, out.String())
	}
	if doc.Findings[0].Verdict != "unverified" || !doc.Interrupted {
		t.Errorf("verdict %q, interrupted %v; want unverified and interrupted", doc.Findings[0].Verdict, doc.Interrupted)
	}
	if !strings.Contains(errb.String(), "1 not reached") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

func TestVerifyCacheFlag(t *testing.T) {
	e := newVerifyEnv(t)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	for i := range 2 {
		code, out, errs := e.run(t, e.live.Secret, nil, "verify", "--key-id", e.live.ID, "--sts-endpoint", e.url, "--verify-cache")
		if code != ExitFound || !strings.Contains(out, "verdict:     live") {
			t.Fatalf("run %d: exit %d\n%s\n%s", i, code, out, errs)
		}
	}
	if n := e.requests.Load(); n != 1 {
		t.Errorf("requests over two runs = %d, want 1 (the second from the cache)", n)
	}
	path := filepath.Join(cache, "keysweep", "verify-cache.json")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(path)
	noSecrets(t, "cache file", string(b), e.live.Secret)
	if strings.Contains(string(b), e.live.ID) {
		t.Errorf("cache file names the key ID; it should hold fingerprints only")
	}

	t.Run("without the flag the cache is not used", func(t *testing.T) {
		e.run(t, e.live.Secret, nil, "verify", "--key-id", e.live.ID, "--sts-endpoint", e.url)
		if n := e.requests.Load(); n != 2 {
			t.Errorf("requests = %d, want 2", n)
		}
	})
}

// Calling a canary-token key alerts whoever planted it: never without
// --verify-canaries, in either mode.
func TestVerifyCanary(t *testing.T) {
	e := newVerifyEnv(t)
	g := testkeys.New(40)
	id, secret := g.KeyID("AKIA", 717712589309), g.Secret() // a canarytokens.org account
	if _, err := e.fake.PutAccessKey("717712589309", "canary", id, secret); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "creds"), []byte(fmt.Sprintf("aws_access_key_id=%s\naws_secret_access_key=%s\n", id, secret)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantOut   string
		wantErr   string
		wantCalls int64
	}{
		{name: "key ID", stdin: secret, args: []string{"verify", "--key-id", id}, wantOut: "canary-token account"},
		{name: "key ID with --verify-canaries", stdin: secret, args: []string{"verify", "--key-id", id, "--verify-canaries"}, wantOut: "verdict:     live", wantCalls: 1},
		{name: "scan", args: []string{"scan", "--no-git", "--no-progress", "--verify", "-f", "json", dir}, wantOut: `"verdict": "unverified"`, wantErr: "1 not verified (1 canary)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.requests.Load()
			_, out, errs := e.run(t, tt.stdin, nil, append(tt.args, "--sts-endpoint", e.url)...)
			if !strings.Contains(out, tt.wantOut) || !strings.Contains(errs, tt.wantErr) {
				t.Errorf("stdout lacks %q or stderr lacks %q:\n%s\n%s", tt.wantOut, tt.wantErr, out, errs)
			}
			if n := e.requests.Load() - before; n != tt.wantCalls {
				t.Errorf("requests = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

// A session key found with its token in a file verifies live through scan.
func TestScanVerifySessionKey(t *testing.T) {
	e := newVerifyEnv(t)
	dir := t.TempDir()
	body := fmt.Sprintf("export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_SESSION_TOKEN=%s\n", e.sess.ID, e.sess.Secret, e.sess.SessionToken)
	if err := os.WriteFile(filepath.Join(dir, "session.sh"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := e.run(t, "", nil, "scan", "--no-git", "--no-progress", "--verify", "--sts-endpoint", e.url, "-f", "json", dir)
	if code != ExitFound || !strings.Contains(out, `"verdict": "live"`) || !strings.Contains(out, `"session_token_present": true`) {
		t.Fatalf("exit %d, want a live session key\n%s\n%s", code, out, errs)
	}
	noSecrets(t, "stdout", out, e.sess.Secret, e.sess.SessionToken)
	noSecrets(t, "stderr", errs, e.sess.Secret, e.sess.SessionToken)
}
