package cli

import (
	"fmt"

	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/pflag"
)

// policyFlags are the allowlist/baseline flags shared by scan, sweep and triage.
type policyFlags struct {
	Baseline    string // report only findings not in this baseline
	Allowlist   string // an extra allowlist in .keysweep.toml format
	NoAllowlist bool   // ignore .keysweep.toml and the baseline it names
}

func addPolicyFlags(fs *pflag.FlagSet, p *policyFlags) {
	fs.StringVar(&p.Baseline, "baseline", "", "report only findings not recorded in baseline `FILE` (keysweep baseline create)")
	fs.StringVar(&p.Allowlist, "allowlist", "", "also honour the allowlist in `FILE` (.keysweep.toml format)")
	fs.BoolVar(&p.NoAllowlist, "no-allowlist", false, "ignore .keysweep.toml (report allowlisted findings too)")
}

// applyPolicy drops allowlisted and baselined findings from res: the
// .keysweep.toml at the root of the scanned repository or directory (and
// the baseline it names), --baseline and --allowlist. How many were dropped
// becomes a note of the report. A policy file that cannot be read is an
// error (exit 1): a broken allowlist must not hide or show things silently.
func applyPolicy(opts *ScanOptions, res *scanner.Result) error {
	pol, err := loadPolicy(opts.Path, &opts.Policy)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err,
			Hint: "fix the file, or run with --no-allowlist to ignore .keysweep.toml"}
	}
	if n := pol.Filter(res); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d finding(s) not reported: allowlisted or in the baseline (%s)", n, policySources(pol)))
	}
	return nil
}

func loadPolicy(path string, pf *policyFlags) (*hooks.Policy, error) {
	if path == "" {
		path = "."
	}
	var pol *hooks.Policy
	var err error
	if pf.NoAllowlist {
		pol, err = hooks.LoadPolicy("", pf.Baseline) // baseline only
	} else {
		pol, err = hooks.LoadPolicy(hooks.FindRoot(path), pf.Baseline)
	}
	if err != nil {
		return nil, err
	}
	if pf.Allowlist != "" {
		extra, err := hooks.LoadPolicyFile(pf.Allowlist)
		if err != nil {
			return nil, err
		}
		pol = pol.Merge(extra)
	}
	return pol, nil
}

func policySources(p *hooks.Policy) string {
	s := ""
	for _, x := range []string{p.ConfigPath, p.BaselinePath} {
		if x == "" {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += x
	}
	if s == "" {
		s = "--allowlist"
	}
	return s
}
