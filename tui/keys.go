package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every binding of the app; each screen shows the ones it
// handles through its own help.KeyMap view.
type keyMap struct {
	Up, Down, PgUp, PgDown, Top, Bottom key.Binding
	Open, Back, Quit, Help              key.Binding
	Filter, Sort, Hidden                key.Binding
	Reveal                              key.Binding
	Verify, Contain, Investigate        key.Binding
	Rotate, Delete, Allow, Export       key.Binding
	Confirm, Cancel, NextSink           key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PgUp:        key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PgDown:      key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn/space", "page down")),
		Top:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort")),
		Hidden:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "show hidden")),
		Reveal:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "reveal secret 10s")),
		Verify:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify")),
		Contain:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "contain")),
		Investigate: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "investigate")),
		Rotate:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rotate")),
		Delete:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete old key")),
		Allow:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "false positive")),
		Export:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export report")),
		Confirm:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		NextSink:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next sink")),
	}
}

// bindings adapts a short and a full list of bindings to help.KeyMap.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }

func (k keyMap) listHelp() bindings {
	return bindings{
		short: []key.Binding{k.Open, k.Filter, k.Sort, k.Hidden, k.Quit, k.Help},
		full: [][]key.Binding{
			{k.Up, k.Down, k.PgUp, k.PgDown, k.Top, k.Bottom},
			{k.Open, k.Filter, k.Sort, k.Hidden},
			{k.Back, k.Quit, k.Help},
		},
	}
}

func (k keyMap) detailHelp(running bool) bindings {
	if running {
		return bindings{short: []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), k.Quit}}
	}
	scroll := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))
	return bindings{
		short: []key.Binding{k.Reveal, scroll, k.Back, k.Quit, k.Help},
		full: [][]key.Binding{
			{k.Verify, k.Contain, k.Investigate, k.Rotate},
			{k.Delete, k.Allow, k.Export, k.Reveal},
			{k.Up, k.Down, k.PgUp, k.PgDown},
			{k.Back, k.Quit, k.Help},
		},
	}
}

// actions are the playbook's keys, always shown on the detail screen.
func (k keyMap) actions() []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	return []key.Binding{short(k.Verify, "verify"), short(k.Contain, "contain"), short(k.Investigate, "investigate"),
		short(k.Rotate, "rotate"), short(k.Delete, "delete"), short(k.Allow, "false pos."), short(k.Export, "export")}
}

func (k keyMap) confirmHelp(sinks bool) bindings {
	b := []key.Binding{k.Confirm, k.Cancel}
	if sinks {
		b = append(b, k.NextSink)
	}
	return bindings{short: b}
}

func (k keyMap) viewHelp() bindings {
	return bindings{short: []key.Binding{k.Up, k.Down, k.Back, k.Quit}}
}

func (k keyMap) scanHelp() bindings {
	return bindings{short: []key.Binding{
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop, triage what was found")), k.Quit}}
}
