package store

import (
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Sweep is one run over a set of repositories. Key names what was swept
// (owners, filters, shard) so that a sweep interrupted before Finish is
// resumed by the next sweep with the same key rather than started afresh.
type Sweep struct {
	ID       string    `json:"id"`
	Key      string    `json:"key"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
}

// Done reports whether the sweep ran to its end.
func (w Sweep) Done() bool { return !w.Finished.IsZero() }

// BeginSweep starts a sweep for key at now, or, when the last sweep with the
// same key never finished, resumes it (resumed is then true and the returned
// sweep keeps its ID: repositories it committed are skipped by the caller).
// Findings first seen in the returned sweep are reported as "new".
func (s *Store) BeginSweep(key string, now time.Time) (sw Sweep, resumed bool, err error) {
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSweeps)
		if last := tx.Bucket(bucketMeta).Get(lastKey(key)); last != nil {
			var prev Sweep
			if v := b.Get(last); v != nil {
				if err := json.Unmarshal(v, &prev); err != nil {
					return fmt.Errorf("decode sweep %s: %w", last, err)
				}
				if !prev.Done() {
					sw, resumed = prev, true
					return tx.Bucket(bucketMeta).Put(keyLastSweep, []byte(prev.ID))
				}
			}
		}
		sw = Sweep{ID: now.UTC().Format("20060102T150405.000000000Z"), Key: key, Started: now.UTC()}
		if b.Get([]byte(sw.ID)) != nil {
			sw.ID += "-" + fmt.Sprint(b.Stats().KeyN)
		}
		if err := putJSON(b, []byte(sw.ID), sw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(lastKey(key), []byte(sw.ID)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyLastSweep, []byte(sw.ID))
	})
	if err != nil {
		return Sweep{}, false, fmt.Errorf("begin sweep: %w", err)
	}
	return sw, resumed, nil
}

// FinishSweep marks sweep id complete at now: the next sweep with its key
// starts afresh.
func (s *Store) FinishSweep(id string, now time.Time) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketSweeps)
		var sw Sweep
		if err := getJSON(b, []byte(id), &sw); err != nil {
			return err
		}
		sw.Finished = now.UTC()
		return putJSON(b, []byte(id), sw)
	})
	if err != nil {
		return fmt.Errorf("finish sweep %s: %w", id, err)
	}
	return nil
}

// LastSweep returns the most recently begun (or resumed) sweep; ok is false
// when the store has never been swept.
func (s *Store) LastSweep() (sw Sweep, ok bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketMeta).Get(keyLastSweep)
		if id == nil {
			return nil
		}
		ok = true
		return getJSON(tx.Bucket(bucketSweeps), id, &sw)
	})
	if err != nil {
		return Sweep{}, false, fmt.Errorf("read last sweep: %w", err)
	}
	return sw, ok, nil
}

func lastKey(key string) []byte { return []byte("last_sweep_for\x00" + key) }

func putJSON(b *bbolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k, err)
	}
	return b.Put(k, data)
}

func getJSON(b *bbolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return fmt.Errorf("read %s: not found", k)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", k, err)
	}
	return nil
}
