package awsfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

func trailOperation(action string) handler {
	if action == "LookupEvents" {
		return (*Fake).trailLookupEvents
	}
	return nil
}

// lookupToken is the state behind a LookupEvents NextToken: where the
// previous page ended, the newest event when the first page was read (so
// events recorded since, including the lookups themselves, do not shift
// pages), and a hash of the query it belongs to.
type lookupToken struct {
	Time  int64  `json:"t"`
	Seq   uint64 `json:"s"`
	Max   uint64 `json:"m"`
	Query string `json:"q"`
}

type lookupQuery struct {
	key, value string
	start, end time.Time
	max        int
}

func (f *Fake) trailLookupEvents(c *call) (*result, *apiError) {
	q, e := c.lookupQuery()
	if e != nil {
		return nil, e
	}
	qh := c.queryHash()
	tok := lookupToken{Max: f.seq, Query: qh}
	resume := false
	if s, _ := c.in["NextToken"].(string); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || json.Unmarshal(b, &tok) != nil || tok.Query != qh {
			return nil, errf(http.StatusBadRequest, "InvalidNextTokenException", "Invalid NextToken")
		}
		resume = true
	}
	var out []map[string]any
	var last *Event
	more := false
	for _, ev := range slices.Backward(f.events) { // newest first
		if ev.seq > tok.Max || ev.Account != c.p.Account || ev.Region != c.region || !q.match(ev) {
			continue
		}
		if resume && !eventBefore(ev, &Event{Time: time.Unix(0, tok.Time), seq: tok.Seq}) {
			continue // on or before the previous page's last event
		}
		if len(out) == q.max {
			more = true
			break
		}
		out = append(out, lookupEvent(ev))
		last = ev
	}
	res := map[string]any{"Events": out}
	if more {
		tok.Time, tok.Seq = last.Time.UnixNano(), last.seq
		b, _ := json.Marshal(tok)
		res["NextToken"] = base64.RawURLEncoding.EncodeToString(b)
	}
	if out == nil {
		res["Events"] = []any{}
	}
	return &result{json: res}, nil
}

func (c *call) queryHash() string {
	in := map[string]any{}
	for k, v := range c.in {
		if k != "NextToken" {
			in[k] = v
		}
	}
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

func (c *call) lookupQuery() (lookupQuery, *apiError) {
	q := lookupQuery{max: 50}
	if attrs, ok := c.in["LookupAttributes"].([]any); ok && len(attrs) > 0 {
		if len(attrs) > 1 {
			return q, errf(http.StatusBadRequest, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
		}
		a, _ := attrs[0].(map[string]any)
		q.key, _ = a["AttributeKey"].(string)
		q.value, _ = a["AttributeValue"].(string)
		switch q.key {
		case "AccessKeyId", "EventName", "Username", "EventSource", "EventId", "ReadOnly", "ResourceName", "ResourceType":
		default:
			return q, errf(http.StatusBadRequest, "InvalidLookupAttributesException", "Unsupported lookup attribute key %q", q.key)
		}
	}
	var e *apiError
	if q.start, e = jsonTime(c.in, "StartTime"); e != nil {
		return q, e
	}
	if q.end, e = jsonTime(c.in, "EndTime"); e != nil {
		return q, e
	}
	if !q.start.IsZero() && !q.end.IsZero() && q.start.After(q.end) {
		return q, errf(http.StatusBadRequest, "InvalidTimeRangeException", "Start time must be before end time.")
	}
	if v, ok := c.in["MaxResults"].(float64); ok {
		if v < 1 || v > 50 || v != math.Trunc(v) {
			return q, errf(http.StatusBadRequest, "InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
		}
		q.max = int(v)
	}
	return q, nil
}

// jsonTime reads an epoch-seconds timestamp member of a JSON 1.1 input.
func jsonTime(in map[string]any, name string) (time.Time, *apiError) {
	v, ok := in[name]
	if !ok || v == nil {
		return time.Time{}, nil
	}
	n, ok := v.(float64)
	if !ok {
		return time.Time{}, errf(http.StatusBadRequest, "SerializationException", "%s must be a timestamp", name)
	}
	sec, frac := math.Modf(n)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func (q lookupQuery) match(e *Event) bool {
	if !q.start.IsZero() && e.Time.Before(q.start) || !q.end.IsZero() && e.Time.After(q.end) {
		return false
	}
	switch q.key {
	case "":
		return true
	case "AccessKeyId":
		return e.Identity.AccessKeyID == q.value
	case "EventName":
		return e.Name == q.value
	case "Username":
		return e.Username() == q.value
	case "EventSource":
		return e.Source == q.value
	case "EventId":
		return e.ID == q.value
	case "ReadOnly":
		return strconv.FormatBool(e.ReadOnly) == q.value
	}
	for _, r := range e.Resources {
		if q.key == "ResourceName" && r.Name == q.value || q.key == "ResourceType" && r.Type == q.value {
			return true
		}
	}
	return false
}

// lookupEvent is e as LookupEvents returns it.
func lookupEvent(e *Event) map[string]any {
	m := map[string]any{
		"EventId":         e.ID,
		"EventName":       e.Name,
		"EventSource":     e.Source,
		"EventTime":       float64(e.Time.UnixNano()) / 1e9,
		"ReadOnly":        strconv.FormatBool(e.ReadOnly),
		"CloudTrailEvent": e.recordJSON(),
	}
	if e.Identity.AccessKeyID != "" {
		m["AccessKeyId"] = e.Identity.AccessKeyID
	}
	if u := e.Username(); u != "" {
		m["Username"] = u
	}
	if len(e.Resources) > 0 {
		rs := make([]map[string]string, len(e.Resources))
		for i, r := range e.Resources {
			rs[i] = map[string]string{"ResourceType": r.Type, "ResourceName": r.Name}
		}
		m["Resources"] = rs
	}
	return m
}
