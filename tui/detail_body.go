package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// body renders everything known about r, for the viewport.
func (m *detailModel) body(a *App, r *row) string {
	var b strings.Builder
	f := r.f
	field := func(label, value string) {
		b.WriteString(a.st.Label.Render(label) + value + "\n")
	}
	b.WriteString("\n")
	field("Key", f.KeyID+a.st.Subtle.Render(" ("+string(f.KeyType)+")"))
	field("Secret", m.secretText(a, f))
	if f.SessionToken != "" {
		field("Token", redact(f.SessionToken.Reveal())+a.st.Subtle.Render(" (session token)"))
	}
	acct := r.account()
	switch {
	case acct == "":
		acct = a.st.Subtle.Render("unknown")
	case f.Verification.AccountID != "":
		acct += a.st.Subtle.Render(" (from STS)")
	default:
		acct += a.st.Subtle.Render(" (decoded offline)")
	}
	if f.Canary {
		acct += a.st.Warn.Render("  canary-token account: verifying alerts whoever planted it")
	}
	field("Account", acct)
	if f.Verification.ARN != "" {
		field("ARN", f.Verification.ARN)
	}
	field("Verdict", m.verdictText(a, r))
	owner, last := m.ownerText(a, r)
	field("Owner", owner)
	if last != "" {
		field("Last use", last)
	}
	seen := fmt.Sprintf("%d location(s)", len(f.Locations))
	if f.InHead() {
		seen += ", still in HEAD"
	} else if len(f.Locations) > 0 && f.Locations[0].Commit != "" {
		seen += ", not in HEAD (in history or on another branch)"
	}
	if f.Status != "" {
		seen += " · sweep: " + f.Status
	}
	field("Seen", seen)
	b.WriteString("\n" + a.st.Header.Render("Locations") + "\n")
	for i, l := range f.Locations {
		m.location(a, &b, r, i, l)
	}
	b.WriteString("\n" + a.st.Header.Render("Journal") + "\n")
	entries := append(append([]JournalEntry(nil), r.journal...), r.session...)
	if len(entries) == 0 {
		b.WriteString(a.st.Subtle.Render("  nothing done to this key yet") + "\n")
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "  %s  %s\n", a.st.Subtle.Render(e.Time.UTC().Format("2006-01-02 15:04:05")), a.st.Bold.Render(e.Action))
		b.WriteString("    " + wrap(e.Outcome, a.width-6, "\n    ") + "\n")
	}
	return b.String()
}

func (m *detailModel) secretText(a *App, f scanner.Finding) string {
	switch {
	case f.Secret == "":
		return a.st.Subtle.Render("none found next to the key (or not kept in this report)")
	case m.revealed:
		return a.st.Warn.Render(f.Secret.Reveal()) + a.st.Subtle.Render("  (hides in 10s)")
	}
	return f.Secret.Redacted() + a.st.Subtle.Render("  (s reveals for 10s)")
}

func (m *detailModel) verdictText(a *App, r *row) string {
	v := r.f.Verification
	plain := *r
	plain.contained = false // the verdict itself; "contained" follows it
	text, st := a.st.badge(&plain)
	s := st.Render(text)
	if !v.VerifiedAt.IsZero() {
		s += a.st.Subtle.Render(" at " + v.VerifiedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if v.Error != "" {
		s += "  " + a.st.Error.Render(v.Error)
	}
	if r.contained {
		s += "  " + a.st.OK.Render("contained")
	}
	return s
}

// ownerText returns the owner line and the last-use line.
func (m *detailModel) ownerText(a *App, r *row) (string, string) {
	indent := "\n" + strings.Repeat(" ", 12)
	switch {
	case r.ownerErr != nil:
		s := a.st.Error.Render(wrap(r.ownerErr.Error(), a.width-14, indent))
		if h := HintOf(r.ownerErr); h != "" {
			s += indent + a.st.Hint.Render(wrap("hint: "+h, a.width-14, indent))
		}
		return s, ""
	case r.owner == nil && a.cfg.Responder != nil && !r.f.Example:
		return a.st.Subtle.Render("looking up…"), ""
	case r.owner == nil:
		if u := r.user(); u != "" {
			return u, ""
		}
		return a.st.Subtle.Render("unknown"), ""
	}
	o := r.owner
	var parts []string
	if o.UserName != "" {
		parts = append(parts, o.UserName)
	}
	if o.Status != "" {
		parts = append(parts, "key "+o.Status)
	}
	if !o.Created.IsZero() {
		parts = append(parts, "created "+o.Created.UTC().Format("2006-01-02"))
	}
	last := "never used"
	if !o.LastUsed.IsZero() {
		last = o.LastUsed.UTC().Format("2006-01-02 15:04 UTC")
		if o.LastService != "" {
			last += " · " + o.LastService
		}
		if o.LastRegion != "" {
			last += " · " + o.LastRegion
		}
		if ownCall(o, r.f.Verification) {
			last += a.st.Subtle.Render(" (keysweep's own verification)")
		}
	}
	s := strings.Join(parts, " · ")
	if o.Foreign {
		s += indent + a.st.Warn.Render(wrap("not your account: "+o.Note, a.width-14, indent))
	}
	return s, last
}

func (m *detailModel) location(a *App, b *strings.Builder, r *row, i int, l scanner.Location) {
	where := l.Path
	if where == "" && l.Kind != "" {
		where = "(" + strings.ReplaceAll(l.Kind, "-", " ") + ")"
	}
	if l.Repo != "" {
		where = l.Repo + ":" + where
	}
	if l.Member != "" {
		where += "!" + l.Member
	}
	if l.Line > 0 {
		where += fmt.Sprintf(":%d", l.Line)
	}
	fmt.Fprintf(b, "%3d. %s", i+1, a.st.Bold.Render(where))
	if l.Encoding != "" {
		b.WriteString(a.st.Subtle.Render(" [" + l.Encoding + "]"))
	}
	if l.InHead {
		b.WriteString(a.st.Warn.Render(" HEAD"))
	}
	b.WriteString("\n")
	var meta []string
	if l.Commit != "" {
		meta = append(meta, "commit "+shortHash(l.Commit))
	}
	if l.Author != "" {
		who := l.Author
		if l.Email != "" {
			who += " <" + l.Email + ">"
		}
		meta = append(meta, who)
	}
	if !l.Date.IsZero() {
		meta = append(meta, l.Date.UTC().Format("2006-01-02 15:04"))
	}
	if len(meta) > 0 {
		b.WriteString("     " + a.st.Subtle.Render(strings.Join(meta, " · ")) + "\n")
	}
	sn, ok := r.snippets[i]
	switch {
	case i >= maxSnippets || a.cfg.Snippets == nil:
	case !ok:
		b.WriteString(a.st.Subtle.Render("     reading…") + "\n")
	case sn.err != nil:
		b.WriteString(a.st.Subtle.Render("     ("+sn.err.Error()+")") + "\n")
	default:
		known := []string{r.f.Secret.Reveal(), r.f.SessionToken.Reveal()}
		for _, c := range r.f.Candidates {
			known = append(known, c.Reveal())
		}
		for j, line := range sn.s.Lines {
			n := sn.s.First + j
			if !m.revealed {
				line = mask(line, known...)
			}
			mark := "  "
			if n == l.Line {
				mark = "> "
			}
			text := fmt.Sprintf("     %s%4d │ %s", mark, n, strings.ReplaceAll(line, "\t", "    "))
			text = truncate(text, a.width)
			if n == l.Line {
				text = a.st.Bold.Render(text)
			}
			b.WriteString(text + "\n")
		}
	}
}

// ownCall reports whether the key's last use is likely the verification
// call keysweep itself made (STS, within two minutes of the verdict).
func ownCall(o *Owner, v scanner.Verification) bool {
	if o.LastService != "sts" || v.VerifiedAt.IsZero() {
		return false
	}
	d := o.LastUsed.Sub(v.VerifiedAt)
	return d > -2*time.Minute && d < 2*time.Minute
}

func shortHash(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}
