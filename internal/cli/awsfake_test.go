package cli

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestAWSFakeCommand(t *testing.T) {
	env := filepath.Join(t.TempDir(), "fake.env")
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	streams := &IO{In: strings.NewReader(""), Out: out, Err: errb, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"awsfake", "--account", "222233334444", "--org-members", "555566667777", "--env-file", env}, streams)
	}()
	vars := waitEnv(t, env)
	if fi, err := os.Stat(env); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("env file mode: %v %v", fi.Mode(), err)
	}
	if strings.Contains(out.String(), vars["AWS_SECRET_ACCESS_KEY"]) {
		t.Error("secret printed on stdout without --show-secrets")
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(vars["AWS_ACCESS_KEY_ID"], vars["AWS_SECRET_ACCESS_KEY"], "")),
		config.WithBaseEndpoint(vars["AWS_ENDPOINT_URL_STS"]))
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "222233334444" {
		t.Fatalf("identity %v, %v", id, err)
	}
	accts, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 2 {
		t.Fatalf("organization accounts: %v", err)
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitInterrupted && code != ExitClean {
			t.Errorf("exit code %d after Ctrl-C; stderr %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("awsfake did not stop on cancel")
	}
}

func TestAWSFakeCommandBadAccount(t *testing.T) {
	streams := &IO{In: strings.NewReader(""), Out: &lockedBuffer{}, Err: &lockedBuffer{}, Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), []string{"awsfake", "--account", "12"}, streams); code != ExitUsage {
		t.Errorf("exit code %d, want %d", code, ExitUsage)
	}
}

// waitEnv waits for the command to write its env file and parses it.
func waitEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	for range 200 {
		f, err := os.Open(path)
		if err == nil {
			vars := map[string]string{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				k, v, _ := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
				vars[k] = v
			}
			f.Close()
			if vars["AWS_REGION"] != "" {
				return vars
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("env file never written")
	return nil
}
