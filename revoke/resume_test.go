package revoke_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/revoke"
)

var errKilled = errors.New("killed")

// killAt returns options whose Confirm fails at the first action with
// operation op, as a run killed just before that call would stop.
func killAt(op string) func(*revoke.Options) {
	return func(o *revoke.Options) {
		o.Confirm = func(_ context.Context, a revoke.Action) (bool, error) {
			if a.Operation == op {
				return false, errKilled
			}
			return true, nil
		}
	}
}

// truncateJournal keeps the journal's lines up to and including the first
// entry keep accepts: what a run killed right after writing it leaves.
func truncateJournal(t *testing.T, path string, keep func(revoke.Entry) bool) {
	t.Helper()
	es, err := revoke.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := bytes.SplitAfter(b, []byte("\n"))
	for i, en := range es {
		if keep(en) {
			if err := os.WriteFile(path, bytes.Join(lines[:i+1], nil), 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no entry to cut after")
}

func isIntent(id string) func(revoke.Entry) bool {
	return func(en revoke.Entry) bool { return en.Kind == revoke.KindIntent && en.Action.ID == id }
}

func TestRotateCrashAfterCreateAccessKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sink := mustSink(t, "file:"+filepath.Join(e.home, "k"))
	// The first run made the CreateAccessKey call and was killed before it
	// journaled the outcome (and before it delivered the secret).
	if _, err := e.responderWith(killAt("write-file")).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink}); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	orphan := e.newKeyOf("alice", e.leaked.ID)
	truncateJournal(t, revoke.JournalPath(e.dir, e.leaked.ID), isIntent("rotate/create"))

	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"rotate/discard-" + orphan + "=done", "rotate/create=done", "rotate/deliver=done", "rotate/delete-old=done"}
	if got := states(rot.Outcomes); !slices.Equal(got, want) {
		t.Errorf("resumed run = %v, want %v", got, want)
	}
	notes := strings.Join(rot.Notes, "\n")
	if !strings.Contains(notes, "interrupted run created key "+orphan) {
		t.Errorf("notes = %s", notes)
	}
	keys := e.user(acctOwn, "alice").Keys
	if len(keys) != 1 || keys[0] == orphan || keys[0] != rot.NewKeyID {
		t.Errorf("alice's keys = %v; the undelivered %s must be gone and exactly one new key left", keys, orphan)
	}
	b, _ := os.ReadFile(filepath.Join(e.home, "k"))
	if !strings.Contains(string(b), rot.NewKeyID) {
		t.Errorf("sink holds %q, want %s", b, rot.NewKeyID)
	}
}

func TestRotateCrashAfterCreateBeforeAWSAnswered(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// the run died after journaling its intent, before the request left:
	// AWS has no new key.
	if _, err := e.responderWith(killAt("print-stdout")).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "stdout")}); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	orphan := e.newKeyOf("alice", e.leaked.ID)
	e.fake.DeleteKey(orphan)
	truncateJournal(t, revoke.JournalPath(e.dir, e.leaked.ID), isIntent("rotate/create"))
	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "stdout")})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(rot.Outcomes); !slices.Equal(got, []string{"rotate/create=done", "rotate/deliver=done", "rotate/delete-old=done"}) {
		t.Errorf("resumed run = %v", got)
	}
}

func TestRotateCrashDuringDelivery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := filepath.Join(e.home, "k")
	sink := mustSink(t, "file:"+p)
	if _, err := e.responderWith(killAt("write-file")).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink}); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	// the killed run had written the file, not yet the outcome
	id := e.newKeyOf("alice", e.leaked.ID)
	k, _ := e.fake.Key(id)
	os.WriteFile(p, []byte("AWS_ACCESS_KEY_ID="+id+"\nAWS_SECRET_ACCESS_KEY="+k.Secret+"\n"), 0o600)
	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(rot.Outcomes); !slices.Equal(got, []string{"rotate/delete-old=done"}) {
		t.Errorf("resumed run = %v, want only the old key's deletion", got)
	}
	if rot.NewKeyID != id || !rot.Delivered {
		t.Errorf("rotation = %+v", rot)
	}
	if keys := e.user(acctOwn, "alice").Keys; !slices.Equal(keys, []string{id}) {
		t.Errorf("keys = %v, want only %s", keys, id)
	}
}

func TestRotateResumeAfterOldKeyDeleted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.key(acctOwn, "alice") // two keys: the leaked one is deleted to make room
	sink := mustSink(t, "stdout")
	if _, err := e.responderWith(killAt("print-stdout")).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink}); !errors.Is(err, errKilled) {
		t.Fatal(err)
	}
	if e.keyStatus(e.leaked.ID) != "deleted" {
		t.Fatal("room not made")
	}
	// resumed: the old key is gone, the new key's secret is lost with the
	// killed run, so it is replaced once
	rot, err := e.responderWith(nil).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if len(rot.Outcomes) != 3 || rot.Outcomes[1].Action.ID != "rotate/create" || !rot.Delivered || !rot.OldDeleted {
		t.Errorf("resumed = %v %+v", states(rot.Outcomes), rot)
	}
	if n := len(e.user(acctOwn, "alice").Keys); n != 2 {
		t.Errorf("alice has %d keys, want 2 (the other one and the new one)", n)
	}
}

func TestJournalTornAndCorrupt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.responderWith(nil).Contain(ctx, e.leaked.ID, revoke.ContainOptions{}); err != nil {
		t.Fatal(err)
	}
	path := revoke.JournalPath(e.dir, e.leaked.ID)
	before, _ := revoke.ReadJournal(path)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString(`{"seq":99,"kind":"intent","act`) // a write cut short by a crash
	f.Close()
	j, err := revoke.OpenJournal(e.dir, e.leaked.ID, nil)
	if err != nil {
		t.Fatalf("torn last line: %v", err)
	}
	if !j.Torn() || len(j.Entries()) != len(before)+1 {
		t.Errorf("torn = %v, %d entries (want %d + the repair note)", j.Torn(), len(j.Entries()), len(before))
	}
	j.Close()
	// later runs append after the repaired line and still read it all
	if _, err := e.responderWith(nil).Contain(ctx, e.leaked.ID, revoke.ContainOptions{}); err != nil {
		t.Fatalf("contain after a torn journal: %v", err)
	}
	if _, err := revoke.ReadJournal(path); err != nil {
		t.Fatalf("journal unreadable after repair: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v", fi.Mode().Perm())
	}

	// a corrupt line in the middle is an error that names it, and nothing is lost
	b, _ := os.ReadFile(path)
	bad := bytes.Replace(b, []byte(`"kind":"outcome"`), []byte(`"kind":outcome"`), 1)
	os.WriteFile(path, bad, 0o600)
	_, err = revoke.OpenJournal(e.dir, e.leaked.ID, nil)
	if err == nil || !strings.Contains(err.Error(), "line 3 is corrupt") {
		t.Errorf("corrupt journal: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, bad) {
		t.Error("opening a corrupt journal changed it")
	}
}
