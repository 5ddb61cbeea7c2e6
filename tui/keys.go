package tui

import "github.com/charmbracelet/bubbles/key"

func bind(keys []string, k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
}

// listKeys are the list screen's bindings. Any other printable key starts
// the filter with itself.
type listKeys struct {
	Up, Down, PageUp, PageDown, Home, End    key.Binding
	Copy, CopyNext, Enroll, Filter, Clear    key.Binding
	Add, Rename, Delete, Pin, MoveUp, MoveDn key.Binding
	ShowQR, Help, Quit                       key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		Up:       bind([]string{"up", "k"}, "↑/k", "up"),
		Down:     bind([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   bind([]string{"pgup"}, "pgup", "page up"),
		PageDown: bind([]string{"pgdown"}, "pgdn", "page down"),
		Home:     bind([]string{"home"}, "home", "first"),
		End:      bind([]string{"end"}, "end", "last"),
		Copy:     bind([]string{"enter", "c"}, "enter/c", "copy"),
		CopyNext: bind([]string{"n"}, "n", "copy next"),
		Enroll:   bind([]string{"e"}, "e", "enroll (2 codes)"),
		Filter:   bind([]string{"/"}, "/", "filter"),
		Clear:    bind([]string{"esc"}, "esc", "clear filter"),
		Add:      bind([]string{"a"}, "a", "add"),
		Rename:   bind([]string{"r"}, "r", "rename"),
		Delete:   bind([]string{"d"}, "d", "delete"),
		Pin:      bind([]string{"f"}, "f", "pin/unpin"),
		MoveUp:   bind([]string{"K", "shift+up"}, "K", "move up"),
		MoveDn:   bind([]string{"J", "shift+down"}, "J", "move down"),
		ShowQR:   bind([]string{"Q"}, "Q", "show as QR"),
		Help:     bind([]string{"?"}, "?", "help"),
		Quit:     bind([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

func (k listKeys) ShortHelp() []key.Binding {
	// ? and q first: the help cuts what does not fit at the end.
	return []key.Binding{k.Help, k.Quit, k.Copy, k.CopyNext, k.Filter, k.Add, k.Enroll}
}

func (k listKeys) FullHelp() [][]key.Binding {
	// Navigation last: narrow terminals cut the columns that do not fit,
	// and the arrows are the keys users guess.
	return [][]key.Binding{
		{k.Copy, k.CopyNext, k.Enroll, k.Filter, k.Clear},
		{k.Add, k.Rename, k.Delete, k.Pin, k.MoveUp, k.MoveDn},
		{k.ShowQR, k.Help, k.Quit},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
	}
}

// filterKeys apply while the filter has the focus: letters are typed.
type filterKeys struct {
	Up, Down, Accept, Clear, Quit key.Binding
}

func newFilterKeys() filterKeys {
	return filterKeys{
		Up:     bind([]string{"up", "ctrl+p", "pgup"}, "↑", "up"),
		Down:   bind([]string{"down", "ctrl+n", "pgdown"}, "↓", "down"),
		Accept: bind([]string{"enter"}, "enter", "copy selected"),
		Clear:  bind([]string{"esc"}, "esc", "clear filter"),
		Quit:   bind([]string{"ctrl+c"}, "ctrl+c", "quit"),
	}
}

func (k filterKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Accept, k.Clear, k.Quit}
}
func (k filterKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

type enrollKeys struct {
	Copy1, Copy2, Back, Help, Quit key.Binding
}

func newEnrollKeys() enrollKeys {
	return enrollKeys{
		Copy1: bind([]string{"1"}, "1", "copy code 1"),
		Copy2: bind([]string{"2"}, "2", "copy code 2"),
		Back:  bind([]string{"esc", "backspace"}, "esc", "back"),
		Help:  bind([]string{"?"}, "?", "help"),
		Quit:  bind([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

func (k enrollKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Copy1, k.Copy2, k.Back, k.Help, k.Quit}
}
func (k enrollKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Copy1, k.Copy2}, {k.Back, k.Help, k.Quit}}
}

// simpleKeys is the help of the screens whose keys are few and fixed: the
// unlock prompt, the add screen and the dialogs.
type simpleKeys []key.Binding

func (k simpleKeys) ShortHelp() []key.Binding  { return k }
func (k simpleKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k} }
