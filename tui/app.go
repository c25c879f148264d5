// Package tui is keysweep's triage app: a bubbletea program over findings,
// their verdicts and the response playbook. A root model (App) routes to
// one model per screen (scan progress, list, detail, confirm, investigate).
// The app reaches AWS, git and the file system only through the small
// interfaces of iface.go, always from tea.Cmd closures that capture plain
// values, so Update never blocks and never races a running command.
package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/keysweep/keysweep/scanner"
)

// Scan is a scan the app runs before showing the list.
type Scan struct {
	// Run scans and returns the result; it must return promptly, with
	// what it found so far and Interrupted set, when ctx is cancelled.
	Run func(ctx context.Context) (scanner.Result, error)
	// Progress returns the units and bytes scanned and the credentials
	// found so far. It is called from a tea.Cmd while Run is running and
	// must be safe for concurrent use.
	Progress func() (units, bytes, found int64)
}

// Config is what the app works on and with. Exactly one of Result and
// Scan is set. Nil interfaces disable what they provide (actions then
// report ErrUnavailable in place).
type Config struct {
	Target   string
	Result   *scanner.Result
	Scan     *Scan
	Verifier Verifier
	// Reverifier answers explicit verifications and the checks after an
	// action (a contained key must now fail): it must not answer from a
	// cache. Default: Verifier.
	Reverifier Verifier
	Responder  Responder
	Allower    Allower
	Snippets   Snippets
	// AutoVerify verifies unverified findings in the background as soon
	// as the list shows. VerifyConcurrency bounds the calls in flight
	// (default 4).
	AutoVerify        bool
	VerifyConcurrency int
	// Renderer decides colours (NO_COLOR, terminal profile); default:
	// lipgloss's default renderer.
	Renderer *lipgloss.Renderer
	// Now returns the current time (tests fix it); default time.Now.
	Now func() time.Time
	// ExportDir is where incident reports are written by default.
	ExportDir string
	// ActionTimeout bounds each action (default 2 minutes).
	ActionTimeout time.Duration
}

func (c Config) reverifier() Verifier {
	if c.Reverifier != nil {
		return c.Reverifier
	}
	return c.Verifier
}

type screen int

const (
	scanScreen screen = iota
	listScreen
	detailScreen
	confirmScreen
	investigateScreen
)

// App is the root model. Create it with New and run it with tea.NewProgram
// (or Run). It is not safe for concurrent use: only the bubbletea event
// loop calls its methods.
type App struct {
	cfg    Config
	ctx    context.Context
	stop   context.CancelFunc
	keys   keyMap
	st     styles
	help   help.Model
	width  int
	height int

	screen  screen
	target  string
	res     scanner.Result
	scanErr error
	rows    []*row
	byFP    map[string]*row

	scan    *scanModel
	list    *listModel
	detail  *detailModel
	confirm *confirmModel
	inv     *investigateModel

	queue    []string // fingerprints waiting for background verification
	inflight int
	task     *task
	taskSeq  int
	outcomes map[string]outcome // last action outcome per fingerprint
	quitting bool
}

// New returns the app over cfg. ctx bounds every call the app makes;
// quitting the app cancels it too.
func New(ctx context.Context, cfg Config) *App {
	if cfg.Renderer == nil {
		cfg.Renderer = lipgloss.DefaultRenderer()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.VerifyConcurrency <= 0 {
		cfg.VerifyConcurrency = 4
	}
	if cfg.ActionTimeout <= 0 {
		cfg.ActionTimeout = 2 * time.Minute
	}
	if cfg.ExportDir == "" {
		cfg.ExportDir = "."
	}
	a := &App{
		cfg:      cfg,
		keys:     newKeyMap(),
		st:       newStyles(cfg.Renderer),
		width:    80,
		height:   24,
		target:   cfg.Target,
		byFP:     map[string]*row{},
		outcomes: map[string]outcome{},
	}
	a.ctx, a.stop = context.WithCancel(ctx)
	a.help = help.New()
	a.help.Styles.ShortKey = a.st.Bold
	a.help.Styles.FullKey = a.st.Bold
	a.help.Styles.ShortDesc = a.st.Subtle
	a.help.Styles.FullDesc = a.st.Subtle
	a.help.Styles.ShortSeparator = a.st.Subtle
	a.help.Styles.FullSeparator = a.st.Subtle
	a.help.Styles.Ellipsis = a.st.Subtle
	a.list = newListModel(a)
	if cfg.Scan != nil {
		a.screen = scanScreen
		a.scan = newScanModel(a)
	} else {
		var res scanner.Result
		if cfg.Result != nil {
			res = *cfg.Result
		}
		a.load(res)
	}
	return a
}

// Run runs the app as a full-screen program on the terminal given by
// opts and returns when the responder quits or ctx is cancelled.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) error {
	a := New(ctx, cfg)
	opts = append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}, opts...)
	_, err := tea.NewProgram(a, opts...).Run()
	a.stop()
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Init starts the scan or the background verification.
func (a *App) Init() tea.Cmd {
	if a.screen == scanScreen {
		return a.scan.init(a)
	}
	return a.pumpVerify()
}

// load turns a result into rows and shows the list.
func (a *App) load(res scanner.Result) {
	a.res = res
	if res.Target != "" && a.target == "" {
		a.target = res.Target
	}
	a.rows = a.rows[:0]
	for i := range res.Findings {
		r := &row{f: res.Findings[i], snippets: map[int]snippetState{}}
		scanner.SortLocations(r.f.Locations)
		if r.f.Verification.Verdict == "" {
			r.f.Verification.Verdict = scanner.Unverified
		}
		a.rows = append(a.rows, r)
		a.byFP[r.f.Fingerprint] = r
		if a.cfg.AutoVerify && a.needsVerify(r) {
			a.queue = append(a.queue, r.f.Fingerprint)
			r.verifying = true
		}
	}
	a.screen = listScreen
	a.list.refresh(a)
}

// needsVerify reports whether background verification should ask about r.
func (a *App) needsVerify(r *row) bool {
	v := r.f.Verification.Verdict
	return a.cfg.Verifier != nil && r.f.Secret != "" && !r.f.Example && !r.f.Canary &&
		(v == scanner.Unverified || v == "")
}

// Result returns the findings as the app now knows them (verdicts
// included), in the list's default order.
func (a *App) Result() scanner.Result {
	res := a.res
	res.Findings = make([]scanner.Finding, 0, len(a.rows))
	for _, r := range a.rows {
		res.Findings = append(res.Findings, r.f)
	}
	scanner.SortFindings(res.Findings)
	return res
}

func (a *App) quit() tea.Cmd {
	a.quitting = true
	if a.task != nil {
		a.task.cancel()
	}
	a.stop()
	return tea.Quit
}
