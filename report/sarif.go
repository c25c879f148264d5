package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/keysweep/keysweep/scanner"
)

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleLevel `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifRuleLevel struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

const (
	ruleAccessKey  = "aws-access-key"
	ruleSessionKey = "aws-session-key"
)

func sarifRules() []sarifRule {
	help := "Remove the key from the code and its history, and if it was ever pushed, treat it as compromised: " +
		"deactivate it, check CloudTrail for its use and rotate it (keysweep respond contain|investigate|rotate KEY_ID). " +
		"Use an AWS profile, SSO or environment variables instead of keys in code."
	return []sarifRule{
		{
			ID: ruleAccessKey, Name: "HardcodedAWSAccessKey",
			ShortDescription:     sarifText{"Hardcoded AWS access key"},
			FullDescription:      sarifText{"An AWS access key ID (AKIA…), usually with its secret access key, is committed in the repository."},
			Help:                 sarifText{help},
			DefaultConfiguration: sarifRuleLevel{"error"},
			Properties:           map[string]any{"tags": []string{"security", "secret", "aws"}, "security-severity": "9.0"},
		},
		{
			ID: ruleSessionKey, Name: "HardcodedAWSSessionCredentials",
			ShortDescription:     sarifText{"Hardcoded AWS temporary credentials"},
			FullDescription:      sarifText{"AWS temporary credentials (ASIA… key ID, secret and session token) are committed in the repository."},
			Help:                 sarifText{help},
			DefaultConfiguration: sarifRuleLevel{"warning"},
			Properties:           map[string]any{"tags": []string{"security", "secret", "aws"}, "security-severity": "7.0"},
		},
	}
}

// WriteSARIF writes res as SARIF 2.1.0 for GitHub code scanning: one result
// per location, level "error" for live keys, "warning" otherwise, "note" for
// AWS's example keys. Secrets never appear, whatever opts.ShowSecrets says.
func WriteSARIF(w io.Writer, res scanner.Result, opts Options) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "keysweep", Version: opts.ToolVersion,
			InformationURI: "https://github.com/keysweep/keysweep",
			Rules:          sarifRules(),
		}},
		Results: []sarifResult{},
	}
	for _, f := range res.Findings {
		rule := ruleAccessKey
		if f.KeyType == scanner.SessionKey {
			rule = ruleSessionKey
		}
		level := "warning"
		switch {
		case f.Example:
			level = "note"
		case f.Verification.Verdict == scanner.Live:
			level = "error"
		}
		for _, l := range f.Locations {
			msg := fmt.Sprintf("AWS %s %s (secret %s) verdict: %s", f.KeyType, f.KeyID, orDash(f.Secret.Redacted()), verdictOf(f))
			if a := accountOf(f); a != "" {
				msg += ", account " + a
			}
			if l.Encoding != "" {
				msg += ", found " + l.Encoding + "-encoded"
			}
			if l.Commit != "" {
				msg += ", introduced in commit " + short(l.Commit)
			}
			line := max(l.Line, 1)
			r := sarifResult{
				RuleID: rule, Level: level, Message: sarifText{msg},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: sarifURI(l)},
					Region:           sarifRegion{StartLine: line, StartColumn: l.Column},
				}}},
				PartialFingerprints: map[string]string{"keysweep/v1": locFingerprint(f.Fingerprint, l)},
				Properties:          map[string]any{"fingerprint": f.Fingerprint, "verdict": verdictOf(f)},
			}
			if l.Commit != "" {
				r.Properties["commit"] = l.Commit
			}
			run.Results = append(run.Results, r)
		}
	}
	doc := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// sarifURI is the location's path as a relative, forward-slash URI.
func sarifURI(l scanner.Location) string {
	p := filepath.ToSlash(l.Path)
	p = strings.TrimPrefix(p, "./")
	if l.Repo != "" && !strings.Contains(l.Repo, "://") {
		p = l.Repo + "/" + p
	}
	return p
}

func locFingerprint(fp string, l scanner.Location) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d", fp, l.Repo, l.Path, l.Member, l.Line)))
	return hex.EncodeToString(sum[:16])
}
