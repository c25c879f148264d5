package scanner

import (
	"bytes"
	"sort"
)

// cand is a secret or session-token candidate near some key ID.
type cand struct {
	start, end int
	line       int
	keyword    bool // a secret/session-token keyword precedes it on its line
}

// Pairing costs, in hundredths of a line of distance.
const (
	costLine      = 100     // per line between key ID and secret
	costKeyword   = 2000    // bonus for "secret" context: worth 20 lines
	costBefore    = 10      // secret before the ID: slightly worse than after
	costPathLike  = 500     // three or more slashes: more likely a path
	maxCandidates = 8       // Match.Candidates cap
	topEdges      = 12      // secrets considered per key ID occurrence
	minTokenLen   = 100     // shortest run taken for a session token
	costNone      = 1 << 30 // a key ID left without a secret
)

// pair attaches secrets and session tokens to the key IDs of b.
func (d *Detector) pair(b []byte, ids []idHit) []Match {
	secrets, tokens := d.collectCands(b, ids)
	ms := make([]Match, len(ids))
	for i, h := range ids {
		ms[i] = Match{
			KeyID: string(b[h.start : h.start+20]), Start: h.start, End: h.start + 20,
			Line: h.line, Column: h.col, Example: h.example,
		}
	}
	if len(secrets) > 0 {
		d.assignSecrets(b, ids, ms, secrets)
	}
	if len(tokens) > 0 {
		for i, h := range ids {
			if ms[i].KeyID[:4] != "ASIA" {
				continue
			}
			best, bc := -1, 0
			for j, t := range tokens {
				if abs(t.start-h.start) > d.opts.Window+len(b[t.start:t.end]) {
					continue
				}
				if c := candCost(h, t); best < 0 || c < bc {
					best, bc = j, c
				}
			}
			if best >= 0 {
				ms[i].SessionToken = Secret(b[tokens[best].start:tokens[best].end])
			}
		}
	}
	return ms
}

// candCost is the pairing cost of candidate c for key ID h: lower is better.
func candCost(h idHit, c cand) int {
	cost := costLine*abs(c.line-h.line) + distance(h, c)/64
	if c.keyword {
		cost -= costKeyword
	}
	if c.end <= h.start {
		cost += costBefore
	}
	return cost
}

func distance(h idHit, c cand) int {
	if c.end <= h.start {
		return h.start - c.end
	}
	return c.start - (h.start + 20)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// assignSecrets gives each distinct key ID its best secret, one secret per
// key ID first (greedy by cost, so two keys in one file each get their
// own), then lets a key ID left without one take its best candidate anyway.
// The other candidates in the window become Match.Candidates, best first.
func (d *Detector) assignSecrets(b []byte, ids []idHit, ms []Match, secrets []cand) {
	keyOf := map[string]int{}
	var edges []edge
	for i, h := range ids {
		k, ok := keyOf[ms[i].KeyID]
		if !ok {
			k = len(keyOf)
			keyOf[ms[i].KeyID] = k
		}
		// keep the topEdges cheapest secrets of this occurrence, so a file
		// of thousands of pairs stays linear
		var top [topEdges]edge
		n := 0
		first := sort.Search(len(secrets), func(j int) bool { return secrets[j].start >= h.start-d.opts.Window-40 })
		for j := first; j < len(secrets) && secrets[j].start <= h.start+d.opts.Window+40; j++ {
			s := secrets[j]
			c := candCost(h, s)
			if bytes.Count(b[s.start:s.end], []byte{'/'}) >= 3 {
				c += costPathLike
			}
			if n == topEdges && c >= top[n-1].cost {
				continue
			}
			at := min(n, topEdges-1)
			for at > 0 && top[at-1].cost > c {
				if at < topEdges {
					top[at] = top[at-1]
				}
				at--
			}
			top[at] = edge{k, j, c}
			n = min(n+1, topEdges)
		}
		edges = append(edges, top[:n]...)
	}
	sort.SliceStable(edges, func(i, j int) bool { return edges[i].cost < edges[j].cost })
	nk := len(keyOf)
	primary := make([]int, nk)
	for i := range primary {
		primary[i] = -1
	}
	used := make([]bool, len(secrets))
	for _, e := range edges {
		if primary[e.key] < 0 && !used[e.sec] {
			primary[e.key], used[e.sec] = e.sec, true
		}
	}
	improvePairs(primary, edges)
	ranked := make([][]int, nk) // secrets per key, best first, each once
	seen := make([]map[int]bool, nk)
	for _, e := range edges {
		if seen[e.key] == nil {
			seen[e.key] = map[int]bool{}
		}
		if !seen[e.key][e.sec] {
			seen[e.key][e.sec] = true
			ranked[e.key] = append(ranked[e.key], e.sec)
		}
	}
	for k := range primary {
		if primary[k] < 0 && len(ranked[k]) > 0 {
			primary[k] = ranked[k][0]
		}
	}
	for i := range ms {
		k := keyOf[ms[i].KeyID]
		if primary[k] < 0 {
			continue
		}
		p := secrets[primary[k]]
		ms[i].Secret = Secret(b[p.start:p.end])
		for _, j := range ranked[k] {
			if j == primary[k] || len(ms[i].Candidates) >= maxCandidates {
				continue
			}
			s := Secret(b[secrets[j].start:secrets[j].end])
			if s != ms[i].Secret && !containsSecret(ms[i].Candidates, s) {
				ms[i].Candidates = append(ms[i].Candidates, s)
			}
		}
	}
}

func containsSecret(ss []Secret, s Secret) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// edge is the cost of pairing secret sec with distinct key ID key.
type edge struct{ key, sec, cost int }

// improvePairs swaps the secrets of two key IDs while that lowers the total
// cost: greedy pairing alone gets "secret, id, secret, id" layouts wrong.
// Skipped for files with very many keys (it is quadratic).
func improvePairs(primary []int, edges []edge) {
	if len(primary) < 2 || len(primary) > 200 {
		return
	}
	cost := make(map[[2]int]int, len(edges))
	for _, e := range edges {
		k := [2]int{e.key, e.sec}
		if c, ok := cost[k]; !ok || e.cost < c {
			cost[k] = e.cost
		}
	}
	get := func(k, s int) (int, bool) {
		if s < 0 {
			return costNone, true
		}
		c, ok := cost[[2]int{k, s}]
		return c, ok
	}
	for round := 0; round < 10; round++ {
		changed := false
		for a := range primary {
			for b := a + 1; b < len(primary); b++ {
				sa, sb := primary[a], primary[b]
				if sa < 0 && sb < 0 {
					continue
				}
				caa, ok1 := get(a, sa)
				cbb, ok2 := get(b, sb)
				cab, ok3 := get(a, sb)
				cba, ok4 := get(b, sa)
				if ok1 && ok2 && ok3 && ok4 && cab+cba < caa+cbb {
					primary[a], primary[b] = sb, sa
					changed = true
				}
			}
		}
		if !changed {
			return
		}
	}
}
