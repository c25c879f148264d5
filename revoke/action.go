package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Param is one parameter of an API call, in the order the call takes them.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Action is one mutating API call the playbook makes or would make. It is
// what a dry run prints, what Confirm is asked about and what the journal
// records before the call.
type Action struct {
	ID        string  `json:"id"`        // unique in the incident: "contain/deactivate"
	Step      string  `json:"step"`      // contain, rotate, delete
	Operation string  `json:"operation"` // "iam:UpdateAccessKey"
	Account   string  `json:"account,omitempty"`
	Params    []Param `json:"params,omitempty"`
	Why       string  `json:"why,omitempty"` // for people
}

// String renders the call as "iam:UpdateAccessKey UserName=alice AccessKeyId=AKIA… Status=Inactive".
// Policy documents and other long values are kept whole: a dry run shows exactly what would be sent.
func (a Action) String() string {
	var b strings.Builder
	b.WriteString(a.Operation)
	for _, p := range a.Params {
		fmt.Fprintf(&b, " %s=%s", p.Name, p.Value)
	}
	if a.Account != "" {
		fmt.Fprintf(&b, " (account %s)", a.Account)
	}
	return b.String()
}

// Param returns the value of the named parameter, "" when absent.
func (a Action) Param(name string) string {
	for _, p := range a.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// State is what became of an action.
type State string

// States of an Outcome.
const (
	Done      State = "done"      // the call was made now and succeeded
	Unchanged State = "unchanged" // AWS was already in the wanted state; no call made
	Planned   State = "planned"   // dry run: the call was described, not made
	Declined  State = "declined"  // Confirm said no
	Failed    State = "failed"    // the call was made and failed
)

// Outcome is one action and what became of it.
type Outcome struct {
	Action Action    `json:"action"`
	State  State     `json:"state"`
	Detail string    `json:"detail,omitempty"` // for people: "key AKIA… is now Inactive"
	At     time.Time `json:"at"`
}

// ErrDeclined is returned when a step cannot go on because its next action was declined.
var ErrDeclined = errors.New("action declined")

// ErrNoJournal is returned by mutating steps when Options.JournalDir is empty.
var ErrNoJournal = errors.New("no journal directory: mutating steps must be journaled")

// unchanged is the outcome of an action AWS needs no call for. It is
// journaled so the report tells what containment found.
func (r *Responder) unchanged(j *Journal, a Action, detail string) (Outcome, error) {
	o := Outcome{Action: a, State: Unchanged, Detail: detail, At: r.now()}
	if j == nil {
		return o, nil
	}
	return o, j.outcome(o, nil)
}

// do runs one mutating call: described only under DryRun, else confirmed,
// journaled as an intent, made, and its outcome journaled. A declined action
// returns ErrDeclined; a failed call returns its classified error.
func (r *Responder) do(ctx context.Context, j *Journal, a Action, call func(ctx context.Context) (string, error)) (Outcome, error) {
	if r.opts.DryRun {
		return Outcome{Action: a, State: Planned, Detail: "dry run: not called", At: r.now()}, nil
	}
	if j == nil {
		return Outcome{}, ErrNoJournal
	}
	if r.opts.Confirm != nil {
		ok, err := r.opts.Confirm(ctx, a)
		if err != nil {
			return Outcome{}, fmt.Errorf("confirm %s: %w", a.Operation, err)
		}
		if !ok {
			o := Outcome{Action: a, State: Declined, Detail: "declined by the responder", At: r.now()}
			if err := j.outcome(o, nil); err != nil {
				return o, err
			}
			return o, ErrDeclined
		}
	}
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	if err := j.intent(a); err != nil {
		return Outcome{}, err
	}
	detail, err := call(ctx)
	o := Outcome{Action: a, State: Done, Detail: detail, At: r.now()}
	if err != nil {
		err = classify(a.Operation, a.Account, err)
		o.State, o.Detail = Failed, err.Error()
	}
	if jerr := j.outcome(o, err); jerr != nil {
		return o, errors.Join(err, jerr)
	}
	return o, err
}
