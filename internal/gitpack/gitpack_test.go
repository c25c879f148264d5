package gitpack

import "testing"

func TestObjectHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    []byte
		typ  int
		size int64
		n    int
		ok   bool
	}{
		{"one byte blob", []byte{0x35}, Blob, 5, 1, true},
		{"two bytes", []byte{0xbf, 0x01}, Blob, 31, 2, true}, // 15 | 1<<4
		{"offset delta, three bytes", []byte{0xe1, 0x80, 0x01, 0xff}, OfsDelta, 1 | 1<<11, 3, true},
		{"empty", nil, 0, 0, 0, false},
		{"ends inside", []byte{0x91}, 0, 0, 0, false},
		{"overflows", []byte{0x91, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ, size, n, ok := ObjectHeader(tc.h)
			if typ != tc.typ || size != tc.size || n != tc.n || ok != tc.ok {
				t.Errorf("ObjectHeader(%x) = %d, %d, %d, %v; want %d, %d, %d, %v", tc.h, typ, size, n, ok, tc.typ, tc.size, tc.n, tc.ok)
			}
		})
	}
}

func TestOffsetVarint(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		v    int64
		n    int
	}{
		{"one byte", []byte{0x05, 0xff}, 5, 1},
		{"two bytes add one", []byte{0x80, 0x00}, 128, 2}, // (0+1)<<7
		{"127 then 127", []byte{0xff, 0x7f}, (127+1)<<7 | 127, 2},
		{"empty", nil, 0, 0},
		{"ends inside", []byte{0x80}, 0, 0},
		{"too large", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, n := OffsetVarint(tc.b); v != tc.v || n != tc.n {
				t.Errorf("OffsetVarint(%x) = %d, %d; want %d, %d", tc.b, v, n, tc.v, tc.n)
			}
		})
	}
}

func TestApplyDelta(t *testing.T) {
	base := []byte("0123456789")
	alloc := func(n int64) []byte { return make([]byte, n) }
	for _, tc := range []struct {
		name  string
		delta []byte
		want  string // "" for an error
	}{
		{"copy and insert", []byte{10, 6, 0x91, 2, 3, 3, 'a', 'b', 'c'}, "234abc"},
		{"copy of 0x10000 spelled 0", []byte{10, 10, 0x80}, ""}, // 64 KiB from a 10-byte base
		{"base size differs", []byte{9, 1, 1, 'x'}, ""},
		{"copy out of range", []byte{10, 4, 0x91, 8, 4}, ""},
		{"insert past the end", []byte{10, 1, 3, 'a'}, ""},
		{"opcode 0", []byte{10, 1, 0}, ""},
		{"result shorter than said", []byte{10, 5, 1, 'a'}, ""},
		{"no header", []byte{0x80}, ""},
		{"over the size limit", []byte{10, 0x80, 0x10}, ""}, // 2048 > 1024
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplyDelta(base, tc.delta, 1<<10, alloc)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("applied to %q, want an error", got)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
