package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func finding(keyID, secret string, locs ...scanner.Location) scanner.Finding {
	sec := scanner.Secret(secret)
	return scanner.Finding{Fingerprint: scanner.Fingerprint(keyID, sec), KeyID: keyID, KeyType: scanner.TypeOf(keyID),
		Secret: sec, Locations: locs, Verification: scanner.Verification{Verdict: scanner.Unverified}}
}

func TestOpenModeAndDefaultPath(t *testing.T) {
	s := openTemp(t)
	st, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	env := map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/u"}
	p, _ := DefaultPath(func(k string) string { return env[k] })
	if p != "/x/state/keysweep/state.db" {
		t.Errorf("DefaultPath = %s", p)
	}
	delete(env, "XDG_STATE_HOME")
	p, _ = DefaultPath(func(k string) string { return env[k] })
	if p != "/home/u/.local/state/keysweep/state.db" {
		t.Errorf("DefaultPath without XDG = %s", p)
	}
}

func TestOpenBadFiles(t *testing.T) {
	t.Run("corrupt", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "state.db")
		junk := make([]byte, 8192)
		for i := range junk {
			junk[i] = byte(i * 7)
		}
		os.WriteFile(p, junk, 0o600)
		if s, err := Open(p); err == nil {
			s.Close()
			t.Fatal("Open of a corrupt file succeeded")
		}
	})
	t.Run("locked", func(t *testing.T) {
		s := openTemp(t)
		s2, err := Open(s.Path())
		if err == nil {
			s2.Close()
			t.Fatal("second Open of a locked file succeeded")
		}
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v, want ErrLocked", err)
		}
	})
}

func TestStatusesAcrossSweeps(t *testing.T) {
	s := openTemp(t)
	g := testkeys.New(1)
	a := finding(g.AccessKeyID(), g.Secret(), scanner.Location{Repo: "org/a", Path: "a.env", Line: 1, Commit: "c1", InHead: true})
	b := finding(g.AccessKeyID(), g.Secret(), scanner.Location{Repo: "org/a", Path: "old.txt", Line: 2, Commit: "c1"})
	day := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)

	sw1, resumed, err := s.BeginSweep("github:org", day)
	if err != nil || resumed {
		t.Fatalf("BeginSweep: %v resumed=%v", err, resumed)
	}
	if err := s.CommitRepo(Repo{Name: "org/a", SweepID: sw1.ID, Tips: map[string]string{"refs/heads/main": "c1"}},
		[]scanner.Finding{a, b}, nil, day); err != nil {
		t.Fatal(err)
	}
	s.FinishSweep(sw1.ID, day)
	want(t, s, map[string]string{a.KeyID: StatusNew, b.KeyID: StatusNew})

	// Night two: a third key appears; a leaves HEAD (its file was deleted).
	c := finding(g.AccessKeyID(), g.Secret(), scanner.Location{Repo: "org/a", Path: "c.env", Line: 3, Commit: "c2", InHead: true})
	sw2, _, _ := s.BeginSweep("github:org", day.Add(24*time.Hour))
	if sw2.ID == sw1.ID {
		t.Fatal("second sweep reused the first's ID")
	}
	calls := 0
	still := func(keyID string, l scanner.Location) bool { calls++; return keyID != a.KeyID }
	if err := s.CommitRepo(Repo{Name: "org/a", SweepID: sw2.ID}, []scanner.Finding{c}, still, day.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("stillInHead called %d times, want 1 (only locations in HEAD)", calls)
	}
	want(t, s, map[string]string{a.KeyID: StatusRemoved, b.KeyID: StatusKnown, c.KeyID: StatusNew})
	r, ok, _ := s.Repo("org/a")
	if !ok || r.SweepID != sw2.ID {
		t.Errorf("repo state = %+v", r)
	}
	// b was seen on night one and again (a new location) on night two.
	s.CommitRepo(Repo{Name: "org/b", SweepID: sw2.ID}, []scanner.Finding{finding(b.KeyID, b.Secret.Reveal(),
		scanner.Location{Repo: "org/b", Path: "copy.txt", Line: 1})}, nil, day.Add(24*time.Hour))
	h, err := s.History(b.Fingerprint)
	if err != nil || !h.FirstSeen.Equal(day) || !h.LastSeen.Equal(day.Add(24*time.Hour)) || h.FirstSweep != sw1.ID || h.LastSweep != sw2.ID {
		t.Errorf("history of b = %+v, %v", h, err)
	}
	if _, err := s.History("nope"); err == nil {
		t.Error("history of an unknown fingerprint")
	}
}

func want(t *testing.T, s *Store, statuses map[string]string) {
	t.Helper()
	res, err := s.Findings()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != len(statuses) {
		t.Fatalf("%d findings, want %d", len(res.Findings), len(statuses))
	}
	for _, f := range res.Findings {
		if f.Status != statuses[f.KeyID] {
			t.Errorf("%s: status %q, want %q", f.KeyID, f.Status, statuses[f.KeyID])
		}
		if f.Secret == "" || scanner.Fingerprint(f.KeyID, f.Secret) != f.Fingerprint {
			t.Errorf("%s: secret not stored in full", f.KeyID)
		}
	}
}

func TestResumeUnfinishedSweep(t *testing.T) {
	s := openTemp(t)
	now := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	sw, _, _ := s.BeginSweep("k", now)
	other, _, _ := s.BeginSweep("other-key", now.Add(time.Second))
	again, resumed, err := s.BeginSweep("k", now.Add(time.Hour))
	if err != nil || !resumed || again.ID != sw.ID {
		t.Fatalf("resume: %+v resumed=%v err=%v, want ID %s", again, resumed, err, sw.ID)
	}
	last, ok, _ := s.LastSweep()
	if !ok || last.ID != sw.ID {
		t.Errorf("LastSweep = %s, want the resumed %s", last.ID, sw.ID)
	}
	s.FinishSweep(sw.ID, now.Add(2*time.Hour))
	fresh, resumed, _ := s.BeginSweep("k", now.Add(3*time.Hour))
	if resumed || fresh.ID == sw.ID || fresh.ID == other.ID {
		t.Errorf("after Finish: %+v resumed=%v", fresh, resumed)
	}
}

func TestResultFilterErrorsAndReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	g := testkeys.New(2)
	k := finding(g.AccessKeyID(), g.Secret(),
		scanner.Location{Repo: "org/a", Path: "x", Line: 1},
		scanner.Location{Repo: "org/b", Path: "y", Line: 1})
	now := time.Now()
	sw, _, _ := s.BeginSweep("k", now)
	s.CommitRepo(Repo{Name: "org/a", SweepID: sw.ID}, []scanner.Finding{k}, nil, now)
	s.CommitRepo(Repo{Name: "org/c", SweepID: sw.ID, Err: "clone: repository not found"}, nil, nil, now)
	k.Verification = scanner.Verification{Verdict: scanner.Live, VerifiedAt: now, ARN: "arn:aws:iam::1:user/x"}
	if err := s.RecordVerdicts([]scanner.Finding{k}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name     string
		keep     func(string) bool
		locs     int
		errs     int
		findings int
	}{
		{"all", nil, 2, 1, 1},
		{"org/b only", func(r string) bool { return r == "org/b" }, 1, 0, 1},
		{"org/c only", func(r string) bool { return r == "org/c" }, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Result(ResultOptions{Repo: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) != tt.findings || len(res.Errors) != tt.errs {
				t.Fatalf("findings %d errors %d, want %d %d", len(res.Findings), len(res.Errors), tt.findings, tt.errs)
			}
			if tt.findings > 0 {
				f := res.Findings[0]
				if len(f.Locations) != tt.locs {
					t.Errorf("%d locations, want %d", len(f.Locations), tt.locs)
				}
				if f.Verification.Verdict != scanner.Live {
					t.Errorf("verdict %q after reopen", f.Verification.Verdict)
				}
			}
		})
	}
	h, err := s.Verdicts(k.Fingerprint)
	if err != nil || len(h) != 1 || h[0].Verdict != scanner.Live {
		t.Errorf("verdict history = %+v, %v", h, err)
	}
}
