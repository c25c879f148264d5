package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/keysweep/keysweep/revoke"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/tui"
)

func (p *responder) Investigate(ctx context.Context, keyID string) (tui.Investigation, error) {
	r, err := p.get(ctx)
	if err != nil {
		return tui.Investigation{}, err
	}
	inv, err := r.Investigate(ctx, keyID, revoke.InvestigateOptions{Regions: p.regions})
	if err != nil {
		return tui.Investigation{}, withHint(err)
	}
	return toInvestigation(inv), nil
}

func toInvestigation(inv revoke.Investigation) tui.Investigation {
	out := tui.Investigation{First: inv.First, Last: inv.Last, Events: len(inv.Events)}
	for _, c := range inv.SourceIPs {
		out.SourceIPs = append(out.SourceIPs, c.Value)
	}
	for _, c := range inv.UserAgents {
		out.UserAgents = append(out.UserAgents, c.Value)
	}
	for _, c := range inv.UsedIn {
		out.Regions = append(out.Regions, c.Value)
	}
	for _, c := range inv.EventNames {
		out.EventNames = append(out.EventNames, tui.Count{Name: c.Value, N: c.N})
	}
	for _, f := range inv.Flags {
		var ids []string
		for _, r := range f.Resources {
			ids = append(ids, r.ID)
		}
		why := f.Reason
		if f.Failed {
			why += " (refused: nothing to clean up)"
		}
		out.Flags = append(out.Flags, tui.Flag{Time: f.Event.Time, Event: f.Event.Name, Region: f.Event.Region,
			SourceIP: f.Event.SourceIP, Resource: strings.Join(ids, ", "), Why: why})
	}
	for _, r := range inv.Eradicate {
		s := r.Type + " " + r.ID
		if r.Region != "" {
			s += " (" + r.Region + ")"
		}
		if r.Remove != "" {
			s += ": " + r.Remove
		}
		out.Eradicate = append(out.Eradicate, s)
	}
	for _, e := range inv.Errors {
		out.Problems = append(out.Problems, e.Region+": "+e.Error)
	}
	return out
}

func (p *responder) Report(ctx context.Context, f scanner.Finding, target string) (string, error) {
	r, err := p.get(ctx)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	ro := revoke.ReportOptions{Detection: revoke.Detection{
		Source: filepath.Base(target), Target: target, Locations: f.Locations}}
	err = r.Report(&b, f.KeyID, ro)
	if errors.Is(err, os.ErrNotExist) {
		// Nothing done to the key yet: the report has its detection
		// section and the playbook's sections still to fill in.
		b.Reset()
		err = revoke.WriteReport(&b, f.KeyID, revoke.JournalPath(p.journalDir, f.KeyID), nil, ro)
	}
	if err != nil {
		return "", fmt.Errorf("incident report: %w", withHint(err))
	}
	return b.String(), nil
}
