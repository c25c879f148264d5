package dir

import "testing"

func TestMatcher(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"node_modules", "node_modules", true},
		{"node_modules", "web/node_modules", true},
		{"node_modules", "web/node_modules_x", false},
		{"*.min.js", "dist/app.min.js", true},
		{"*.min.js", "dist/app.js", false},
		{"vendor/**", "vendor", true},
		{"vendor/**", "vendor/a/b.go", true},
		{"vendor/**", "src/vendor/a.go", false},
		{"**/testdata/*.json", "a/b/testdata/x.json", true},
		{"**/testdata/*.json", "testdata/x.json", true},
		{"**/testdata/*.json", "testdata/sub/x.json", false},
		{"./docs/", "docs", true},
		{"docs/*.md", "docs/a.md", true},
		{"docs/*.md", "x/docs/a.md", false},
	}
	for _, tt := range tests {
		t.Run(tt.glob+" "+tt.path, func(t *testing.T) {
			m, err := newMatcher([]string{tt.glob})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.match(tt.path); got != tt.want {
				t.Fatalf("match = %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"[", "a/[b", "", "/"} {
		if _, err := newMatcher([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
