package history

import (
	"testing"
	"time"
)

func TestParseSignature(t *testing.T) {
	zones := map[string]*time.Location{}
	cases := []struct {
		name, in, who, email string
		unix                 int64
		offset               int
	}{
		{"utc", "Ada Lovelace <ada@example.com> 1700000000 +0000", "Ada Lovelace", "ada@example.com", 1700000000, 0},
		{"east", "Bob <bob@x> 1700000000 +0530", "Bob", "bob@x", 1700000000, 5*3600 + 30*60},
		{"west", "C <c@y> 1 -0800", "C", "c@y", 1, -8 * 3600},
		{"no email", "just a name", "just a name", "", 0, 0},
		{"bad time", "D <d@z> soon +0000", "D", "d@z", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			who, email, when := parseSignature([]byte(c.in), zones)
			if string(who) != c.who || string(email) != c.email {
				t.Errorf("got %q <%q>", who, email)
			}
			if c.unix == 0 {
				if !when.IsZero() {
					t.Errorf("when = %v, want zero", when)
				}
				return
			}
			_, off := when.Zone()
			if when.Unix() != c.unix || off != c.offset {
				t.Errorf("when = %v (offset %d)", when, off)
			}
		})
	}
	if len(zones) != 3 {
		t.Errorf("zones cached = %d, want 3 (one per offset)", len(zones))
	}
}

func TestSplit(t *testing.T) {
	refs := make([]blobRef, 10)
	for i := range refs {
		refs[i] = blobRef{id: int32(i), size: 100}
	}
	refs[9].size = 10_000
	cases := []struct {
		name string
		refs []blobRef
		n    int
	}{
		{"even", refs[:9], 3},
		{"one huge", refs, 2},
		{"more lanes than refs", refs[:2], 4},
		{"unknown sizes", []blobRef{{id: 0, size: -1}, {id: 1, size: -1}, {id: 2, size: -1}, {id: 3, size: -1}}, 2},
		{"empty", nil, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lanes := split(c.refs, c.n)
			if len(lanes) > c.n {
				t.Errorf("%d lanes, want at most %d", len(lanes), c.n)
			}
			var all []blobRef
			for _, l := range lanes {
				if len(l) == 0 {
					t.Error("empty lane")
				}
				all = append(all, l...)
			}
			if len(all) != len(c.refs) {
				t.Fatalf("lanes hold %d refs, want %d", len(all), len(c.refs))
			}
			for i := range all {
				if all[i] != c.refs[i] {
					t.Fatalf("order changed at %d", i)
				}
			}
		})
	}
}

func TestParseEntry(t *testing.T) {
	cases := []struct {
		name, line string
		ok         bool
		size       int64
	}{
		{"with size", "1234567890123456789012345678901234567890 blob 12", true, 12},
		{"type only", "1234567890123456789012345678901234567890 tree", true, -1},
		{"bad hash", "xyz blob 12", false, 0},
		{"bad type", "1234567890123456789012345678901234567890 frob", false, 0},
		{"bad size", "1234567890123456789012345678901234567890 blob x", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok := parseEntry([]byte(c.line))
			if ok != c.ok || (ok && e.size != c.size) {
				t.Errorf("parseEntry = %+v, %v", e, ok)
			}
		})
	}
}
