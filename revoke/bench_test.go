package revoke_test

import (
	"context"
	"testing"

	"github.com/keysweep/keysweep/revoke"
)

// BenchmarkInvestigateDefaultRegions measures one investigation across the
// 17 default regions at CloudTrail's real limit (2 requests/s per region),
// following one minted session key, with 130 events in us-east-1.
func BenchmarkInvestigateDefaultRegions(b *testing.B) {
	e := newEnv(b)
	e.plantTrail(120)
	r := e.responderWith(nil)
	var reqs int
	b.ResetTimer()
	for b.Loop() {
		inv, err := r.Investigate(context.Background(), e.leaked.ID, revoke.InvestigateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		reqs = inv.Requests
	}
	b.ReportMetric(float64(reqs), "requests/op")
}
