package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/keysweep/keysweep/internal/bytesize"
	"github.com/keysweep/keysweep/scanner"
)

const (
	// Every colour code has the same byte length (7), so tabwriter, which
	// counts bytes, still aligns columns whatever the colour of a badge.
	ansiReset  = "\033[0m"
	ansiRed    = "\033[1;31m"
	ansiYellow = "\033[0;33m"
	ansiDim    = "\033[0;02m"
	ansiGreen  = "\033[0;32m"
	ansiPlain  = "\033[0;00m"
)

// WriteText writes res for people. On a terminal (opts.TTY) it is an aligned
// table, one row per credential, live keys first; piped, it is one plain
// grep-friendly line per location ("path:line:col: KEYID …").
func WriteText(w io.Writer, res scanner.Result, opts Options) error {
	fs := append([]scanner.Finding(nil), res.Findings...)
	scanner.SortFindings(fs)
	var err error
	if opts.TTY {
		err = writeTable(w, fs, opts)
	} else {
		err = writeLines(w, fs, opts)
	}
	if err != nil {
		return err
	}
	return writeSummary(w, res, fs, opts)
}

func writeTable(w io.Writer, fs []scanner.Finding, opts Options) error {
	if len(fs) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	first := "VERDICT"
	if opts.Color {
		first = ansiPlain + first + ansiReset
	}
	fmt.Fprintln(tw, first+"\tKEY ID\tSECRET\tACCOUNT\tWHERE\tFIRST SEEN\tHEAD")
	for _, f := range fs {
		where, seen := "-", "-"
		if len(f.Locations) > 0 {
			l := f.Locations[0]
			where = locString(l)
			if n := len(f.Locations) - 1; n > 0 {
				where += fmt.Sprintf(" (+%d more)", n)
			}
			seen = seenString(l)
		}
		head := "history"
		if f.InHead() {
			head = "yes"
		}
		if f.Locations != nil && f.Locations[0].Commit == "" {
			head = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			badge(f, opts.Color), f.KeyID, secretText(f, opts.ShowSecrets), orDash(accountOf(f)), where, seen, head)
	}
	return tw.Flush()
}

func writeLines(w io.Writer, fs []scanner.Finding, opts Options) error {
	for _, f := range fs {
		for _, l := range f.Locations {
			var b strings.Builder
			fmt.Fprintf(&b, "%s:%d:%d: %s %s", displayPath(l), l.Line, l.Column, f.KeyID, f.KeyType)
			if s := secretText(f, opts.ShowSecrets); s != "-" {
				fmt.Fprintf(&b, " secret=%s", s)
			}
			if a := accountOf(f); a != "" {
				fmt.Fprintf(&b, " account=%s", a)
			}
			fmt.Fprintf(&b, " verdict=%s", verdictOf(f))
			if f.Example {
				b.WriteString(" example=true")
			}
			if f.Canary {
				b.WriteString(" canary=true")
			}
			if l.Encoding != "" {
				fmt.Fprintf(&b, " encoding=%s", l.Encoding)
			}
			if l.Commit != "" {
				fmt.Fprintf(&b, " commit=%s", short(l.Commit))
				if l.Author != "" {
					fmt.Fprintf(&b, " author=%q", l.Author)
				}
				if !l.Date.IsZero() {
					fmt.Fprintf(&b, " date=%s", l.Date.UTC().Format(time.RFC3339))
				}
				fmt.Fprintf(&b, " in_head=%t", l.InHead)
			}
			if _, err := fmt.Fprintln(w, b.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeSummary(w io.Writer, res scanner.Result, fs []scanner.Finding, opts Options) error {
	live := 0
	for _, f := range fs {
		if f.Verification.Verdict == scanner.Live {
			live++
		}
	}
	var b strings.Builder
	if len(fs) > 0 && opts.TTY {
		b.WriteString("\n")
	}
	switch len(fs) {
	case 0:
		b.WriteString("no AWS keys found")
	case 1:
		b.WriteString("1 AWS key found")
	default:
		fmt.Fprintf(&b, "%d AWS keys found", len(fs))
	}
	if live > 0 {
		s := fmt.Sprintf(" — %d LIVE", live)
		if opts.Color {
			s = ansiRed + s + ansiReset
		}
		b.WriteString(s)
	}
	fmt.Fprintf(&b, " (%d files, %s", res.Stats.Files, bytesize.Format(res.Stats.Bytes))
	if res.Stats.Duration > 0 {
		fmt.Fprintf(&b, ", %s", res.Stats.Duration.Round(time.Millisecond))
	}
	b.WriteString(")\n")
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, e := range res.Errors {
		fmt.Fprintf(&b, "error: %s: %s\n", e.Unit, e.Err)
	}
	if res.Interrupted {
		b.WriteString("interrupted: the results above cover only what was scanned before Ctrl-C\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func badge(f scanner.Finding, color bool) string {
	v := verdictOf(f)
	text := v
	if v == string(scanner.Live) {
		text = "LIVE"
	}
	if f.Example {
		text = "example"
	}
	if !color {
		return text
	}
	switch {
	case f.Example:
		return ansiDim + text + ansiReset
	case v == string(scanner.Live):
		return ansiRed + text + ansiReset
	case v == string(scanner.WrongSecret), v == string(scanner.VerifyError):
		return ansiYellow + text + ansiReset
	case v == string(scanner.Invalid), v == string(scanner.Expired):
		return ansiGreen + text + ansiReset
	}
	return ansiPlain + text + ansiReset
}

func verdictOf(f scanner.Finding) string {
	if f.Verification.Verdict == "" {
		return string(scanner.Unverified)
	}
	return string(f.Verification.Verdict)
}

func accountOf(f scanner.Finding) string {
	if f.Verification.AccountID != "" {
		return f.Verification.AccountID
	}
	return f.AccountID
}

func secretText(f scanner.Finding, show bool) string {
	switch {
	case f.Secret == "":
		return "-"
	case show:
		return f.Secret.Reveal()
	}
	return f.Secret.Redacted()
}

func displayPath(l scanner.Location) string {
	p := l.Path
	if l.Repo != "" {
		p = l.Repo + "/" + p
	}
	if l.Member != "" {
		p += "!" + l.Member
	}
	return p
}

func locString(l scanner.Location) string {
	s := fmt.Sprintf("%s:%d", displayPath(l), l.Line)
	if l.Encoding != "" {
		s += " [" + l.Encoding + "]"
	}
	return s
}

func seenString(l scanner.Location) string {
	if l.Commit == "" {
		return "-"
	}
	s := short(l.Commit)
	if !l.Date.IsZero() {
		s = l.Date.UTC().Format("2006-01-02") + " " + s
	}
	if l.Author != "" {
		s += " " + l.Author
	}
	return s
}

func short(commit string) string {
	if len(commit) > 10 {
		return commit[:10]
	}
	return commit
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
