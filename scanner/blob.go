package scanner

import (
	"fmt"
	"sort"
)

// ScanBlob runs the full pipeline on one file or blob: the plain bytes,
// then the decoded views that a fast check says may hide a key (base64
// including Kubernetes Secret values, URL-encoding, JSON/JS escapes,
// UTF-16 LE/BE), then archives recognised by their magic bytes (zip/jar,
// tar, gzip), nested up to Options.MaxDepth and Options.MaxArchiveSize.
//
// Matches from a decoded view carry the decoding chain in Encoding and the
// line and column of the encoded text in data; matches inside an archive
// carry the member path in Member and a line and column in that member.
// path names the unit in errors only. The error is non-nil for a problem
// confined to this unit (corrupt archive, size limit hit, likely zip bomb);
// the matches found before it are returned with it. Safe for concurrent use.
func (d *Detector) ScanBlob(path string, data []byte) ([]Match, error) {
	st := &budget{left: d.opts.MaxArchiveSize}
	ms, err := d.scanUnit(data, 0, st)
	if err != nil {
		return ms, fmt.Errorf("scan %s: %w", path, err)
	}
	return ms, nil
}

// budget is the decompressed bytes one unit may still produce.
type budget struct{ left int64 }

// scanUnit scans one unit: an archive's members or a text buffer.
func (d *Detector) scanUnit(data []byte, depth int, st *budget) ([]Match, error) {
	if depth < d.opts.MaxDepth {
		if k := archiveKind(data); k != "" {
			return d.scanArchive(k, data, depth, st)
		}
	}
	return d.scanText(data, depth), nil
}

// decoder builds the decoded views of a buffer worth scanning; each checks
// cheaply first whether its encoding can hide a key there and returns nil
// if not. found says whether a key ID was already seen in the buffer.
type decoder struct {
	name  string
	build func(d *Detector, data []byte, found bool) []*view
}

// decoders lists the views ScanBlob tries, in order. URL and JSON escapes
// never hide a key ID's own characters (base32 needs no escaping), only
// the secret's + and /, so those views are built only when a key ID is
// already in sight.
func decoders() []decoder {
	return []decoder{
		{"utf16", (*Detector).utf16Views},
		{"base64", (*Detector).base64Views},
		{"url", func(d *Detector, b []byte, found bool) []*view {
			if !found || !urlGate(b) {
				return nil
			}
			return one(d.urlView(b))
		}},
		{"json", func(d *Detector, b []byte, found bool) []*view {
			if !found || !jsonGate(b) {
				return nil
			}
			return one(d.jsonView(b))
		}},
	}
}

func one(v *view, ok bool) []*view {
	if ok {
		return []*view{v}
	}
	return nil
}

// scanText finds keys in data and in its decoded views, recursively.
func (d *Detector) scanText(data []byte, depth int) []Match {
	ms := d.Find(data)
	if depth >= d.opts.MaxDepth {
		return ms
	}
	for _, dec := range decoders() {
		for _, v := range dec.build(d, data, len(ms) > 0) {
			sub := d.scanText(v.data, depth+1)
			ms = mergeView(data, ms, v, sub, dec.name)
		}
	}
	return ms
}

// mergeView maps the matches found in view v back onto data and merges
// them with those already found there: a match at an offset already
// reported replaces it only when it brings a secret the first lacked.
func mergeView(data []byte, ms []Match, v *view, sub []Match, name string) []Match {
	if len(sub) == 0 {
		return ms
	}
	at := make(map[int]int, len(ms))
	for i, m := range ms {
		at[m.Start] = i
	}
	added := false
	for _, m := range sub {
		s, e := v.orig(m.Start), v.orig(m.End-1)+1
		if lineAllowed(data, s) {
			continue
		}
		m.Start, m.End = s, max(e, s+1)
		m.Encoding = chain(name, m.Encoding)
		m.Line = 0
		if i, ok := at[s]; ok {
			if ms[i].Secret == "" && m.Secret != "" {
				m.Line, m.Column = ms[i].Line, ms[i].Column
				ms[i] = m
			}
			continue
		}
		at[s] = len(ms)
		ms = append(ms, m)
		added = true
	}
	if added {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Start < ms[j].Start })
		var lc lineCounter
		for i := range ms {
			if ms[i].Line == 0 {
				ms[i].Line, ms[i].Column = lc.at(data, ms[i].Start)
			}
		}
	}
	return ms
}

func chain(outer, inner string) string {
	if inner == "" {
		return outer
	}
	return outer + ">" + inner
}
