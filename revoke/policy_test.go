package revoke_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestResponderPolicyCoversEveryCall holds docs/responder-policy.md to the
// code: every AWS permission named in this package is granted by the
// documented policy (sts:GetCallerIdentity needs none).
func TestResponderPolicyCoversEveryCall(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "responder-policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no json block in the policy doc")
	}
	var pol struct {
		Statement []struct {
			Action any
		}
	}
	if err := json.Unmarshal([]byte(block), &pol); err != nil {
		t.Fatalf("policy doc JSON: %v", err)
	}
	var granted []string
	for _, s := range pol.Statement {
		switch a := s.Action.(type) {
		case string:
			granted = append(granted, a)
		case []any:
			for _, x := range a {
				granted = append(granted, x.(string))
			}
		}
	}
	perm := regexp.MustCompile(`"((?:iam|sts|cloudtrail|organizations|secretsmanager):[A-Z][A-Za-z]+)"`)
	files, _ := filepath.Glob("*.go")
	var used []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range perm.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(used, m[1]) {
				used = append(used, m[1])
			}
		}
	}
	if len(used) < 10 {
		t.Fatalf("found only %v in the code", used)
	}
	for _, p := range used {
		if p != "sts:GetCallerIdentity" && !slices.Contains(granted, p) {
			t.Errorf("the code calls %s; docs/responder-policy.md does not grant it", p)
		}
	}
}
