package revoke

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// ErrOnlyActiveKey refuses to delete a key that is its user's only active
// key (deleting it would cut the user off) unless forced.
var ErrOnlyActiveKey = errors.New("the key is its user's only active key (use --force to delete it anyway)")

// ErrKeyLimit means the user already has two access keys, neither of them
// the leaked key, so no room can be made without touching a key that did not leak.
var ErrKeyLimit = errors.New("the user already holds two access keys (the IAM limit) and neither is the leaked key")

// RotateOptions choose where the new key goes and when the old one is deleted.
type RotateOptions struct {
	Sink Sink // exactly one place the new secret is delivered to
	// KeepOld leaves the old key in place (delete it later with DeleteOld).
	KeepOld bool
	// DeleteAfter, when > 0, deletes the old key only once
	// iam:GetAccessKeyLastUsed shows it unused for at least this long.
	DeleteAfter time.Duration
	// Force allows deleting a key that is its user's only active key.
	Force bool
}

// Rotation is what Rotate did.
type Rotation struct {
	Owner      Owner     `json:"owner"`
	NewKeyID   string    `json:"new_key_id,omitempty"` // "" in a dry run
	Sink       string    `json:"sink"`
	Delivered  bool      `json:"delivered"`
	OldDeleted bool      `json:"old_deleted"`
	Outcomes   []Outcome `json:"outcomes"`
	Notes      []string  `json:"notes,omitempty"`
}

// rotationRecord is the journal's memory of a rotation. It never holds the secret.
type rotationRecord struct {
	Before     []string  `json:"before,omitempty"` // the user's key IDs just before CreateAccessKey
	NewKeyID   string    `json:"new_key_id,omitempty"`
	Created    time.Time `json:"created,omitzero"`
	Sink       string    `json:"sink,omitempty"`
	Delivered  bool      `json:"delivered,omitempty"`
	OldDeleted bool      `json:"old_deleted,omitempty"`
}

// Rotate replaces keyID: iam:CreateAccessKey for its user (first deleting
// the leaked key when the user is at the two-key limit, never the user's
// only active key without Force), delivers the new secret to opts.Sink, then
// deletes the old key (iam:DeleteAccessKey) unless KeepOld, or, with
// DeleteAfter, only once the old key is idle that long.
//
// Rotate resumes from the journal: a key created by an interrupted run is
// found with iam:ListAccessKeys instead of being created twice; one whose
// delivery is not known to have happened (its secret is gone with the dead
// run) is deleted, after confirmation, and replaced. Running Rotate again
// after it finished changes nothing.
func (r *Responder) Rotate(ctx context.Context, keyID string, opts RotateOptions) (Rotation, error) {
	rot := Rotation{Sink: opts.Sink.String()}
	if opts.Sink.Kind == "" {
		return rot, errors.New("rotate: no sink for the new key")
	}
	j, err := r.journalFor(keyID)
	if err != nil {
		return rot, err
	}
	defer j.Close()
	o, a, oldGone, err := r.locateForRotation(ctx, j, keyID)
	rot.Owner = o
	if err != nil {
		return rot, err
	}
	if err := j.record("owner", o); err != nil {
		return rot, err
	}
	var rec rotationRecord
	if _, err := j.latestRecord("rotation", &rec); err != nil {
		return rot, err
	}
	rec.OldDeleted = rec.OldDeleted || oldGone
	rs := &rotator{r: r, j: j, a: a, o: o, opts: opts, rec: rec, rot: &rot}
	err = rs.run(ctx)
	rot.NewKeyID, rot.Delivered, rot.OldDeleted = rs.rec.NewKeyID, rs.rec.Delivered, rs.rec.OldDeleted
	return rot, err
}

// locateForRotation finds the owner; when the old key is gone already it
// falls back on the owner an earlier run journaled (the old key was deleted
// to make room, or after delivery).
func (r *Responder) locateForRotation(ctx context.Context, j *Journal, keyID string) (Owner, *account, bool, error) {
	o, a, err := r.locate(ctx, keyID)
	if err == nil && a == nil {
		return o, nil, false, ErrNotOurs
	}
	if err == nil && o.Temporary {
		return o, nil, false, ErrTemporaryKey
	}
	if !errors.Is(err, ErrKeyNotFound) {
		return o, a, false, err
	}
	var prev Owner
	if ok, jerr := j.latestRecord("owner", &prev); jerr != nil || !ok || prev.UserName == "" {
		return o, nil, false, err
	}
	a, aerr := r.accountOf(ctx, prev)
	if aerr != nil {
		return prev, nil, false, aerr
	}
	return prev, a, true, nil
}

func (r *Responder) accountOf(ctx context.Context, o Owner) (*account, error) {
	own, err := r.ownAccount(ctx)
	if err != nil {
		return nil, err
	}
	if o.AccountID == own {
		return r.own, nil
	}
	return r.member(ctx, o.AccountID)
}

type rotator struct {
	r      *Responder
	j      *Journal
	a      *account
	o      Owner
	opts   RotateOptions
	rec    rotationRecord
	rot    *Rotation
	secret NewKey // only when created in this run

	roomPlanned bool // dry run: the old key's deletion to make room is planned
}

func (s *rotator) add(o Outcome) { s.rot.Outcomes = append(s.rot.Outcomes, o) }

func (s *rotator) note(format string, a ...any) {
	s.rot.Notes = append(s.rot.Notes, fmt.Sprintf(format, a...))
}

func (s *rotator) save() error { return s.j.record("rotation", s.rec) }

func (s *rotator) run(ctx context.Context) error {
	keys, err := listKeys(ctx, s.a, s.o.UserName)
	if err != nil {
		return err
	}
	if err := s.reconcileCreate(keys); err != nil {
		return err
	}
	if s.rec.NewKeyID != "" && !slices.ContainsFunc(keys, func(k KeyInfo) bool { return k.ID == s.rec.NewKeyID }) {
		return fmt.Errorf("rotate: the new key %s made at %s no longer exists; check the user's keys by hand", s.rec.NewKeyID, s.rec.Created.Format(time.RFC3339))
	}
	if s.rec.NewKeyID != "" && !s.rec.Delivered {
		if keys, err = s.reconcileDelivery(ctx, keys); err != nil {
			return err
		}
	}
	if s.rec.NewKeyID == "" {
		if keys, err = s.create(ctx, keys); err != nil {
			return err
		}
	} else if s.rec.Delivered {
		s.note("new key %s was created and delivered to %s by an earlier run", s.rec.NewKeyID, s.rec.Sink)
	}
	if !s.rec.Delivered {
		if err := s.deliver(ctx); err != nil {
			return err
		}
	}
	return s.deleteOld(ctx, keys)
}

// reconcileCreate settles a CreateAccessKey whose result an earlier run
// never learnt: a key not in the journaled list of the user's keys was made
// by that call.
func (s *rotator) reconcileCreate(keys []KeyInfo) error {
	in, pending := s.j.pending("rotate/create")
	_, out := s.j.last("rotate/create")
	uncertain := pending || (out != nil && out.State == Failed && s.rec.NewKeyID == "")
	if in == nil || !uncertain || s.rec.NewKeyID != "" {
		return nil
	}
	var made []KeyInfo
	for _, k := range keys {
		if k.ID != s.o.KeyID && !slices.Contains(s.rec.Before, k.ID) {
			made = append(made, k)
		}
	}
	switch len(made) {
	case 0:
		s.note("an interrupted run asked for a new key at %s; iam:ListAccessKeys shows none was made", in.Time.Format(time.RFC3339))
		return s.j.outcome(Outcome{Action: *in.Action, State: Failed, Detail: "reconciled after restart: no key was created", At: s.r.now()}, nil)
	case 1:
		s.rec.NewKeyID, s.rec.Created = made[0].ID, made[0].Created
		s.note("an interrupted run created key %s at %s (found with iam:ListAccessKeys); no second key is created", made[0].ID, made[0].Created.Format(time.RFC3339))
		if err := s.j.outcome(Outcome{Action: *in.Action, State: Done, Detail: "reconciled after restart: created " + made[0].ID, At: s.r.now()}, nil); err != nil {
			return err
		}
		return s.save()
	}
	return fmt.Errorf("rotate: an interrupted CreateAccessKey left %d unknown keys on user %s; check them by hand", len(made), s.o.UserName)
}

// reconcileDelivery handles a new key whose delivery an earlier run did not
// finish: if the sink holds it, delivery is done; otherwise its secret is lost
// and the key is deleted so a fresh one can be made.
func (s *rotator) reconcileDelivery(ctx context.Context, keys []KeyInfo) ([]KeyInfo, error) {
	id := s.rec.NewKeyID
	if s.opts.Sink.holds(s.r, id) {
		s.rec.Delivered, s.rec.Sink = true, s.opts.Sink.String()
		s.note("the delivery of %s to %s by an interrupted run had completed", id, s.opts.Sink)
		if err := s.j.outcome(Outcome{Action: s.opts.Sink.action(s.o, id), State: Done, Detail: "reconciled after restart: " + s.opts.Sink.String() + " holds " + id, At: s.r.now()}, nil); err != nil {
			return keys, err
		}
		return keys, s.save()
	}
	act := Action{ID: "rotate/discard-" + id, Step: "rotate", Operation: "iam:DeleteAccessKey", Account: s.o.AccountID,
		Params: []Param{{"UserName", s.o.UserName}, {"AccessKeyId", id}},
		Why:    "key " + id + " was made by an interrupted run and its secret was never delivered (it cannot be read back from AWS): delete it and make a fresh one"}
	out, err := s.r.do(ctx, s.j, act, func(ctx context.Context) (string, error) {
		return "deleted undelivered key " + id, deleteKey(ctx, s.a, s.o.UserName, id)
	})
	s.add(out)
	if err != nil {
		return keys, err
	}
	if out.State == Planned {
		return keys, nil
	}
	s.rec.NewKeyID, s.rec.Created = "", time.Time{}
	return slices.DeleteFunc(keys, func(k KeyInfo) bool { return k.ID == id }), s.save()
}

func deleteKey(ctx context.Context, a *account, user, id string) error {
	_, err := a.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: aws.String(id)})
	if hasCode(err, "NoSuchEntity") {
		return nil // gone already: what we wanted
	}
	return err
}

// onlyActive reports whether id is the only active key among keys (a
// planned new key, counted by plannedNew, is active too).
func onlyActive(keys []KeyInfo, id string, plannedNew bool) bool {
	self, others := false, plannedNew
	for _, k := range keys {
		if k.Status != string(iamtypes.StatusTypeActive) {
			continue
		}
		if k.ID == id {
			self = true
		} else {
			others = true
		}
	}
	return self && !others
}
