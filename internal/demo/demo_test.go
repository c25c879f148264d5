package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/verify"
)

func TestStartPlantsHistoryAndAWS(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	env, err := Start(t.Context(), Options{Dir: filepath.Join(t.TempDir(), "shop"), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()

	repo, err := git.PlainOpen(env.Repo)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := repo.Head()
	if head.Name() != plumbing.Main {
		t.Fatalf("HEAD is %s, want main", head.Name())
	}
	if _, err := repo.Reference(plumbing.NewBranchReferenceName("feature/s3-sync"), true); err != nil {
		t.Fatalf("branch feature/s3-sync: %v", err)
	}
	// At HEAD: the live key is there, the deploy script is clean, the
	// branch's file is absent.
	prod, _ := os.ReadFile(filepath.Join(env.Repo, "config/prod.env"))
	deploy, _ := os.ReadFile(filepath.Join(env.Repo, "scripts/deploy.sh"))
	if !strings.Contains(string(prod), env.Keys.Live.KeyID) || strings.Contains(string(deploy), env.Keys.Deleted.KeyID) {
		t.Fatalf("work tree: prod.env %q deploy.sh %q", prod, deploy)
	}
	if _, err := os.Stat(filepath.Join(env.Repo, "app/settings.py")); !os.IsNotExist(err) {
		t.Fatalf("the branch's file is in the main work tree: %v", err)
	}
	// History is older than the keys' use, and each commit is dated.
	iter, _ := repo.Log(&git.LogOptions{All: true})
	n := 0
	iter.ForEach(func(c *object.Commit) error {
		n++
		if !c.Author.When.Before(now.AddDate(0, -6, 0)) {
			t.Errorf("commit %s dated %s: want months ago", c.Hash, c.Author.When)
		}
		return nil
	})
	if n != 6 {
		t.Fatalf("%d commits, want 6", n)
	}

	// In the local AWS: one live key created before it leaked, one deleted.
	live, ok := env.Fake.Key(env.Keys.Live.KeyID)
	if !ok || live.Status != awsfake.StatusActive || !live.Created.Before(now.AddDate(0, -6, 0)) {
		t.Fatalf("live key = %+v", live)
	}
	if _, ok := env.Fake.Key(env.Keys.Deleted.KeyID); ok {
		t.Fatal("the deleted key still exists")
	}
	events := env.Fake.Events(Account, "")
	names := map[string]bool{}
	for _, e := range events {
		if e.SourceIP == AttackerIP {
			names[e.Name] = true
		}
	}
	for _, want := range []string{"GetCallerIdentity", "ListBuckets", "CreateUser", "CreateAccessKey", "AttachUserPolicy", "RunInstances"} {
		if !names[want] {
			t.Errorf("no attacker event %s", want)
		}
	}
}

// The verdicts the demo promises, through the real verifier and SDK.
func TestVerdicts(t *testing.T) {
	env, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tmp := env.tmp
	v, err := verify.New(verify.Config{Endpoint: env.Fake.URL, RetryPause: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    Pair
		want scanner.Verdict
	}{
		{"live", env.Keys.Live, scanner.Live},
		{"deleted", env.Keys.Deleted, scanner.Invalid},
		{"branch", env.Keys.Branch, scanner.WrongSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scanner.Finding{KeyID: tt.p.KeyID, Secret: scanner.Secret(tt.p.Secret)}
			if got := v.Verify(t.Context(), &f); got.Verdict != tt.want {
				t.Fatalf("verdict %s (%s), want %s", got.Verdict, got.Error, tt.want)
			}
		})
	}
	env.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("Close left the temporary repository: %v", err)
	}
}

func TestAWSConfigReadsNoEnvironment(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_ENDPOINT_URL", "http://198.51.100.1:1")
	env, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	cfg := env.AWSConfig()
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != env.Responder.ID || *cfg.BaseEndpoint != env.Fake.URL || !strings.HasPrefix(env.Fake.URL, "http://127.0.0.1:") {
		t.Fatalf("config uses %s at %s", creds.AccessKeyID, *cfg.BaseEndpoint)
	}
}
