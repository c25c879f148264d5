// Package report writes and reads scan results in keysweep's output formats:
// a text table, JSON (the documented contract), SARIF 2.1.0 and CSV.
// Secrets are redacted in every format unless Options.ShowSecrets.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// SchemaVersion is the version of the JSON report. Later versions may add
// fields but never rename or remove one.
const SchemaVersion = 1

// Options control how a report is written.
type Options struct {
	Format      string // text, json, sarif, csv
	ShowSecrets bool   // write secrets in full
	Color       bool   // ANSI colour in the text format
	TTY         bool   // text format: aligned table (else one plain line per location)
	ToolVersion string
}

// Formats lists the accepted values of Options.Format.
var Formats = []string{"text", "json", "sarif", "csv"}

// Document is the JSON report, field for field.
type Document struct {
	Version     int         `json:"version"`
	Tool        Tool        `json:"tool"`
	Target      string      `json:"target"`
	Findings    []Finding   `json:"findings"`
	Errors      []UnitError `json:"errors"`
	Notes       []string    `json:"notes,omitempty"`
	Stats       Stats       `json:"stats"`
	Interrupted bool        `json:"interrupted,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Finding is one credential in the JSON report.
type Finding struct {
	Fingerprint         string     `json:"fingerprint"`
	KeyID               string     `json:"key_id"`
	KeyType             string     `json:"key_type"`
	SecretRedacted      string     `json:"secret_redacted"`
	SecretSHA256        string     `json:"secret_sha256,omitempty"`
	Secret              string     `json:"secret,omitempty"`
	SessionTokenPresent bool       `json:"session_token_present"`
	SessionToken        string     `json:"session_token,omitempty"`
	AccountID           string     `json:"account_id"`
	Canary              bool       `json:"canary"`
	Example             bool       `json:"example"`
	Verdict             string     `json:"verdict"`
	VerifiedAt          *time.Time `json:"verified_at,omitempty"`
	ARN                 string     `json:"arn,omitempty"`
	UserID              string     `json:"user_id,omitempty"`
	VerifyError         string     `json:"verify_error,omitempty"`
	InHead              bool       `json:"in_head"`
	Status              string     `json:"status,omitempty"`
	Locations           []Location `json:"locations"`
}

// Location is one place a credential was seen, in the JSON report.
type Location struct {
	Repo     string     `json:"repo,omitempty"`
	Path     string     `json:"path"`
	Member   string     `json:"member,omitempty"`
	Line     int        `json:"line"`
	Column   int        `json:"column"`
	Commit   string     `json:"commit,omitempty"`
	Author   string     `json:"author,omitempty"`
	Email    string     `json:"email,omitempty"`
	Date     *time.Time `json:"date,omitempty"`
	Encoding string     `json:"encoding,omitempty"`
	Kind     string     `json:"kind,omitempty"`
	InHead   bool       `json:"in_head"`
	URL      string     `json:"url,omitempty"`
}

// UnitError is a per-unit failure in the JSON report.
type UnitError struct {
	Unit  string `json:"unit"`
	Error string `json:"error"`
}

// Stats is the JSON report's statistics.
type Stats struct {
	Files      int64 `json:"files"`
	Bytes      int64 `json:"bytes"`
	DurationMS int64 `json:"duration_ms"`
}

// NewDocument converts a result to the JSON document.
func NewDocument(res scanner.Result, opts Options) Document {
	doc := Document{
		Version:     SchemaVersion,
		Tool:        Tool{Name: "keysweep", Version: opts.ToolVersion},
		Target:      res.Target,
		Findings:    make([]Finding, 0, len(res.Findings)),
		Errors:      make([]UnitError, 0, len(res.Errors)),
		Notes:       res.Notes,
		Stats:       Stats{Files: res.Stats.Files, Bytes: res.Stats.Bytes, DurationMS: res.Stats.Duration.Milliseconds()},
		Interrupted: res.Interrupted,
	}
	for _, f := range res.Findings {
		doc.Findings = append(doc.Findings, toJSON(f, opts.ShowSecrets))
	}
	for _, e := range res.Errors {
		doc.Errors = append(doc.Errors, UnitError{Unit: e.Unit, Error: e.Err})
	}
	return doc
}

func toJSON(f scanner.Finding, show bool) Finding {
	v := f.Verification
	out := Finding{
		Fingerprint:         f.Fingerprint,
		KeyID:               f.KeyID,
		KeyType:             string(f.KeyType),
		SecretRedacted:      f.Secret.Redacted(),
		SecretSHA256:        f.Secret.SHA256(),
		SessionTokenPresent: f.SessionToken != "",
		AccountID:           f.AccountID,
		Canary:              f.Canary,
		Example:             f.Example,
		Verdict:             string(v.Verdict),
		ARN:                 v.ARN,
		UserID:              v.UserID,
		VerifyError:         v.Error,
		InHead:              f.InHead(),
		Status:              f.Status,
		Locations:           make([]Location, 0, len(f.Locations)),
	}
	if out.Verdict == "" {
		out.Verdict = string(scanner.Unverified)
	}
	if v.AccountID != "" {
		out.AccountID = v.AccountID
	}
	if !v.VerifiedAt.IsZero() {
		t := v.VerifiedAt.UTC()
		out.VerifiedAt = &t
	}
	if show {
		out.Secret = f.Secret.Reveal()
		out.SessionToken = f.SessionToken.Reveal()
	}
	for _, l := range f.Locations {
		jl := Location{Repo: l.Repo, Path: l.Path, Member: l.Member, Line: l.Line, Column: l.Column,
			Commit: l.Commit, Author: l.Author, Email: l.Email, Encoding: l.Encoding, Kind: l.Kind,
			InHead: l.InHead, URL: l.URL}
		if !l.Date.IsZero() {
			t := l.Date.UTC()
			jl.Date = &t
		}
		out.Locations = append(out.Locations, jl)
	}
	return out
}

// WriteJSON writes res as the JSON report, indented, with a trailing newline.
func WriteJSON(w io.Writer, res scanner.Result, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(NewDocument(res, opts))
}

// ReadJSON reads a JSON report back into a result. Secrets come back only
// when the report carried them (written with ShowSecrets); otherwise
// Finding.Secret is empty and the fingerprint still identifies the pair.
func ReadJSON(r io.Reader) (scanner.Result, error) {
	var doc Document
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return scanner.Result{}, fmt.Errorf("read report: %w", err)
	}
	if doc.Version < 1 || doc.Version > SchemaVersion {
		return scanner.Result{}, fmt.Errorf("read report: unsupported version %d", doc.Version)
	}
	return FromDocument(doc), nil
}

// FromDocument converts a JSON document back to a result.
func FromDocument(doc Document) scanner.Result {
	res := scanner.Result{
		Target:      doc.Target,
		Notes:       doc.Notes,
		Stats:       scanner.Stats{Files: doc.Stats.Files, Bytes: doc.Stats.Bytes, Duration: time.Duration(doc.Stats.DurationMS) * time.Millisecond},
		Interrupted: doc.Interrupted,
	}
	for _, e := range doc.Errors {
		res.Errors = append(res.Errors, scanner.UnitError{Unit: e.Unit, Err: e.Error})
	}
	for _, jf := range doc.Findings {
		f := scanner.Finding{
			Fingerprint:  jf.Fingerprint,
			KeyID:        jf.KeyID,
			KeyType:      scanner.KeyType(jf.KeyType),
			Secret:       scanner.Secret(jf.Secret),
			SessionToken: scanner.Secret(jf.SessionToken),
			AccountID:    jf.AccountID,
			Canary:       jf.Canary,
			Example:      jf.Example,
			Status:       jf.Status,
			Verification: scanner.Verification{
				Verdict: scanner.Verdict(jf.Verdict), ARN: jf.ARN, UserID: jf.UserID, Error: jf.VerifyError,
			},
		}
		if jf.VerifiedAt != nil {
			f.Verification.VerifiedAt = *jf.VerifiedAt
		}
		for _, jl := range jf.Locations {
			l := scanner.Location{Repo: jl.Repo, Path: jl.Path, Member: jl.Member, Line: jl.Line, Column: jl.Column,
				Commit: jl.Commit, Author: jl.Author, Email: jl.Email, Encoding: jl.Encoding, Kind: jl.Kind,
				InHead: jl.InHead, URL: jl.URL}
			if jl.Date != nil {
				l.Date = *jl.Date
			}
			f.Locations = append(f.Locations, l)
		}
		res.Findings = append(res.Findings, f)
	}
	return res
}
