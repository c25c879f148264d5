package revoke

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// tinyIAM is an in-memory IAM user with keys, for the cases the local AWS
// cannot stage: a call that takes effect and still fails on the client.
// Methods it does not define panic through the nil embedded interface.
type tinyIAM struct {
	iamAPI
	user      string
	keys      []iamtypes.AccessKeyMetadata
	n         int
	lostReply bool // CreateAccessKey makes the key, then the reply is lost
}

func (f *tinyIAM) GetAccessKeyLastUsed(_ context.Context, in *iam.GetAccessKeyLastUsedInput, _ ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	return &iam.GetAccessKeyLastUsedOutput{UserName: aws.String(f.user), AccessKeyLastUsed: &iamtypes.AccessKeyLastUsed{}}, nil
}

func (f *tinyIAM) ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: slices.Clone(f.keys)}, nil
}

func (f *tinyIAM) CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	if len(f.keys) >= 2 {
		return nil, errors.New("LimitExceeded")
	}
	f.n++
	id := fmt.Sprintf("AKIANEWKEY%010d", f.n)
	f.keys = append(f.keys, iamtypes.AccessKeyMetadata{AccessKeyId: aws.String(id), Status: iamtypes.StatusTypeActive, CreateDate: aws.Time(time.Now())})
	if f.lostReply {
		f.lostReply = false
		return nil, errors.New("read tcp: connection reset by peer")
	}
	return &iam.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{AccessKeyId: aws.String(id), SecretAccessKey: aws.String("secret-" + id), UserName: aws.String(f.user)}}, nil
}

func (f *tinyIAM) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	f.keys = slices.DeleteFunc(f.keys, func(k iamtypes.AccessKeyMetadata) bool {
		return aws.ToString(k.AccessKeyId) == aws.ToString(in.AccessKeyId)
	})
	return &iam.DeleteAccessKeyOutput{}, nil
}

type tinySTS struct{ stsAPI }

func (tinySTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String("111122223333")}, nil
}

func (tinySTS) GetAccessKeyInfo(context.Context, *sts.GetAccessKeyInfoInput, ...func(*sts.Options)) (*sts.GetAccessKeyInfoOutput, error) {
	return &sts.GetAccessKeyInfoOutput{Account: aws.String("111122223333")}, nil
}

// TestRotateLostCreateReply: CreateAccessKey made the key but its reply was
// lost, so the run failed without the secret. The next run must find that
// key instead of piling a second one on it, and replace it once.
func TestRotateLostCreateReply(t *testing.T) {
	const leaked = "AKIAIOLDLEAKEDKEY000" // old format: the account comes from sts:GetAccessKeyInfo
	f := &tinyIAM{user: "alice", lostReply: true,
		keys: []iamtypes.AccessKeyMetadata{{AccessKeyId: aws.String(leaked), Status: iamtypes.StatusTypeInactive}}}
	var printed []string
	newR := func() *Responder {
		r := newResponder(Options{JournalDir: t.TempDir(), Stdout: writerFunc(func(b []byte) { printed = append(printed, string(b)) })})
		r.sts = tinySTS{}
		r.own = &account{iam: f}
		return r
	}
	r := newR()
	dir := r.opts.JournalDir
	if _, err := r.Rotate(context.Background(), leaked, RotateOptions{Sink: Sink{Kind: SinkStdout}}); err == nil {
		t.Fatal("the lost reply did not fail the run")
	}
	if len(f.keys) != 2 {
		t.Fatalf("keys after the failed run: %d, want the leaked one and the orphan", len(f.keys))
	}
	r2 := newR()
	r2.opts.JournalDir = dir
	rot, err := r2.Rotate(context.Background(), leaked, RotateOptions{Sink: Sink{Kind: SinkStdout}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range rot.Outcomes {
		got = append(got, o.Action.ID+"="+string(o.State))
	}
	want := []string{"rotate/discard-AKIANEWKEY0000000001=done", "rotate/create=done", "rotate/deliver=done", "rotate/delete-old=done"}
	if !slices.Equal(got, want) {
		t.Errorf("resumed run = %v, want %v", got, want)
	}
	if len(f.keys) != 1 || aws.ToString(f.keys[0].AccessKeyId) != "AKIANEWKEY0000000002" || f.n != 2 {
		t.Errorf("keys = %+v after %d creates; want only the delivered replacement", f.keys, f.n)
	}
	if len(printed) != 1 {
		t.Errorf("printed %d times, want once", len(printed))
	}
}

type writerFunc func([]byte)

func (w writerFunc) Write(b []byte) (int, error) { w(b); return len(b), nil }
