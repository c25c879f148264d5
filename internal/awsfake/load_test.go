package awsfake_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keysweep/keysweep/internal/awsfake"
)

// TestConcurrentClients runs several clients at once (run with -race):
// every call is answered and recorded exactly once.
func TestConcurrentClients(t *testing.T) {
	f, _ := newFake(t)
	ctx := context.Background()
	admin := mustUserKey(t, f, acctA, "responder")
	const workers, per = 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*per)
	for w := range workers {
		user := fmt.Sprintf("worker-%d", w)
		k := mustUserKey(t, f, acctA, user)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ic := iamClient(t, f, admin)
			sc := stsClient(t, f, k)
			for range per / 2 {
				if _, err := sc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					errs <- err
				}
				ck, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
				if err != nil {
					errs <- err
					continue
				}
				if _, err := ic.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: ck.AccessKey.AccessKeyId}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out := lookupAll(t, trailClient(t, f, admin, "us-east-1"), &cloudtrail.LookupEventsInput{
		LookupAttributes: byKey(admin.ID),
	}, nil)
	if want := workers * per; len(out) != want {
		t.Errorf("admin's recorded events = %d, want %d", len(out), want)
	}
	for w := range workers {
		if u, _ := f.User(acctA, fmt.Sprintf("worker-%d", w)); len(u.Keys) != 1 {
			t.Errorf("worker-%d holds %d keys, want 1", w, len(u.Keys))
		}
	}
}

func TestMaxSkew(t *testing.T) {
	now := time.Now().Add(-time.Hour) // the fake's clock is an hour behind the signer's
	f := awsfake.New(awsfake.Options{Now: func() time.Time { return now }, MaxSkew: 15 * time.Minute})
	f.Start()
	defer f.Close()
	k := mustUserKey(t, f, acctA, "u")
	_, err := stsClient(t, f, k).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if code(err) != "SignatureDoesNotMatch" {
		t.Errorf("skewed request: %v, want SignatureDoesNotMatch", err)
	}
}

// BenchmarkGetCallerIdentity measures STS calls through the real SDK over
// loopback HTTP, the verification path, with 4×GOMAXPROCS concurrent callers.
func BenchmarkGetCallerIdentity(b *testing.B) {
	f := awsfake.New(awsfake.Options{})
	f.Start()
	defer f.Close()
	k, err := f.AddAccessKey(acctA, "bench")
	if err != nil {
		b.Fatal(err)
	}
	c := stsClient(b, f, k)
	b.SetParallelism(4) // 4×GOMAXPROCS clients, like a verifier's worker pool
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
