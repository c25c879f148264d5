package bytesize

import "testing"

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{name: "zero", n: 0, want: "0 B"},
		{name: "below a KiB", n: 1023, want: "1023 B"},
		{name: "one KiB", n: 1 << 10, want: "1.0 KiB"},
		{name: "one and a half MiB", n: 3 << 19, want: "1.5 MiB"},
		{name: "just below a GiB", n: 1<<30 - 1, want: "1024.0 MiB"},
		{name: "GiB", n: 5 << 30, want: "5.0 GiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.n); got != tc.want {
				t.Errorf("Format(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}
