package revoke

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keysweep/keysweep/internal/atomicfile"
	"github.com/keysweep/keysweep/scanner"
)

// Sink kinds.
const (
	SinkStdout         = "stdout"
	SinkFile           = "file"
	SinkProfile        = "profile"
	SinkSecretsManager = "secretsmanager"
)

// Sink is the one place a new secret is delivered to.
type Sink struct {
	Kind   string // stdout, file, profile, secretsmanager
	Target string // path, profile name or secret ID; "" for stdout
}

// ParseSink parses "stdout", "file:PATH", "profile:NAME" or "secretsmanager:SECRET_ID".
func ParseSink(s string) (Sink, error) {
	if s == SinkStdout {
		return Sink{Kind: SinkStdout}, nil
	}
	kind, target, ok := strings.Cut(s, ":")
	if !ok || target == "" {
		return Sink{}, fmt.Errorf("bad sink %q (want stdout, file:PATH, profile:NAME or secretsmanager:SECRET_ID)", s)
	}
	switch kind {
	case SinkFile, SinkSecretsManager:
	case SinkProfile:
		if strings.ContainsAny(target, "[]\n\r") {
			return Sink{}, fmt.Errorf("bad profile name %q", target)
		}
	default:
		return Sink{}, fmt.Errorf("bad sink %q (want stdout, file:PATH, profile:NAME or secretsmanager:SECRET_ID)", s)
	}
	return Sink{Kind: kind, Target: target}, nil
}

// String returns the sink in ParseSink's syntax.
func (s Sink) String() string {
	if s.Kind == SinkStdout {
		return SinkStdout
	}
	return s.Kind + ":" + s.Target
}

// NewKey is a freshly created access key. Its Secret redacts itself when printed.
type NewKey struct {
	AccessKeyID string         `json:"access_key_id"`
	Secret      scanner.Secret `json:"-"`
	UserName    string         `json:"user_name"`
	Created     time.Time      `json:"created,omitzero"`
}

// action describes the delivery for dry runs, confirmation and the journal.
func (s Sink) action(o Owner, newKeyID string) Action {
	a := Action{ID: "rotate/deliver", Step: "rotate", Why: "deliver the new key's secret to " + s.String()}
	switch s.Kind {
	case SinkSecretsManager:
		a.Operation, a.Account = "secretsmanager:PutSecretValue", o.AccountID
		a.Params = []Param{{"SecretId", s.Target}, {"SecretString", `{"AccessKeyId":"` + newKeyID + `","SecretAccessKey":"<new secret>"}`}}
	case SinkFile:
		a.Operation, a.Params = "write-file", []Param{{"Path", s.Target}, {"Mode", "0600"}}
	case SinkProfile:
		a.Operation, a.Params = "write-credentials-profile", []Param{{"Profile", s.Target}}
	default:
		a.Operation = "print-stdout"
	}
	return a
}

// deliver puts k into the sink and says where it went.
func (s Sink) deliver(ctx context.Context, r *Responder, a *account, k NewKey) (string, error) {
	switch s.Kind {
	case SinkStdout:
		_, err := fmt.Fprintf(r.opts.Stdout, "New access key for IAM user %s (shown once: store it now)\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n",
			k.UserName, k.AccessKeyID, k.Secret.Reveal())
		return "printed once to standard output", err
	case SinkFile:
		body := fmt.Sprintf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", k.AccessKeyID, k.Secret.Reveal())
		if err := writePrivate(s.Target, []byte(body)); err != nil {
			return "", err
		}
		return "written to " + s.Target + " (mode 0600)", nil
	case SinkProfile:
		path := credentialsFile(r.opts.Getenv)
		if err := setProfile(path, s.Target, k); err != nil {
			return "", err
		}
		return fmt.Sprintf("profile [%s] of %s updated (mode 0600)", s.Target, path), nil
	case SinkSecretsManager:
		return putSecret(ctx, a, s.Target, k)
	}
	return "", fmt.Errorf("deliver: unknown sink %q", s.Kind)
}

// holds reports whether the sink is known to hold keyID already (a delivery
// interrupted after it wrote). Only local sinks can tell; others say false.
func (s Sink) holds(r *Responder, keyID string) bool {
	switch s.Kind {
	case SinkFile:
		b, err := os.ReadFile(s.Target)
		return err == nil && bytes.Contains(b, []byte("AWS_ACCESS_KEY_ID="+keyID+"\n"))
	case SinkProfile:
		b, err := os.ReadFile(credentialsFile(r.opts.Getenv))
		return err == nil && profileKey(b, s.Target) == keyID
	}
	return false
}

func putSecret(ctx context.Context, a *account, id string, k NewKey) (string, error) {
	v, err := json.Marshal(map[string]string{"AccessKeyId": k.AccessKeyID, "SecretAccessKey": k.Secret.Reveal(), "UserName": k.UserName})
	if err != nil {
		return "", err
	}
	_, err = a.secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(string(v))})
	if hasCode(err, "ResourceNotFoundException") {
		_, err = a.secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(string(v)),
			Description: aws.String("AWS access key of IAM user " + k.UserName + ", rotated by keysweep")})
		if err != nil {
			return "", classify("secretsmanager:CreateSecret", a.id, fmt.Errorf("create secret %s: %w", id, err))
		}
		return "stored in new Secrets Manager secret " + id, nil
	}
	if err != nil {
		return "", classify("secretsmanager:PutSecretValue", a.id, fmt.Errorf("put secret value %s: %w", id, err))
	}
	return "stored as a new version of Secrets Manager secret " + id, nil
}

// credentialsFile is AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.
func credentialsFile(getenv func(string) string) string {
	if p := getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		return p
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".aws", "credentials")
}

// setProfile sets the key of profile in the credentials file at path,
// keeping every other line as it was, and writes the file 0600.
func setProfile(path, profile string, k NewKey) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read credentials file: %w", err)
	}
	lines := strings.SplitAfter(string(old), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	set := []string{"aws_access_key_id = " + k.AccessKeyID + "\n", "aws_secret_access_key = " + k.Secret.Reveal() + "\n"}
	var out []string
	found, in := false, false
	for _, l := range lines {
		if name, ok := sectionName(l); ok {
			in = name == profile
			if in {
				found = true
				if len(out) > 0 && !strings.HasSuffix(out[len(out)-1], "\n") {
					out[len(out)-1] += "\n"
				}
				out = append(out, l)
				if !strings.HasSuffix(l, "\n") {
					out[len(out)-1] += "\n"
				}
				out = append(out, set...)
				continue
			}
		}
		if in && isCredKey(l) {
			continue // replaced above; a stale session token must go too
		}
		out = append(out, l)
	}
	if !found {
		if len(out) > 0 && !strings.HasSuffix(out[len(out)-1], "\n") {
			out[len(out)-1] += "\n"
		}
		if len(out) > 0 {
			out = append(out, "\n")
		}
		out = append(out, "["+profile+"]\n")
		out = append(out, set...)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create credentials dir: %w", err)
	}
	return writePrivate(path, []byte(strings.Join(out, "")))
}

func sectionName(l string) (string, bool) {
	t := strings.TrimSpace(l)
	if len(t) < 2 || t[0] != '[' || t[len(t)-1] != ']' {
		return "", false
	}
	return strings.TrimSpace(t[1 : len(t)-1]), true
}

func isCredKey(l string) bool {
	k, _, ok := strings.Cut(l, "=")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token":
		return true
	}
	return false
}

// profileKey returns aws_access_key_id of profile in a credentials file.
func profileKey(b []byte, profile string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	in := false
	for sc.Scan() {
		l := sc.Text()
		if name, ok := sectionName(l); ok {
			in = name == profile
			continue
		}
		if k, v, ok := strings.Cut(l, "="); in && ok && strings.ToLower(strings.TrimSpace(k)) == "aws_access_key_id" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// writePrivate writes b to path atomically (temporary file, fsync, rename)
// with mode 0600.
func writePrivate(path string, b []byte) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("write %s: is a directory", path)
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
