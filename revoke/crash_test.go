package revoke_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/keysweep/keysweep/revoke"
)

// crashAfterIntent appends to the journal what a run killed right after
// journaling its intent for action id would have left: the intent, no outcome.
func crashAfterIntent(t *testing.T, dir, keyID, id string) {
	t.Helper()
	path := revoke.JournalPath(dir, keyID)
	es, err := revoke.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var act *revoke.Action
	for _, en := range es {
		if en.Action != nil && en.Action.ID == id {
			act = en.Action
		}
	}
	if act == nil {
		act = &revoke.Action{ID: id, Step: "contain", Operation: "iam:PutUserPolicy"}
	}
	appendEntry(t, path, revoke.Entry{Seq: len(es) + 1, Time: time.Now().UTC(), Kind: revoke.KindIntent, Action: act})
}

func appendEntry(t *testing.T, path string, en revoke.Entry) {
	t.Helper()
	b, err := json.Marshal(en)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
}
