package github

import "testing"

func TestFilterKeep(t *testing.T) {
	plain := Repo{FullName: "acme/api", Name: "api", Visibility: "public"}
	fork := Repo{FullName: "acme/fork", Name: "fork", Visibility: "public", Fork: true}
	archived := Repo{FullName: "acme/old", Name: "old", Visibility: "private", Private: true, Archived: true}
	internal := Repo{FullName: "acme/tools", Name: "tools", Visibility: "internal"}
	tests := []struct {
		name   string
		filter Filter
		keep   []bool // plain, fork, archived, internal
	}{
		{"zero filter", Filter{}, []bool{true, false, false, true}},
		{"forks", Filter{IncludeForks: true}, []bool{true, true, false, true}},
		{"archived", Filter{IncludeArchived: true}, []bool{true, false, true, true}},
		{"private only", Filter{Visibility: "private", IncludeArchived: true}, []bool{false, false, true, false}},
		{"internal only", Filter{Visibility: "internal"}, []bool{false, false, false, true}},
		{"all visibilities", Filter{Visibility: "all"}, []bool{true, false, false, true}},
		{"repo glob on full name", Filter{Repos: []string{"acme/t*"}}, []bool{false, false, false, true}},
		{"repo glob on name", Filter{Repos: []string{"api", "tools"}}, []bool{true, false, false, true}},
		{"exclude wins", Filter{Repos: []string{"*"}, Excludes: []string{"acme/api"}}, []bool{false, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.filter.Validate(); err != nil {
				t.Fatal(err)
			}
			for i, r := range []Repo{plain, fork, archived, internal} {
				if got := tt.filter.Keep(r); got != tt.keep[i] {
					t.Errorf("Keep(%s) = %v, want %v", r.FullName, got, tt.keep[i])
				}
			}
		})
	}
	for _, bad := range []Filter{{Visibility: "secret"}, {Repos: []string{"[a"}}, {Excludes: []string{"a\\"}}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
	}
}
