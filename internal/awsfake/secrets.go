package awsfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// secret is a Secrets Manager secret and its versions.
type secret struct {
	name     string
	arn      string
	created  time.Time
	versions []*secretVersion // oldest first
}

type secretVersion struct {
	id      string
	value   string
	binary  []byte
	stages  []string
	created time.Time
}

// SecretValue returns the AWSCURRENT string value of secret name in
// account and region, and whether there is one. Tests use it to check
// that a rotated key was delivered.
func (f *Fake) SecretValue(account, region, name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.accounts[account]
	if !ok {
		return "", false
	}
	s, ok := a.secrets[region+"/"+name]
	if !ok {
		return "", false
	}
	v := s.stage("AWSCURRENT")
	if v == nil {
		return "", false
	}
	return v.value, true
}

func (s *secret) stage(label string) *secretVersion {
	for _, v := range s.versions {
		if contains(v.stages, label) {
			return v
		}
	}
	return nil
}

func secretsOperation(action string) handler {
	switch action {
	case "CreateSecret":
		return (*Fake).smCreateSecret
	case "PutSecretValue":
		return (*Fake).smPutSecretValue
	case "GetSecretValue":
		return (*Fake).smGetSecretValue
	}
	return nil
}

func notFoundSecret() *apiError {
	return errf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func (c *call) str(name string) string { s, _ := c.in[name].(string); return s }

// findSecretLocked looks SecretId (a name or an ARN) up in the caller's
// account and region.
func (f *Fake) findSecretLocked(c *call) (*secret, *apiError) {
	id := c.str("SecretId")
	if id == "" {
		return nil, errf(http.StatusBadRequest, "InvalidParameterException", "SecretId is required.")
	}
	a := f.accounts[c.p.Account]
	if s, ok := a.secrets[c.region+"/"+id]; ok {
		return s, nil
	}
	for _, s := range a.secrets {
		if s.arn == id && strings.Contains(id, ":"+c.region+":") {
			return s, nil
		}
	}
	return nil, notFoundSecret()
}

// secretInput reads SecretString / SecretBinary.
func (c *call) secretInput() (string, []byte, bool, *apiError) {
	str, hasStr := c.in["SecretString"].(string)
	b64, hasBin := c.in["SecretBinary"].(string)
	if hasStr && hasBin {
		return "", nil, false, errf(http.StatusBadRequest, "InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	var bin []byte
	if hasBin {
		var err error
		if bin, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return "", nil, false, errf(http.StatusBadRequest, "SerializationException", "SecretBinary is not base64")
		}
	}
	return str, bin, hasStr || hasBin, nil
}

// addVersionLocked adds a version as AWSCURRENT, moving AWSPREVIOUS along.
// With an already used token it is idempotent for the same value and a
// ResourceExistsException for another.
func (f *Fake) addVersionLocked(s *secret, token, str string, bin []byte) (*secretVersion, *apiError) {
	if token == "" {
		token = f.nextIDLocked()
	}
	for _, v := range s.versions {
		if v.id == token {
			if v.value == str && string(v.binary) == string(bin) {
				return v, nil
			}
			return nil, errf(http.StatusBadRequest, "ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
		}
	}
	for _, v := range s.versions {
		v.stages = remove(v.stages, "AWSPREVIOUS")
		if contains(v.stages, "AWSCURRENT") {
			v.stages = append(remove(v.stages, "AWSCURRENT"), "AWSPREVIOUS")
		}
	}
	v := &secretVersion{id: token, value: str, binary: bin, stages: []string{"AWSCURRENT"}, created: f.now()}
	s.versions = append(s.versions, v)
	return v, nil
}

func (f *Fake) smCreateSecret(c *call) (*result, *apiError) {
	name := c.str("Name")
	if name == "" {
		return nil, errf(http.StatusBadRequest, "InvalidParameterException", "Name is required.")
	}
	str, bin, hasValue, e := c.secretInput()
	if e != nil {
		return nil, e
	}
	a := f.accounts[c.p.Account]
	if _, ok := a.secrets[c.region+"/"+name]; ok {
		return nil, errf(http.StatusBadRequest, "ResourceExistsException", "The operation failed because the secret %s already exists.", name)
	}
	suffix := strings.Map(func(r rune) rune {
		if r == '+' || r == '/' {
			return 'x'
		}
		return r
	}, f.gen.Secret()[:6])
	s := &secret{
		name: name, created: f.now(),
		arn: fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", c.region, c.p.Account, name, suffix),
	}
	out := map[string]any{"ARN": s.arn, "Name": name}
	if hasValue {
		v, e := f.addVersionLocked(s, c.str("ClientRequestToken"), str, bin)
		if e != nil {
			return nil, e
		}
		out["VersionId"] = v.id
	}
	a.secrets[c.region+"/"+name] = s
	return &result{json: out, elements: map[string]any{"arn": s.arn, "name": name}}, nil
}

func (f *Fake) smPutSecretValue(c *call) (*result, *apiError) {
	s, e := f.findSecretLocked(c)
	if e != nil {
		return nil, e
	}
	str, bin, hasValue, e := c.secretInput()
	if e != nil {
		return nil, e
	}
	if !hasValue {
		return nil, errf(http.StatusBadRequest, "InvalidRequestException", "You must provide either SecretString or SecretBinary.")
	}
	v, e := f.addVersionLocked(s, c.str("ClientRequestToken"), str, bin)
	if e != nil {
		return nil, e
	}
	return &result{
		json:     map[string]any{"ARN": s.arn, "Name": s.name, "VersionId": v.id, "VersionStages": append([]string(nil), v.stages...)},
		elements: map[string]any{"arn": s.arn, "versionId": v.id},
	}, nil
}

func (f *Fake) smGetSecretValue(c *call) (*result, *apiError) {
	s, e := f.findSecretLocked(c)
	if e != nil {
		return nil, e
	}
	var v *secretVersion
	if id := c.str("VersionId"); id != "" {
		for _, x := range s.versions {
			if x.id == id {
				v = x
			}
		}
	} else {
		label := c.str("VersionStage")
		if label == "" {
			label = "AWSCURRENT"
		}
		v = s.stage(label)
	}
	if v == nil {
		return nil, errf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value.")
	}
	out := map[string]any{
		"ARN": s.arn, "Name": s.name, "VersionId": v.id,
		"VersionStages": append([]string(nil), v.stages...),
		"CreatedDate":   float64(v.created.Unix()),
	}
	if v.binary != nil {
		out["SecretBinary"] = base64.StdEncoding.EncodeToString(v.binary)
	} else {
		out["SecretString"] = v.value
	}
	return &result{json: out}, nil
}
