package hooks

import (
	"fmt"
	"io"
	"strings"

	"github.com/keysweep/keysweep/scanner"
)

// Verdict of a hook run, split from a scan result.
type Verdict struct {
	Blocked []scanner.Finding // keys the commit or push adds: the hook fails
	Warned  []scanner.Finding // keys already in HEAD's version of the file, or AWS examples
	Errors  []scanner.UnitError
	Notes   []string // content checked only in part (size limits, corrupt archives)
}

// Judge splits res: a finding blocks when one of its locations is new (not
// already in HEAD) and it is not an AWS documentation example; the other
// findings are warnings.
func Judge(res *scanner.Result) Verdict {
	v := Verdict{Errors: res.Errors, Notes: res.Notes}
	for _, f := range res.Findings {
		added := len(f.Locations) == 0
		for _, l := range f.Locations {
			if !l.InHead {
				added = true
			}
		}
		if added && !f.Example {
			v.Blocked = append(v.Blocked, f)
		} else {
			v.Warned = append(v.Warned, f)
		}
	}
	return v
}

// Action words for messages: what the hook was guarding.
const (
	ActionCommit  = "commit"
	ActionPush    = "push"
	ActionReceive = "push (server)"
)

// WriteVerdict writes v for people: blocked keys with what to do and how
// to override, warnings, and unit errors. action is one of the Action
// constants. It writes nothing for an empty verdict.
func WriteVerdict(w io.Writer, v Verdict, action string) {
	for _, n := range v.Notes {
		fmt.Fprintf(w, "keysweep: warning: %s\n", n)
	}
	for _, f := range v.Warned {
		for _, l := range f.Locations {
			why := "was already in HEAD: this commit does not add it"
			if f.Example {
				why = "is AWS's documented example key"
			}
			fmt.Fprintf(w, "keysweep: warning: %s: AWS key %s %s. If it is real, rotate it and remove it.\n",
				where(l), f.KeyID, why)
		}
	}
	if len(v.Blocked) > 0 {
		writeBlocked(w, v.Blocked, action)
	}
	if len(v.Errors) > 0 {
		fmt.Fprintf(w, "keysweep: ERROR: %d item(s) could not be checked:\n", len(v.Errors))
		for _, e := range v.Errors {
			fmt.Fprintf(w, "  %s: %s\n", e.Unit, e.Err)
		}
	}
}

func writeBlocked(w io.Writer, blocked []scanner.Finding, action string) {
	verb := map[string]string{ActionCommit: "commit", ActionPush: "push", ActionReceive: "push"}[action]
	if verb == "" {
		verb = action
	}
	fmt.Fprintf(w, "\nkeysweep: %s BLOCKED: it adds %d AWS access key%s.\n\n", verb, len(blocked), plural(len(blocked)))
	var first scanner.Finding
	for i, f := range blocked {
		if i == 0 {
			first = f
		}
		for _, l := range f.Locations {
			fmt.Fprintf(w, "  %s\n", where(l))
			fmt.Fprintf(w, "      key ID  %s   %s\n", f.KeyID, describe(f))
			if f.Secret != "" {
				fmt.Fprintf(w, "      secret  %s\n", f.Secret.Redacted())
			}
			fmt.Fprintf(w, "      fingerprint %s\n", f.Fingerprint)
		}
	}
	fmt.Fprintf(w, "\nThis looks like an AWS access key. Anyone who can read the repository can use it.\n\n")
	fmt.Fprintf(w, "What to do:\n")
	fmt.Fprintf(w, "  1. Remove the key from the file. Let the code read credentials from an AWS profile\n")
	fmt.Fprintf(w, "     (~/.aws/credentials, AWS_PROFILE) or from the environment (AWS_ACCESS_KEY_ID,\n")
	fmt.Fprintf(w, "     AWS_SECRET_ACCESS_KEY), never from the source.\n")
	if verb == "commit" {
		files := stagedFiles(blocked)
		fmt.Fprintf(w, "  2. Unstage it: git restore --staged %s   (or: git reset %s)\n", files, files)
	} else {
		fmt.Fprintf(w, "  2. Take it out of the unpushed commits: git rebase -i, edit, git commit --amend\n")
	}
	fmt.Fprintf(w, "  3. If this key was ever pushed or shared, rotate it now: keysweep respond contain %s\n", first.KeyID)
	fmt.Fprintf(w, "\nA false positive? Any one of these lets it through:\n")
	fmt.Fprintf(w, "  - put  keysweep:allow  in a comment on that line\n")
	fmt.Fprintf(w, "  - add an entry with a reason to %s at the repository root:\n", ConfigFile)
	fmt.Fprintf(w, "        [[allow]]\n        fingerprint = %q\n        reason = \"test fixture, not a real key\"\n", first.Fingerprint)
	fmt.Fprintf(w, "    (or path = \"glob\", or key_id = \"%s\"; see docs/hooks.md)\n", first.KeyID)
	if verb == "commit" {
		fmt.Fprintf(w, "  - skip the hook once: git commit --no-verify\n\n")
	} else if action == ActionPush {
		fmt.Fprintf(w, "  - skip the hook once: git push --no-verify\n\n")
	} else {
		fmt.Fprintf(w, "  - ask the server's administrator\n\n")
	}
}

func where(l scanner.Location) string {
	var b strings.Builder
	switch {
	case l.Path != "":
		b.WriteString(l.Path)
	case l.Commit != "":
		b.WriteString("commit message of " + short(l.Commit))
	default:
		b.WriteString("(unknown place)")
	}
	if l.Line > 0 {
		fmt.Fprintf(&b, ":%d", l.Line)
		if l.Column > 0 {
			fmt.Fprintf(&b, ":%d", l.Column)
		}
	}
	if l.Member != "" {
		b.WriteString(" (in " + l.Member + ")")
	}
	if l.Encoding != "" {
		b.WriteString(" [" + l.Encoding + "]")
	}
	if l.Commit != "" && l.Path != "" {
		b.WriteString(" in commit " + short(l.Commit))
	}
	return b.String()
}

func describe(f scanner.Finding) string {
	var parts []string
	if f.KeyType == scanner.SessionKey {
		parts = append(parts, "temporary session key")
	} else {
		parts = append(parts, "long-term access key")
	}
	if f.AccountID != "" {
		parts = append(parts, "account "+f.AccountID)
	}
	if f.Secret == "" {
		parts = append(parts, "no secret next to it")
	} else {
		parts = append(parts, "with its secret")
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// stagedFiles is the blocked findings' paths for a shell command line, or
// "<file>" when there are none.
func stagedFiles(blocked []scanner.Finding) string {
	var paths []string
	seen := map[string]bool{}
	for _, f := range blocked {
		for _, l := range f.Locations {
			if l.Path != "" && !l.InHead && !seen[l.Path] {
				seen[l.Path] = true
				paths = append(paths, shellQuote(l.Path))
			}
		}
	}
	if len(paths) == 0 {
		return "<file>"
	}
	return strings.Join(paths, " ")
}
