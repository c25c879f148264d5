package revoke

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/keysweep/keysweep/scanner"
)

// create makes room when the user is at the two-key limit, then creates the new key.
func (s *rotator) create(ctx context.Context, keys []KeyInfo) ([]KeyInfo, error) {
	if len(keys) >= 2 {
		var err error
		if keys, err = s.makeRoom(ctx, keys); err != nil {
			return keys, err
		}
	}
	s.rec.Before = nil
	for _, k := range keys {
		s.rec.Before = append(s.rec.Before, k.ID)
	}
	if err := s.save(); err != nil {
		return keys, err
	}
	act := Action{ID: "rotate/create", Step: "rotate", Operation: "iam:CreateAccessKey", Account: s.o.AccountID,
		Params: []Param{{"UserName", s.o.UserName}}, Why: "a new key to replace " + s.o.KeyID}
	out, err := s.r.do(ctx, s.j, act, func(ctx context.Context) (string, error) {
		res, err := s.a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(s.o.UserName)})
		if err != nil {
			return "", fmt.Errorf("create access key for %s: %w", s.o.UserName, err)
		}
		k := res.AccessKey
		s.secret = NewKey{AccessKeyID: aws.ToString(k.AccessKeyId), Secret: scanner.Secret(aws.ToString(k.SecretAccessKey)),
			UserName: s.o.UserName, Created: aws.ToTime(k.CreateDate).UTC()}
		return "created " + s.secret.AccessKeyID, nil
	})
	s.add(out)
	if err != nil || out.State == Planned {
		return keys, err
	}
	s.rec.NewKeyID, s.rec.Created = s.secret.AccessKeyID, s.secret.Created
	keys = append(keys, KeyInfo{ID: s.secret.AccessKeyID, Status: "Active", Created: s.secret.Created})
	return keys, s.save()
}

// makeRoom deletes the leaked key so a new one fits under the two-key limit.
func (s *rotator) makeRoom(ctx context.Context, keys []KeyInfo) ([]KeyInfo, error) {
	old := s.o.KeyID
	if s.rec.OldDeleted || !slices.ContainsFunc(keys, func(k KeyInfo) bool { return k.ID == old }) {
		return keys, fmt.Errorf("rotate %s for user %s: %w", old, s.o.UserName, ErrKeyLimit)
	}
	if onlyActive(keys, old, false) && !s.opts.Force {
		return keys, fmt.Errorf("rotate: user %s holds two keys and the leaked %s is the only active one; deleting it to make room would cut the user off: %w",
			s.o.UserName, old, ErrOnlyActiveKey)
	}
	act := Action{ID: "rotate/make-room", Step: "rotate", Operation: "iam:DeleteAccessKey", Account: s.o.AccountID,
		Params: []Param{{"UserName", s.o.UserName}, {"AccessKeyId", old}},
		Why:    "user " + s.o.UserName + " already holds two keys (the IAM limit): delete the leaked key to make room for its replacement"}
	out, err := s.r.do(ctx, s.j, act, func(ctx context.Context) (string, error) {
		return "deleted leaked key " + old + " to make room", deleteKey(ctx, s.a, s.o.UserName, old)
	})
	s.add(out)
	if out.State == Planned {
		s.roomPlanned = true
	}
	if err != nil || out.State == Planned {
		return keys, err
	}
	s.rec.OldDeleted = true
	return slices.DeleteFunc(keys, func(k KeyInfo) bool { return k.ID == old }), s.save()
}

func (s *rotator) deliver(ctx context.Context) error {
	id := s.rec.NewKeyID
	if id == "" {
		id = "<new key>"
	}
	act := s.opts.Sink.action(s.o, id)
	out, err := s.r.do(ctx, s.j, act, func(ctx context.Context) (string, error) {
		return s.opts.Sink.deliver(ctx, s.r, s.a, s.secret)
	})
	s.add(out)
	if err != nil || out.State == Planned {
		return err
	}
	s.rec.Delivered, s.rec.Sink = true, s.opts.Sink.String()
	return s.save()
}

// deleteOld deletes the leaked key once the new one is delivered.
func (s *rotator) deleteOld(ctx context.Context, keys []KeyInfo) error {
	old := s.o.KeyID
	if s.rec.OldDeleted || s.roomPlanned {
		s.note("the leaked key %s is deleted", old)
		return nil
	}
	if s.opts.KeepOld {
		s.note("the leaked key %s is kept; delete it later (respond rotate again with --delete-after, or respond delete)", old)
		return nil
	}
	planned := s.r.opts.DryRun && s.rec.NewKeyID == ""
	deleted, err := s.r.deleteOld(ctx, s.j, s.a, s.o, keys, planned, DeleteOptions{IdleFor: s.opts.DeleteAfter, Force: s.opts.Force}, s.add, s.note)
	if err != nil || !deleted {
		return err
	}
	s.rec.OldDeleted = true
	return s.save()
}

// DeleteOptions guard the deletion of a leaked key.
type DeleteOptions struct {
	// IdleFor, when > 0, deletes only once iam:GetAccessKeyLastUsed shows the key unused this long.
	IdleFor time.Duration
	// Force allows deleting a key that is its user's only active key.
	Force bool
}

// Deletion is what DeleteOld did.
type Deletion struct {
	Owner    Owner     `json:"owner"`
	Deleted  bool      `json:"deleted"`
	Outcomes []Outcome `json:"outcomes"`
	Notes    []string  `json:"notes,omitempty"`
}

// DeleteOld deletes the leaked key keyID (iam:DeleteAccessKey) after
// confirmation: with IdleFor only once it has been unused that long, never
// when it is its user's only active key unless Force. A key gone already is
// ErrKeyNotFound.
func (r *Responder) DeleteOld(ctx context.Context, keyID string, opts DeleteOptions) (Deletion, error) {
	o, a, err := r.locate(ctx, keyID)
	d := Deletion{Owner: o}
	switch {
	case err != nil:
		return d, err
	case a == nil:
		return d, ErrNotOurs
	case o.Temporary:
		return d, ErrTemporaryKey
	}
	j, err := r.journalFor(keyID)
	if err != nil {
		return d, err
	}
	defer j.Close()
	keys, err := listKeys(ctx, a, o.UserName)
	if err != nil {
		return d, err
	}
	add := func(o Outcome) { d.Outcomes = append(d.Outcomes, o) }
	note := func(f string, v ...any) { d.Notes = append(d.Notes, fmt.Sprintf(f, v...)) }
	d.Deleted, err = r.deleteOld(ctx, j, a, o, keys, false, opts, add, note)
	if err == nil && d.Deleted {
		var rec rotationRecord
		if _, err := j.latestRecord("rotation", &rec); err != nil {
			return d, err
		}
		rec.OldDeleted = true
		return d, j.record("rotation", rec)
	}
	return d, err
}

func (r *Responder) deleteOld(ctx context.Context, j *Journal, a *account, o Owner, keys []KeyInfo, plannedNew bool,
	opts DeleteOptions, add func(Outcome), note func(string, ...any)) (bool, error) {
	old := o.KeyID
	if opts.IdleFor > 0 {
		lu, err := a.iam.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(old)})
		if err != nil {
			return false, classify("iam:GetAccessKeyLastUsed", o.AccountID, fmt.Errorf("get last use of %s: %w", old, err))
		}
		if u := lu.AccessKeyLastUsed; u != nil && u.LastUsedDate != nil {
			if idle := r.now().Sub(*u.LastUsedDate); idle < opts.IdleFor {
				note("the leaked key %s was last used %s ago (%s), less than --delete-after %s: not deleted yet; run again later",
					old, idle.Round(time.Minute), aws.ToString(u.ServiceName), opts.IdleFor)
				return false, nil
			}
		}
	}
	if onlyActive(keys, old, plannedNew) && !opts.Force {
		return false, fmt.Errorf("delete %s of user %s: %w", old, o.UserName, ErrOnlyActiveKey)
	}
	act := Action{ID: "rotate/delete-old", Step: "rotate", Operation: "iam:DeleteAccessKey", Account: o.AccountID,
		Params: []Param{{"UserName", o.UserName}, {"AccessKeyId", old}}, Why: "the leaked key is replaced: delete it for good"}
	out, err := r.do(ctx, j, act, func(ctx context.Context) (string, error) {
		return "deleted leaked key " + old, deleteKey(ctx, a, o.UserName, old)
	})
	add(out)
	return out.State == Done, err
}
