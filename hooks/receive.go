package hooks

import (
	"context"
	"fmt"
	"strings"

	"github.com/keysweep/keysweep/scanner/staged"
)

// receivePolicy is the policy of a server-side check: the server-wide
// allowlist (o.ConfigPath), the baseline (o.BaselinePath) and, unless
// o.NoRepoConfig, the .keysweep.toml of every pushed tip, so that a
// developer can clear a false positive the same way locally and on the
// server.
func receivePolicy(ctx context.Context, ups []staged.Update, o RunOptions) (*Policy, error) {
	pol := &Policy{}
	if o.ConfigPath != "" {
		p, err := LoadPolicyFile(o.ConfigPath)
		if err != nil {
			return nil, err
		}
		pol = pol.Merge(p)
	}
	if o.BaselinePath != "" {
		b, err := ReadBaseline(o.BaselinePath)
		if err != nil {
			return nil, err
		}
		pol = pol.Merge(&Policy{Baseline: b.set(), BaselinePath: o.BaselinePath})
	}
	if o.NoRepoConfig {
		return pol, nil
	}
	for _, u := range ups {
		if u.Deleted() {
			continue
		}
		data, ok, err := showFile(ctx, o.Git, u.New, ConfigFile)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		p, err := ParsePolicy(data)
		if err != nil {
			return nil, fmt.Errorf("read %s of %s: %w", ConfigFile, u.Ref, err)
		}
		pol = pol.Merge(p)
	}
	return pol, nil
}

// showFile returns the content of path in commit rev, ok false when the
// commit has no such file.
func showFile(ctx context.Context, g staged.Options, rev, path string) ([]byte, bool, error) {
	out, err := g.RunGit(ctx, "ls-tree", "-z", rev, "--", path)
	if err != nil {
		return nil, false, err
	}
	meta, _, found := strings.Cut(string(out), "\t")
	f := strings.Fields(meta)
	if !found || len(f) != 3 || f[1] != "blob" {
		return nil, false, nil
	}
	data, err := g.RunGit(ctx, "cat-file", "blob", f[2])
	return data, err == nil, err
}
