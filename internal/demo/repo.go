package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Pair is a key pair as it is written into the repository.
type Pair struct {
	KeyID  string
	Secret string
}

// RepoKeys are the pairs planted in the demo repository's history.
type RepoKeys struct {
	Live    Pair // config/prod.env, still at HEAD; live in the local AWS
	Deleted Pair // scripts/deploy.sh, removed in a later commit; key deleted in IAM
	Branch  Pair // app/settings.py on branch feature/s3-sync; right key ID, wrong secret
}

type person struct{ name, email string }

var (
	alice = person{"Alice Martin", "alice@shop.example"}
	bob   = person{"Bob Chen", "bob@shop.example"}
	carol = person{"Carol Diaz", "carol@shop.example"}
)

// buildRepo creates the demo repository in dir: a small shop service whose
// history leaks three keys the way real repositories do.
func buildRepo(dir string, k RepoKeys, start time.Time) error {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		return fmt.Errorf("init demo repo: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("demo repo worktree: %w", err)
	}
	day := func(n int) time.Time { return start.AddDate(0, 0, n) }
	steps := []struct {
		who   person
		when  time.Time
		msg   string
		write map[string]string
		rm    []string
	}{
		{alice, day(0), "Initial commit", map[string]string{
			"README.md":   "# shop\n\nThe shop service. Configure AWS access in config/ (never commit it).\n",
			"app/main.py": "import boto3\n\n\ndef handler(event, ctx):\n    return {\"ok\": True}\n",
		}, nil},
		{alice, day(3), "Add production settings", map[string]string{
			"config/prod.env": "# production\nAWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=" + k.Live.KeyID +
				"\nAWS_SECRET_ACCESS_KEY=" + k.Live.Secret + "\nBUCKET=shop-prod-assets\n",
		}, nil},
		{bob, day(9), "Deploy script for the CI box", map[string]string{
			"scripts/deploy.sh": "#!/bin/sh\nset -eu\nexport AWS_ACCESS_KEY_ID=" + k.Deleted.KeyID +
				"\nexport AWS_SECRET_ACCESS_KEY=" + k.Deleted.Secret + "\naws s3 sync dist/ s3://shop-prod-assets/\n",
		}, nil},
		{bob, day(10), "Remove credentials from deploy script", map[string]string{
			"scripts/deploy.sh": "#!/bin/sh\nset -eu\naws s3 sync dist/ s3://shop-prod-assets/\n",
		}, nil},
		{alice, day(20), "Handle empty carts", map[string]string{
			"app/main.py": "import boto3\n\n\ndef handler(event, ctx):\n    if not event.get(\"cart\"):\n        return {\"ok\": False}\n    return {\"ok\": True}\n",
		}, nil},
	}
	for _, s := range steps {
		if err := commit(wt, dir, s.who, s.when, s.msg, s.write, s.rm); err != nil {
			return err
		}
	}
	// A feature branch that was pushed and never merged.
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("feature/s3-sync"), Create: true}); err != nil {
		return fmt.Errorf("demo repo branch: %w", err)
	}
	if err := commit(wt, dir, carol, day(14), "WIP: sync assets from the data account", map[string]string{
		"app/settings.py": "SYNC = {\n    \"aws_access_key_id\": \"" + k.Branch.KeyID + "\",\n    \"aws_secret_access_key\": \"" + k.Branch.Secret + "\",\n}\n",
	}, nil); err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.Main}); err != nil {
		return fmt.Errorf("demo repo checkout main: %w", err)
	}
	return nil
}

func commit(wt *git.Worktree, dir string, who person, when time.Time, msg string, write map[string]string, rm []string) error {
	for p, body := range write {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("demo repo: %w", err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			return fmt.Errorf("demo repo: %w", err)
		}
		if _, err := wt.Add(p); err != nil {
			return fmt.Errorf("demo repo add %s: %w", p, err)
		}
	}
	for _, p := range rm {
		if _, err := wt.Remove(p); err != nil {
			return fmt.Errorf("demo repo rm %s: %w", p, err)
		}
	}
	sig := &object.Signature{Name: who.name, Email: who.email, When: when}
	if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		return fmt.Errorf("demo repo commit: %w", err)
	}
	return nil
}
