package verify

import (
	"context"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// pair verifies one (key ID, secret, token) once per Verifier. It returns an
// error only when ctx ended; the result is then not cached.
func (v *Verifier) pair(ctx context.Context, keyID string, secret, token scanner.Secret) (scanner.Verification, error) {
	key := cacheKey(keyID, secret, token)
	if res, ok := v.cache.get(key); ok {
		v.cached.Add(1)
		return res, nil
	}
	for attempt := 1; ; attempt++ {
		ch := v.group.DoChan(key, func() (any, error) {
			if res, ok := v.cache.get(key); ok {
				return res, nil
			}
			res, err := v.check(ctx, keyID, secret, token)
			if err != nil {
				return nil, err
			}
			v.cache.put(key, res)
			return res, nil
		})
		select {
		case r := <-ch:
			if r.Err == nil {
				return r.Val.(scanner.Verification), nil
			}
			if ctx.Err() != nil || attempt == 3 {
				return scanner.Verification{}, r.Err
			}
			// The shared call ran under another caller's context, which
			// ended: ask again under ours.
		case <-ctx.Done():
			return scanner.Verification{}, ctx.Err()
		}
	}
}

// check calls STS, retrying a signature mismatch once after RetryPause.
func (v *Verifier) check(ctx context.Context, keyID string, secret, token scanner.Secret) (scanner.Verification, error) {
	res, err := v.call(ctx, keyID, secret, token)
	if err != nil || res.Verdict != scanner.WrongSecret {
		return res, err
	}
	if err := v.cfg.Sleep(ctx, v.cfg.RetryPause); err != nil {
		return scanner.Verification{}, err
	}
	return v.call(ctx, keyID, secret, token)
}

func cacheKey(keyID string, secret, token scanner.Secret) string {
	if token == "" {
		return scanner.Fingerprint(keyID, secret)
	}
	return scanner.Fingerprint(keyID, secret+"\x00"+token)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
