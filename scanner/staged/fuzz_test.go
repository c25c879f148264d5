package staged

import (
	"strings"
	"testing"
)

// FuzzParseRaw: any bytes from git (or not) parse or fail cleanly; every
// parsed change has a path and a one-letter status.
func FuzzParseRaw(f *testing.F) {
	a := strings.Repeat("1", 40)
	f.Add([]byte(":000000 100644 " + strings.Repeat("0", 40) + " " + a + " A\x00x\x00"))
	f.Add([]byte(":100644 100644 " + a + " " + a + " R090\x00old\x00new\x00"))
	f.Add([]byte(":\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := parseRaw(b)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.status == 0 {
				t.Fatalf("change without status: %+v", c)
			}
		}
	})
}

// FuzzParseHookInput: hook input never panics, and accepted updates carry
// well-formed object ids.
func FuzzParseHookInput(f *testing.F) {
	z, a := strings.Repeat("0", 40), strings.Repeat("a", 40)
	f.Add("refs/heads/main " + a + " refs/heads/main " + z + "\n")
	f.Add(z + " " + a + " refs/heads/x\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) ([]Update, error){pp, pr} {
			ups, err := parse(s)
			if err != nil {
				continue
			}
			for _, u := range ups {
				if !isHex(u.Old) || !isHex(u.New) {
					t.Fatalf("accepted bad ids: %+v", u)
				}
			}
		}
	})
}
