package revoke

import "context"

// Dry returns a responder over the same clients that describes every
// mutating call instead of making it (Options.DryRun), for previews such
// as a TUI's confirm screen. It reads AWS and the journal, writes neither.
func (r *Responder) Dry() *Responder {
	opts := r.opts
	opts.DryRun = true
	opts.Confirm = nil
	d := &Responder{opts: opts, own: r.own, sts: r.sts, org: r.org, assume: r.assume, region: r.region}
	r.mu.Lock()
	d.ownID = r.ownID
	r.mu.Unlock()
	return d
}

// PlanContain returns the calls Contain would make now, in order; actions
// already in place are left out.
func (r *Responder) PlanContain(ctx context.Context, keyID string, opts ContainOptions) ([]Action, error) {
	c, err := r.Dry().Contain(ctx, keyID, opts)
	return planned(c.Outcomes), err
}

// PlanRotate returns the calls Rotate would make now, in order.
func (r *Responder) PlanRotate(ctx context.Context, keyID string, opts RotateOptions) ([]Action, error) {
	rot, err := r.Dry().Rotate(ctx, keyID, opts)
	return planned(rot.Outcomes), err
}

func planned(os []Outcome) []Action {
	var as []Action
	for _, o := range os {
		if o.State == Planned {
			as = append(as, o.Action)
		}
	}
	return as
}
