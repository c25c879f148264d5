package hooks

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestJudge(t *testing.T) {
	k1, k2, k3 := newCred(51), newCred(52), newCred(53)
	added := finding(k1, "a.ini")
	old := finding(k2, "b.ini")
	old.Locations[0].InHead = true
	mixed := finding(k3, "c.ini", "d.ini")
	mixed.Locations[0].InHead = true
	example := finding(newCred(54), "e.md")
	example.Example = true
	v := Judge(&scanner.Result{Findings: []scanner.Finding{added, old, mixed, example}})
	if len(v.Blocked) != 2 || v.Blocked[0].KeyID != k1.id || v.Blocked[1].KeyID != k3.id {
		t.Errorf("blocked = %+v", v.Blocked)
	}
	if len(v.Warned) != 2 || v.Warned[0].KeyID != k2.id || !v.Warned[1].Example {
		t.Errorf("warned = %+v", v.Warned)
	}
}

func TestWriteVerdictGolden(t *testing.T) {
	// Fixed, generated fake keys: the output is stable.
	k1, k2 := newCred(61), newCred(62)
	blocked := finding(k1, "conf/app.ini")
	blocked.KeyType, blocked.AccountID = scanner.AccessKey, "123456789012"
	blocked.Locations[0].Column = 21
	warned := finding(k2, "legacy.ini")
	warned.Locations[0].InHead = true
	res := &scanner.Result{
		Findings: []scanner.Finding{blocked, warned},
		Notes:    []string{"big.zip: not fully checked: archive member over the size limit"},
		Errors:   []scanner.UnitError{{Unit: "gone.txt", Err: "read blob 1234: object missing"}},
	}
	for _, action := range []string{ActionCommit, ActionPush, ActionReceive} {
		t.Run(action, func(t *testing.T) {
			var buf bytes.Buffer
			WriteVerdict(&buf, Judge(res), action)
			if bytes.Contains(buf.Bytes(), []byte(k1.secret)) {
				t.Fatal("the message shows the secret")
			}
			golden := filepath.Join("testdata", "verdict-"+map[string]string{ActionCommit: "commit", ActionPush: "push", ActionReceive: "receive"}[action]+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("message differs from %s (go test -update to accept):\n%s", golden, buf.String())
			}
		})
	}
	var empty bytes.Buffer
	WriteVerdict(&empty, Verdict{}, ActionCommit)
	if empty.Len() != 0 {
		t.Errorf("empty verdict wrote %q", empty.String())
	}
}
