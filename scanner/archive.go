package scanner

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// IsArchive reports whether head (the first 512 bytes of a file, or all of
// it when shorter) starts like an archive ScanBlob opens: zip, gzip or tar.
func IsArchive(head []byte) bool { return archiveKind(head) != "" }

// archiveKind recognises an archive by its magic bytes: "zip" (also jar,
// war, apk…), "gzip" or "tar"; "" for anything else.
func archiveKind(data []byte) string {
	switch {
	case len(data) >= 4 && string(data[:4]) == "PK\x03\x04":
		return "zip"
	case len(data) >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8:
		return "gzip"
	case len(data) >= 512 && string(data[257:262]) == "ustar":
		return "tar"
	}
	return ""
}

// scanArchive scans each member of an archive as a unit of its own. The
// matches carry the member path (nested members joined with "!") and the
// archive kinds in Encoding. Errors from members are joined; a member past
// the size limits stops the archive with ErrLimit.
func (d *Detector) scanArchive(kind string, data []byte, depth int, st *budget) ([]Match, error) {
	var ms []Match
	var errs []error
	add := func(member string, body []byte) {
		sub, err := d.scanUnit(body, depth+1, st)
		for _, m := range sub {
			m.Encoding = chain(kind, m.Encoding)
			switch {
			case m.Member == "":
				m.Member = member
			case member != "":
				m.Member = member + "!" + m.Member
			}
			ms = append(ms, m)
		}
		if err != nil {
			errs = append(errs, memberErr(member, err))
		}
	}
	var err error
	switch kind {
	case "zip":
		err = d.eachZip(data, st, add)
	case "gzip":
		err = d.eachGzip(data, st, add)
	case "tar":
		err = d.eachTar(data, st, add)
	}
	if err != nil {
		errs = append(errs, err)
	}
	return ms, errors.Join(errs...)
}

func memberErr(member string, err error) error {
	if member == "" {
		return err
	}
	return fmt.Errorf("%s: %w", member, err)
}

// readLimited reads r whole unless it yields more than the member limit or
// the unit's remaining budget, which is ErrLimit.
func (d *Detector) readLimited(r io.Reader, st *budget) ([]byte, error) {
	limit := min(d.opts.MaxMemberSize, st.left)
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	st.left -= int64(len(body))
	if int64(len(body)) > limit {
		return body[:limit], fmt.Errorf("decompress: %w (%d bytes)", ErrLimit, limit)
	}
	return body, err
}

func (d *Detector) eachZip(data []byte, st *budget, add func(string, []byte)) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("read zip: %w", err)
	}
	var errs []error
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if st.left <= 0 {
			return errors.Join(append(errs, fmt.Errorf("zip member %s: %w (unit budget spent)", f.Name, ErrLimit))...)
		}
		if f.UncompressedSize64 > uint64(d.opts.MaxMemberSize) {
			errs = append(errs, fmt.Errorf("zip member %s skipped: %w (declares %d bytes)", f.Name, ErrLimit, f.UncompressedSize64))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			errs = append(errs, fmt.Errorf("open zip member %s: %w", f.Name, err))
			continue
		}
		body, err := d.readLimited(rc, st)
		rc.Close()
		add(f.Name, body)
		if err != nil {
			errs = append(errs, fmt.Errorf("read zip member %s: %w", f.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (d *Detector) eachGzip(data []byte, st *budget, add func(string, []byte)) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("read gzip: %w", err)
	}
	defer zr.Close()
	body, err := d.readLimited(zr, st)
	add("", body)
	if err != nil {
		return fmt.Errorf("read gzip: %w", err)
	}
	return nil
}

func (d *Detector) eachTar(data []byte, st *budget, add func(string, []byte)) error {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		body, err := d.readLimited(tr, st)
		add(h.Name, body)
		if err != nil {
			return fmt.Errorf("tar member %s: %w", h.Name, err)
		}
	}
}
