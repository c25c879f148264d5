package revoke_test

import (
	"context"
	"testing"

	"github.com/keysweep/keysweep/revoke"
)

func TestPlans(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.responderWith(nil)
	plan, err := r.PlanContain(ctx, e.leaked.ID, revoke.ContainOptions{})
	if err != nil || len(plan) != 2 || plan[0].Operation != "iam:UpdateAccessKey" || plan[1].Operation != "iam:PutUserPolicy" {
		t.Fatalf("plan = %v, %v", plan, err)
	}
	if e.keyStatus(e.leaked.ID) != "Active" {
		t.Fatal("planning changed the key")
	}
	if _, err := r.Contain(ctx, e.leaked.ID, revoke.ContainOptions{}); err != nil {
		t.Fatal(err)
	}
	if plan, err := r.PlanContain(ctx, e.leaked.ID, revoke.ContainOptions{}); err != nil || len(plan) != 0 {
		t.Errorf("plan after containment = %v, %v; want nothing left to do", plan, err)
	}
	plan, err = r.PlanRotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "profile:app")})
	if err != nil || len(plan) != 3 || plan[2].String() != "iam:DeleteAccessKey UserName=alice AccessKeyId="+e.leaked.ID+" (account "+acctOwn+")" {
		t.Errorf("rotate plan = %v, %v", plan, err)
	}
	if len(e.user(acctOwn, "alice").Keys) != 1 {
		t.Error("planning a rotation made a key")
	}
}
