package github

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
)

func TestGistsAndComments(t *testing.T) {
	e := newEnv(t, githubfake.Options{MaxPerPage: 1})
	g := testkeys.New(6)
	inGist, inComment, inReview, old := newKey(g), newKey(g), newKey(g), newKey(g)
	e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"README": "hi\n"})
	e.fake.AddOrg("acme", "alice", "bob")
	e.fake.AddGist("alice", githubfake.Gist{ID: "g1", Files: map[string]string{"creds.txt": inGist.file(), "other.md": "nothing"}})
	e.fake.AddGist("bob", githubfake.Gist{ID: "g2", Files: map[string]string{"a.txt": "nothing here"}})
	now := time.Now().Add(-time.Minute) // GitHub's since= has second precision
	e.fake.AddComment("acme", "api", githubfake.Comment{ID: 1, Issue: 3, Body: "try\n" + inComment.file(), Updated: now})
	e.fake.AddComment("acme", "api", githubfake.Comment{ID: 2, Issue: 4, Body: "old\n" + old.file(), Updated: now.Add(-48 * time.Hour)})
	e.fake.AddComment("acme", "api", githubfake.Comment{ID: 3, Issue: 5, Body: inReview.file(), Review: true, Updated: now})
	st := newMemState()
	o := e.opts("acme")
	o.IncludeGists, o.IncludeComments = true, true
	sum := e.sweep(context.Background(), o, st)
	if want := []string{"acme/api", "gists/alice", "gists/bob"}; !reflect.DeepEqual(sum.Units, want) {
		t.Errorf("units %v, want %v", sum.Units, want)
	}
	if got := st.keys("gists/alice"); !reflect.DeepEqual(got, []string{inGist.id}) {
		t.Errorf("gist keys %v", got)
	}
	if got := st.keys("acme/api"); !reflect.DeepEqual(got, sortedOf(inComment.id, inReview.id, old.id)) {
		t.Errorf("comment keys %v", got)
	}
	u, _ := st.unit("acme/api")
	for _, f := range u.Findings {
		l := f.Locations[0]
		if l.Kind != "comment" || !strings.Contains(l.URL, "#issuecomment-") || l.Repo != "acme/api" {
			t.Errorf("comment location %+v", l)
		}
	}
	gu, _ := st.unit("gists/alice")
	if l := gu.Findings[0].Locations[0]; l.Kind != "gist" || l.Path != "g1/creds.txt" || !strings.HasSuffix(l.URL, "#file-creds-txt") {
		t.Errorf("gist location %+v", l)
	}

	// The next sweep asks only for comments updated since the last one.
	st.commits = nil
	o.SweepID = "s2"
	e.sweep(context.Background(), o, st)
	since := false
	for _, r := range e.fake.Requests() {
		if strings.Contains(r, "/issues/comments") && strings.Contains(r, "since=") {
			since = true
		}
	}
	if !since {
		t.Error("second sweep listed comments without since=")
	}
	if got := st.keys("acme/api"); len(got) != 0 {
		t.Errorf("second sweep re-reported comment keys %v", got)
	}
}
