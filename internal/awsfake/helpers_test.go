package awsfake_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/keysweep/keysweep/internal/awsfake"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

// clock is a settable fake time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newFake(t *testing.T) (*awsfake.Fake, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	f := awsfake.New(awsfake.Options{Now: c.now, Seed: 7})
	f.Start()
	t.Cleanup(f.Close)
	return f, c
}

// cfg returns an SDK config signing with k (and its session token) and
// sending everything to f, with a fast retryer so throttling tests are quick.
func cfg(t testing.TB, f *awsfake.Fake, k awsfake.Key, region string) aws.Config {
	t.Helper()
	c, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(k.ID, k.Secret, k.SessionToken)),
		config.WithBaseEndpoint(f.URL),
		config.WithRetryer(func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), time.Millisecond)
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func stsClient(t testing.TB, f *awsfake.Fake, k awsfake.Key) *sts.Client {
	return sts.NewFromConfig(cfg(t, f, k, "us-east-1"))
}

// code returns the AWS error code of err, or "" when it is nil or not an
// API error.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func mustUserKey(t *testing.T, f *awsfake.Fake, account, user string) awsfake.Key {
	t.Helper()
	k, err := f.AddAccessKey(account, user)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
