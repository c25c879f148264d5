package cli

import (
	"context"
	"fmt"

	"github.com/keysweep/keysweep/tui"
)

// investigate and incidentReport wait for the playbook's investigation and
// report steps; until then the app says so in place.
func investigate(ctx context.Context, p *responder, keyID string) error {
	return fmt.Errorf("investigate: %w", tui.ErrUnavailable)
}

func incidentReport(ctx context.Context, p *responder, keyID string) (string, error) {
	return "", fmt.Errorf("incident report: %w", tui.ErrUnavailable)
}
