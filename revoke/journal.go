package revoke

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Entry kinds in a journal.
const (
	KindIntent  = "intent"  // an action about to be called
	KindOutcome = "outcome" // what became of it
	KindRecord  = "record"  // a fact found by a step: owner, investigation, rotation
)

// Entry is one line of a journal.
type Entry struct {
	Seq    int             `json:"seq"`
	Time   time.Time       `json:"time"`
	Kind   string          `json:"kind"`
	Action *Action         `json:"action,omitempty"` // intent, outcome
	State  State           `json:"state,omitempty"`  // outcome
	Detail string          `json:"detail,omitempty"` // outcome
	Error  string          `json:"error,omitempty"`  // outcome of a failed call
	Record string          `json:"record,omitempty"` // record: "owner", "investigation", "rotation", "note"
	Data   json.RawMessage `json:"data,omitempty"`   // record payload
}

// Journal is the append-only record of one incident: JSON lines, each
// written with one write and fsynced, in a file of mode 0600. It never holds
// a secret. Safe for concurrent use.
type Journal struct {
	mu      sync.Mutex
	f       *os.File
	path    string
	entries []Entry
	now     func() time.Time
	torn    bool
	seq     int
}

// validIncident reports whether name is 1–128 of [A-Za-z0-9._-]: safe as a
// file name. (A plain loop: the regexp with {1,128} compiled 128 copies of
// its class at start-up, 0.7 ms of every keysweep process, hooks included.)
func validIncident(name string) bool {
	if len(name) == 0 || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// JournalPath returns the journal file of incident in dir.
func JournalPath(dir, incident string) string { return filepath.Join(dir, incident+".jsonl") }

// OpenJournal opens (creating dir 0700 and the file 0600 when missing) the
// journal of incident in dir and reads what earlier runs wrote. A last line
// torn by a crash mid-write is skipped (Torn reports it); any other line
// that does not parse is an error, and the file is left as it is.
func OpenJournal(dir, incident string, now func() time.Time) (*Journal, error) {
	if !validIncident(incident) {
		return nil, fmt.Errorf("open journal: bad incident name %q", incident)
	}
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	path := JournalPath(dir, incident)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		syncDir(dir) // the new file's name must survive a crash too
	}
	j := &Journal{f: f, path: path, now: now}
	if err := j.load(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// ReadJournal reads the journal at path without opening it for writing.
func ReadJournal(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	es, _, err := parseJournal(path, b)
	return es, err
}

func (j *Journal) load() error {
	b, err := os.ReadFile(j.path)
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	es, torn, err := parseJournal(j.path, b)
	if err != nil {
		return err
	}
	j.entries = es
	for _, e := range es {
		j.seq = max(j.seq, e.Seq)
	}
	if torn > 0 {
		// Close the torn line and say so, so later reads accept it.
		j.torn = true
		if _, err := j.f.Write([]byte("\n")); err != nil {
			return fmt.Errorf("repair journal: %w", err)
		}
		return j.record("torn", tornLine{Line: torn})
	}
	return nil
}

type tornLine struct {
	Line int `json:"line"`
}

// parseJournal parses the lines of a journal. A line that does not parse is
// accepted (and skipped) only when it is the last one, unterminated, or when a
// later "torn" record names it; the line number of an unrepaired torn last
// line is returned.
func parseJournal(path string, b []byte) ([]Entry, int, error) {
	lines := bytes.Split(b, []byte{'\n'})
	var es []Entry
	bad := map[int]error{}
	repaired := map[int]bool{}
	torn := 0
	for i, l := range lines {
		n := i + 1
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(l, &e); err != nil {
			if i == len(lines)-1 { // unterminated last line: a write cut short
				torn = n
				continue
			}
			bad[n] = err
			continue
		}
		if e.Kind == KindRecord && e.Record == "torn" {
			var t tornLine
			if json.Unmarshal(e.Data, &t) == nil {
				repaired[t.Line] = true
			}
		}
		es = append(es, e)
	}
	for n, err := range bad {
		if !repaired[n] {
			return nil, 0, fmt.Errorf("read journal %s: line %d is corrupt: %w", path, n, err)
		}
	}
	return es, torn, nil
}

// Path returns the journal's file path.
func (j *Journal) Path() string { return j.path }

// Torn reports whether opening found (and closed) a line torn by a crash.
func (j *Journal) Torn() bool { return j.torn }

// Entries returns a copy of every entry, oldest first.
func (j *Journal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Entry(nil), j.entries...)
}

// Close closes the file.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	return j.f.Close()
}

// peekJournal returns a read-only view of the journal of incident in dir
// (empty when there is none); writes to it are dropped. Dry runs use it so
// they plan from what earlier runs did and change nothing, on disk included.
func peekJournal(dir, incident string) (*Journal, error) {
	j := &Journal{path: JournalPath(dir, incident), now: time.Now}
	if dir == "" {
		return j, nil
	}
	b, err := os.ReadFile(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	if j.entries, _, err = parseJournal(j.path, b); err != nil {
		return nil, err
	}
	return j, nil
}

func (j *Journal) intent(a Action) error {
	return j.append(Entry{Kind: KindIntent, Action: &a})
}

func (j *Journal) outcome(o Outcome, callErr error) error {
	e := Entry{Kind: KindOutcome, Action: &o.Action, State: o.State, Detail: o.Detail}
	if callErr != nil {
		e.Error = callErr.Error()
	}
	return j.append(e)
}

// record appends a fact found by a step (owner, investigation, rotation).
func (j *Journal) record(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal %s: %w", name, err)
	}
	return j.append(Entry{Kind: KindRecord, Record: name, Data: b})
}

func (j *Journal) append(e Entry) error {
	if j.f == nil {
		return nil // read-only view
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	e.Time = j.now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	j.entries = append(j.entries, e)
	return nil
}

// last returns the latest intent and outcome entries of action id (nil when none).
// An intent later than the outcome means a call whose result is unknown.
func (j *Journal) last(id string) (intent, outcome *Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := range j.entries {
		e := &j.entries[i]
		if e.Action == nil || e.Action.ID != id {
			continue
		}
		switch e.Kind {
		case KindIntent:
			intent = e
		case KindOutcome:
			outcome = e
		}
	}
	return intent, outcome
}

// pending reports whether action id was started and has no outcome after
// its last intent: the run that made the call died before it knew the result.
func (j *Journal) pending(id string) (*Entry, bool) {
	in, out := j.last(id)
	if in == nil {
		return nil, false
	}
	if out == nil || out.Seq < in.Seq {
		return in, true
	}
	return in, false
}

// latestRecord decodes the data of the latest record called name into v.
func (j *Journal) latestRecord(name string, v any) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(j.entries) - 1; i >= 0; i-- {
		e := j.entries[i]
		if e.Kind == KindRecord && e.Record == name {
			if err := json.Unmarshal(e.Data, v); err != nil {
				return false, fmt.Errorf("journal record %s: %w", name, err)
			}
			return true, nil
		}
	}
	return false, nil
}

// syncDir fsyncs a directory, best effort (not every system allows it).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
