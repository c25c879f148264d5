package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

var csvHeader = []string{
	"fingerprint", "key_id", "key_type", "secret", "session_token_present", "account_id", "verdict", "arn",
	"example", "canary", "repo", "path", "member", "line", "column", "commit", "author", "email", "date",
	"encoding", "in_head", "url",
}

// WriteCSV writes one row per location with a header row. Cells that a
// spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with
// a quote, since paths and author names come from untrusted content.
func WriteCSV(w io.Writer, res scanner.Result, opts Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			date := ""
			if !l.Date.IsZero() {
				date = l.Date.UTC().Format(time.RFC3339)
			}
			secret := f.Secret.Redacted()
			if opts.ShowSecrets {
				secret = f.Secret.Reveal()
			}
			row := []string{
				f.Fingerprint, f.KeyID, string(f.KeyType), secret, strconv.FormatBool(f.SessionToken != ""),
				accountOf(f), verdictOf(f), f.Verification.ARN, strconv.FormatBool(f.Example), strconv.FormatBool(f.Canary),
				l.Repo, l.Path, l.Member, strconv.Itoa(l.Line), strconv.Itoa(l.Column), l.Commit, l.Author, l.Email, date,
				l.Encoding, strconv.FormatBool(l.InHead), l.URL,
			}
			for i, c := range row {
				row[i] = csvSafe(c)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
