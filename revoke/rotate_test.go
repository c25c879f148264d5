package revoke_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/revoke"
)

func mustSink(t *testing.T, s string) revoke.Sink {
	t.Helper()
	k, err := revoke.ParseSink(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newKeyOf returns alice's one key that is not the leaked one.
func (e *env) newKeyOf(user string, not ...string) string {
	e.t.Helper()
	var ids []string
	for _, id := range e.user(acctOwn, user).Keys {
		if !slices.Contains(not, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		e.t.Fatalf("user %s has new keys %v, want exactly one", user, ids)
	}
	return ids[0]
}

func TestRotateSinks(t *testing.T) {
	tests := []struct {
		name  string
		sink  func(e *env) string
		check func(t *testing.T, e *env, id, secret string)
	}{
		{"stdout", func(*env) string { return "stdout" }, func(t *testing.T, e *env, id, secret string) {
			out := e.out.String()
			if strings.Count(out, secret) != 1 || !strings.Contains(out, "AWS_ACCESS_KEY_ID="+id) {
				t.Errorf("stdout = %q, want the new pair printed once", out)
			}
		}},
		{"file", func(e *env) string { return "file:" + filepath.Join(e.home, "new.env") }, func(t *testing.T, e *env, id, secret string) {
			p := filepath.Join(e.home, "new.env")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != "AWS_ACCESS_KEY_ID="+id+"\nAWS_SECRET_ACCESS_KEY="+secret+"\n" {
				t.Errorf("file = %q", b)
			}
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			if strings.Contains(e.out.String(), secret) {
				t.Error("secret also printed")
			}
		}},
		{"profile", func(e *env) string {
			dir := filepath.Join(e.home, ".aws")
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, "credentials"), []byte("[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = keep-me\n\n[app]\naws_access_key_id = OLD\naws_secret_access_key = old-secret\naws_session_token = stale\nregion = eu-west-1\n\n[later]\nx = 1\n"), 0o644)
			return "profile:app"
		}, func(t *testing.T, e *env, id, secret string) {
			p := filepath.Join(e.home, ".aws", "credentials")
			b, _ := os.ReadFile(p)
			want := "[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = keep-me\n\n[app]\naws_access_key_id = " + id +
				"\naws_secret_access_key = " + secret + "\nregion = eu-west-1\n\n[later]\nx = 1\n"
			if string(b) != want {
				t.Errorf("credentials =\n%s\nwant\n%s", b, want)
			}
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rot, err := e.responderWith(nil).Rotate(context.Background(), e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, tc.sink(e))})
			if err != nil {
				t.Fatal(err)
			}
			id := e.newKeyOf("alice")
			if rot.NewKeyID != id || !rot.Delivered || !rot.OldDeleted {
				t.Errorf("rotation = %+v, want new key %s delivered, old deleted", rot, id)
			}
			if e.keyStatus(e.leaked.ID) != "deleted" {
				t.Error("old key not deleted")
			}
			k, _ := e.fake.Key(id)
			tc.check(t, e, id, k.Secret)
			b, _ := os.ReadFile(revoke.JournalPath(e.dir, e.leaked.ID))
			if strings.Contains(string(b), k.Secret) {
				t.Error("the journal holds the new secret")
			}
			// running it again changes nothing
			rot2, err := e.responderWith(nil).Rotate(context.Background(), e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, tc.sink(e))})
			if err != nil {
				t.Fatal(err)
			}
			if len(rot2.Outcomes) != 0 || rot2.NewKeyID != id {
				t.Errorf("second rotation = %+v, want nothing done", rot2)
			}
		})
	}
}

func TestRotateProfileHonoursSharedCredentialsFile(t *testing.T) {
	e := newEnv(t)
	p := filepath.Join(t.TempDir(), "creds")
	r := e.responderWith(func(o *revoke.Options) {
		o.Getenv = func(k string) string {
			if k == "AWS_SHARED_CREDENTIALS_FILE" {
				return p
			}
			return e.getenv(k)
		}
	})
	if _, err := r.Rotate(context.Background(), e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "profile:svc")}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || !strings.HasPrefix(string(b), "[svc]\naws_access_key_id = "+e.newKeyOf("alice")+"\n") {
		t.Errorf("credentials file %s = %q, %v", p, b, err)
	}
	if _, err := os.Stat(filepath.Join(e.home, ".aws", "credentials")); err == nil {
		t.Error("~/.aws/credentials written despite AWS_SHARED_CREDENTIALS_FILE")
	}
}

func TestRotateUserWithTwoKeys(t *testing.T) {
	tests := []struct {
		name      string
		otherOn   bool // the user's other key is active
		contained bool // the leaked key was deactivated first
		force     bool
		wantErr   error
	}{
		{"other key active", true, false, false, nil},
		{"leaked key contained, other inactive", false, true, false, nil},
		{"leaked key only active one", false, false, false, revoke.ErrOnlyActiveKey},
		{"leaked key only active one, forced", false, false, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			other := e.key(acctOwn, "alice")
			if !tc.otherOn {
				e.fake.SetKeyStatus(other.ID, "Inactive")
			}
			if tc.contained {
				e.fake.SetKeyStatus(e.leaked.ID, "Inactive")
			}
			sink := "file:" + filepath.Join(e.home, "k")
			rot, err := e.responderWith(nil).Rotate(context.Background(), e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, sink), Force: tc.force})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if len(e.user(acctOwn, "alice").Keys) != 2 || e.keyStatus(e.leaked.ID) != "Active" {
					t.Error("keys changed although refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"rotate/make-room=done", "rotate/create=done", "rotate/deliver=done"}
			if got := states(rot.Outcomes); !slices.Equal(got, want) {
				t.Errorf("outcomes = %v, want %v", got, want)
			}
			keys := e.user(acctOwn, "alice").Keys
			if len(keys) != 2 || keys[0] != other.ID || keys[1] != rot.NewKeyID {
				t.Errorf("alice's keys = %v, want the other key and the new one", keys)
			}
		})
	}
}

func TestRotateTwoOtherKeysRefused(t *testing.T) {
	e := newEnv(t)
	e.key(acctOwn, "alice")
	// the leaked key is gone from IAM already, and alice holds two others
	e.responderWith(nil).Owner(context.Background(), e.leaked.ID)
	e.fake.DeleteKey(e.leaked.ID)
	e.key(acctOwn, "alice")
	_, err := e.responderWith(nil).Rotate(context.Background(), e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "stdout")})
	if !errors.Is(err, revoke.ErrKeyLimit) {
		t.Fatalf("err = %v, want ErrKeyLimit", err)
	}
}

func TestRotateDeleteAfterIdle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lk := e.cfg(e.leaked)
	if _, err := sts.NewFromConfig(lk).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	e.clock.add(time.Hour)
	opts := revoke.RotateOptions{Sink: mustSink(t, "stdout"), DeleteAfter: 24 * time.Hour}
	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rot.OldDeleted || e.keyStatus(e.leaked.ID) != "Active" {
		t.Fatal("old key deleted although used an hour ago")
	}
	if !strings.Contains(strings.Join(rot.Notes, "\n"), "last used 1h0m0s ago") {
		t.Errorf("notes = %v", rot.Notes)
	}
	e.clock.add(24 * time.Hour)
	rot, err = e.responderWith(nil).Rotate(ctx, e.leaked.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := states(rot.Outcomes); !slices.Equal(got, []string{"rotate/delete-old=done"}) || !rot.OldDeleted {
		t.Errorf("later run = %v %+v, want only the deletion", got, rot)
	}
	if e.keyStatus(e.leaked.ID) != "deleted" || len(e.user(acctOwn, "alice").Keys) != 1 {
		t.Error("old key not deleted once idle, or a second new key made")
	}
}

func TestRotateDryRunChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.key(acctOwn, "alice") // at the limit: the plan includes making room
	p := filepath.Join(e.home, "k")
	rot, err := e.responderWith(func(o *revoke.Options) { o.DryRun = true }).Rotate(context.Background(), e.leaked.ID,
		revoke.RotateOptions{Sink: mustSink(t, "file:"+p)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"rotate/make-room=planned", "rotate/create=planned", "rotate/deliver=planned"}
	if got := states(rot.Outcomes); !slices.Equal(got, want) {
		t.Errorf("plan = %v, want %v", got, want)
	}
	if len(e.user(acctOwn, "alice").Keys) != 2 || e.keyStatus(e.leaked.ID) != "Active" {
		t.Error("dry run changed keys")
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("dry run wrote the sink")
	}
	if _, err := os.Stat(revoke.JournalPath(e.dir, e.leaked.ID)); err == nil {
		t.Error("dry run wrote a journal")
	}
}

func TestDeleteOld(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.responderWith(nil).DeleteOld(ctx, e.leaked.ID, revoke.DeleteOptions{}); !errors.Is(err, revoke.ErrOnlyActiveKey) {
		t.Fatalf("deleting the only active key: %v, want ErrOnlyActiveKey", err)
	}
	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "stdout"), KeepOld: true})
	if err != nil || rot.OldDeleted {
		t.Fatalf("rotate --keep-old: %+v %v", rot, err)
	}
	if _, err := sts.NewFromConfig(e.cfg(e.leaked)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err) // something still uses the old key
	}
	d, err := e.responderWith(nil).DeleteOld(ctx, e.leaked.ID, revoke.DeleteOptions{IdleFor: time.Hour})
	if err != nil || d.Deleted || len(d.Notes) != 1 || e.keyStatus(e.leaked.ID) != "Active" {
		t.Fatalf("delete while in use: %+v %v", d, err)
	}
	e.clock.add(2 * time.Hour)
	d, err = e.responderWith(nil).DeleteOld(ctx, e.leaked.ID, revoke.DeleteOptions{IdleFor: time.Hour})
	if err != nil || !d.Deleted || e.keyStatus(e.leaked.ID) != "deleted" {
		t.Fatalf("delete once idle: %+v %v", d, err)
	}
	// the rotation record knows, so a later rotate run does nothing
	rot, err = e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "stdout")})
	if err != nil || len(rot.Outcomes) != 0 || !rot.OldDeleted {
		t.Errorf("rotate after delete: %v %+v", err, rot)
	}
	if _, err := e.responderWith(nil).DeleteOld(ctx, e.leaked.ID, revoke.DeleteOptions{}); !errors.Is(err, revoke.ErrKeyNotFound) {
		t.Errorf("deleting it again: %v, want ErrKeyNotFound", err)
	}
}
