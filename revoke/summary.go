package revoke

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the investigation summary for people: plain lines that
// also read as Markdown bullets, ending with the eradication checklist.
func (inv Investigation) WriteText(w io.Writer) error { return inv.write(w, true) }

func (inv Investigation) write(w io.Writer, eradicate bool) error {
	ew := &errWriter{w: w}
	ew.printf("Investigation of %s in account %s\n", inv.KeyID, inv.AccountID)
	ew.printf("- window: %s to %s; %d regions searched with %d LookupEvents requests\n",
		inv.Since.Format(time.RFC3339), inv.Until.Format(time.RFC3339), len(inv.Regions), inv.Requests)
	if len(inv.Minted) > 0 {
		ew.printf("- temporary keys minted by it and followed: %s\n", strings.Join(inv.Minted, ", "))
	}
	if inv.Total == 0 {
		ew.printf("- no CloudTrail events: the key was not used in the window and regions searched\n")
	} else {
		ew.printf("- events: %d, first use %s, last use %s\n", inv.Total, inv.First.Format(time.RFC3339), inv.Last.Format(time.RFC3339))
		ew.printf("- source IPs: %s\n", counts(inv.SourceIPs))
		ew.printf("- user agents: %s\n", counts(inv.UserAgents))
		ew.printf("- regions: %s\n", counts(inv.UsedIn))
		ew.printf("- event names: %s\n", counts(inv.EventNames))
		if len(inv.ErrorCodes) > 0 {
			ew.printf("- refused calls: %s\n", counts(inv.ErrorCodes))
		}
	}
	for _, e := range inv.Errors {
		ew.printf("- WARNING: region %s not fully searched for %s: %s\n", e.Region, e.KeyID, e.Error)
	}
	if len(inv.Flags) == 0 {
		ew.printf("\nNo classic abuse calls (CreateUser, CreateAccessKey, AttachUserPolicy with admin, RunInstances in odd regions, CreateLoginProfile, PutBucketPolicy).\n")
	} else {
		ew.printf("\nFlagged (%d):\n", len(inv.Flags))
		for _, f := range inv.Flags {
			e := f.Event
			ew.printf("- %s %s in %s with %s from %s: %s\n", e.Time.Format(time.RFC3339), e.Name, e.Region, e.KeyID, orDash(e.SourceIP), f.Reason)
		}
	}
	if eradicate && len(inv.Eradicate) > 0 {
		ew.printf("\nTo eradicate (%d):\n", len(inv.Eradicate))
		for _, r := range inv.Eradicate {
			ew.printf("- [ ] %s (%s %s)\n", r.Remove, r.Type, r.ID)
		}
	}
	return ew.err
}

func counts(cs []Count) string {
	if len(cs) == 0 {
		return "-"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (%d)", c.Value, c.N)
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error so formatting code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
