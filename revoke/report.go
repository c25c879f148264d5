package revoke

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// Detection is where a key was found, from a scan report (keysweep scan
// --format json). Zero when no report is given.
type Detection struct {
	Source    string             // the report's file name
	Target    string             // what the scan scanned
	Locations []scanner.Location // every place the key was seen
}

// ReportOptions are the facts a report needs beyond the journal.
type ReportOptions struct {
	Detection Detection
	Now       time.Time // when the report is made (default the Responder's clock)
}

// Report writes the Markdown incident report of keyID from its journal, in
// the playbook's order: detection, containment, investigation, eradication,
// recovery, lessons learned (to fill in), and the journal's action log.
// It reads the journal only; it makes no AWS call.
func (r *Responder) Report(w io.Writer, keyID string, opts ReportOptions) error {
	if err := CheckKeyID(keyID); err != nil {
		return err
	}
	if r.opts.JournalDir == "" {
		return ErrNoJournal
	}
	path := JournalPath(r.opts.JournalDir, keyID)
	es, err := ReadJournal(path)
	if err != nil {
		return err
	}
	if opts.Now.IsZero() {
		opts.Now = r.now()
	}
	return WriteReport(w, keyID, path, es, opts)
}

// WriteReport writes the Markdown incident report of keyID from journal
// entries es (read from journalPath).
func WriteReport(w io.Writer, keyID, journalPath string, es []Entry, opts ReportOptions) error {
	var b bytes.Buffer
	ew := &errWriter{w: &b}
	var o Owner
	var inv Investigation
	var rot rotationRecord
	hasOwner := first(es, "owner", &o) // as found, before containment changed it
	hasInv := latest(es, "investigation", &inv)
	latest(es, "rotation", &rot)

	ew.printf("# Incident report: leaked AWS access key %s\n\n", keyID)
	ew.printf("Generated %s by keysweep from the journal `%s` (%d entries).\n\n", opts.Now.UTC().Format(time.RFC3339), journalPath, len(es))
	ew.printf("| | |\n|---|---|\n| Key | `%s` |\n", keyID)
	if hasOwner {
		ew.printf("| Account | %s (%s)%s |\n", o.AccountID, o.AccountFrom, map[bool]string{true: "", false: " — **not ours**"}[o.Ours])
		if o.ViaRole != "" {
			ew.printf("| Reached through | `%s` |\n", o.ViaRole)
		}
		ew.printf("| IAM user | %s |\n| Key created | %s |\n", orDash(o.UserName), dateOrDash(o.Created))
		last := "never"
		if !o.LastUsed.IsZero() {
			last = fmt.Sprintf("%s (%s, %s)", o.LastUsed.Format(time.RFC3339), orDash(o.LastService), orDash(o.LastRegion))
		}
		ew.printf("| Status when found | %s |\n| Last used when found | %s |\n", orDash(o.Status), last)
	}

	ew.printf("\n## 1. Detection\n\n")
	writeDetection(ew, opts.Detection)

	ew.printf("\n## 2. Containment\n\n")
	writeActions(ew, es, "contain", "No containment recorded: run `keysweep respond contain "+keyID+"`.")

	ew.printf("\n## 3. Investigation\n\n")
	if hasInv {
		_ = inv.write(ew.w, false)
	} else {
		ew.printf("No investigation recorded: run `keysweep respond investigate %s`.\n", keyID)
	}

	ew.printf("\n## 4. Eradication\n\n")
	if hasInv {
		for _, res := range inv.Eradicate {
			ew.printf("- [ ] %s (%s `%s`)\n", res.Remove, res.Type, res.ID)
		}
	}
	ew.printf("- [ ] remove the key from every place it was found, including git history, and invalidate caches and forks that copied it\n")

	ew.printf("\n## 5. Recovery\n\n")
	writeActions(ew, es, "rotate", "No rotation recorded: run `keysweep respond rotate "+keyID+" --sink …`.")
	if rot.NewKeyID != "" {
		ew.printf("\nReplacement key `%s` created %s", rot.NewKeyID, dateOrDash(rot.Created))
		if rot.Delivered {
			ew.printf(", delivered to `%s`", rot.Sink)
		} else {
			ew.printf(", **not delivered**")
		}
		ew.printf("; leaked key %s.\n", map[bool]string{true: "deleted", false: "**not deleted yet**"}[rot.OldDeleted])
	}

	ew.printf("\n## 6. Lessons learned\n\n_To fill in after the incident review._\n\n")
	for _, q := range []string{
		"How did the key get where it was found, and who could read it there?",
		"Why was it not caught earlier (pre-commit hook, push protection, scheduled sweeps)?",
		"Did the key need the permissions it had? Could it have been short-lived credentials instead?",
		"What slowed the response, and what would make the next one faster?",
		"Actions, owners and due dates:",
	} {
		ew.printf("- %s\n", q)
	}

	ew.printf("\n## Appendix: action log\n\n")
	writeLog(ew, es)
	if ew.err != nil {
		return fmt.Errorf("write report: %w", ew.err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeDetection(ew *errWriter, d Detection) {
	if len(d.Locations) == 0 {
		ew.printf("_No scan report given (`--findings REPORT.json`): fill in where the key was found and since when._\n")
		return
	}
	var since time.Time
	for _, l := range d.Locations {
		if !l.Date.IsZero() && (since.IsZero() || l.Date.Before(since)) {
			since = l.Date
		}
	}
	ew.printf("Found by a scan of `%s` (report `%s`) in %d place(s)", orDash(d.Target), d.Source, len(d.Locations))
	if !since.IsZero() {
		ew.printf("; exposed since at least **%s** (earliest commit)", since.UTC().Format(time.RFC3339))
	}
	ew.printf(".\n\n| Where | Commit | Author | Date | Still at HEAD |\n|---|---|---|---|---|\n")
	for _, l := range d.Locations {
		where := fmt.Sprintf("%s:%d", l.Path, l.Line)
		if l.Repo != "" {
			where = l.Repo + "/" + where
		}
		if l.Member != "" {
			where += " (" + l.Member + ")"
		}
		commit := l.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		ew.printf("| `%s` | %s | %s | %s | %v |\n", where, orDash(commit), orDash(l.Author), dateOrDash(l.Date), l.InHead)
	}
}

// writeActions lists the outcomes of step's actions, oldest first.
func writeActions(ew *errWriter, es []Entry, step, none string) {
	n := 0
	for _, e := range es {
		if e.Kind != KindOutcome || e.Action == nil || e.Action.Step != step {
			continue
		}
		n++
		ew.printf("- %s — `%s` %s: %s\n", e.Time.Format(time.RFC3339), e.Action.Operation, e.State, e.Detail)
	}
	if n == 0 {
		ew.printf("%s\n", none)
	}
}

func writeLog(ew *errWriter, es []Entry) {
	ew.printf("| # | Time | Kind | Action | State |\n|---|---|---|---|---|\n")
	for _, e := range es {
		what := e.Record
		if e.Action != nil {
			what = "`" + e.Action.Operation + "` " + e.Action.ID
		}
		ew.printf("| %d | %s | %s | %s | %s |\n", e.Seq, e.Time.Format(time.RFC3339), e.Kind, strings.ReplaceAll(what, "|", "\\|"), e.State)
	}
}

func first(es []Entry, name string, v any) bool {
	for _, e := range es {
		if e.Kind == KindRecord && e.Record == name {
			return json.Unmarshal(e.Data, v) == nil
		}
	}
	return false
}

func latest(es []Entry, name string, v any) bool {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Kind == KindRecord && es[i].Record == name {
			return json.Unmarshal(es[i].Data, v) == nil
		}
	}
	return false
}

func dateOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
