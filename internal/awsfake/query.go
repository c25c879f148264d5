package awsfake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// xmlw builds an XML document; values are escaped.
type xmlw struct{ b bytes.Buffer }

func (x *xmlw) open(name, attrs string) {
	x.b.WriteString("<" + name)
	if attrs != "" {
		x.b.WriteString(" " + attrs)
	}
	x.b.WriteString(">")
}

func (x *xmlw) close(name string) { x.b.WriteString("</" + name + ">") }

func (x *xmlw) el(name, value string) {
	x.b.WriteString("<" + name + ">")
	_ = xml.EscapeText(&x.b, []byte(value))
	x.b.WriteString("</" + name + ">")
}

// opt writes element name only when value is not empty.
func (x *xmlw) opt(name, value string) {
	if value != "" {
		x.el(name, value)
	}
}

func (x *xmlw) time(name string, t time.Time) { x.el(name, isoTime(t)) }

func (x *xmlw) bool(name string, v bool) { x.el(name, strconv.FormatBool(v)) }

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// render encodes res as c's protocol answer: the <ActionResponse>
// <ActionResult>… document of AWS Query, or the JSON 1.1 document.
func (c *call) render(res *result) ([]byte, *apiError) {
	if c.jsonProto {
		v := res.json
		if v == nil {
			v = struct{}{}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, errf(http.StatusInternalServerError, "InternalFailure", "marshal response: %v", err)
		}
		return b, nil
	}
	var x xmlw
	x.open(c.action+"Response", queryNS(c.service))
	x.open(c.action+"Result", "")
	if res.xml != nil {
		res.xml(&x)
	}
	x.close(c.action + "Result")
	x.open("ResponseMetadata", "")
	x.el("RequestId", c.requestID)
	x.close("ResponseMetadata")
	x.close(c.action + "Response")
	return x.b.Bytes(), nil
}

// param returns Query parameter name of c or a ValidationError naming it.
func (c *call) param(name string) (string, *apiError) {
	v := c.form.Get(name)
	if v == "" {
		code := "ValidationError"
		return "", errf(http.StatusBadRequest, code, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v, nil
}

// page slices items for a Query List… call with Marker/MaxItems: the
// marker is the index to start at.
func page[T any](c *call, items []T) (out []T, next string, e *apiError) {
	start := 0
	if m := c.form.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", errf(http.StatusBadRequest, "InvalidInput", "Invalid Marker")
		}
		start = n
	}
	max := 100
	if s := c.form.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, "", errf(http.StatusBadRequest, "ValidationError", "MaxItems must be between 1 and 1000")
		}
		max = n
	}
	end := min(start+max, len(items))
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// pageTail writes IsTruncated and Marker.
func pageTail(x *xmlw, next string) {
	x.bool("IsTruncated", next != "")
	x.opt("Marker", next)
}
