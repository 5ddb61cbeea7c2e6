package tui

import "github.com/charmbracelet/bubbles/key"

// Each screen's keys are key.Binding structs, which also feed its help line.

// quitKey is handled by the root on every screen: ctrl+c always quits (and
// clears a copied code from the clipboard). No printable key quits, so
// nothing typed into a filter or a field can.
var quitKey = bind([]string{"ctrl+c"}, "ctrl+c", "quit")

// listKeys are the list's bindings. Every printable key goes to the filter,
// so actions are on keys that cannot be part of a query.
type listKeys struct {
	Copy, Actions, Next, Enroll, Add      key.Binding
	MoveUp, MoveDown                      key.Binding
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Clear, Help, Quit                     key.Binding
}

// listKeyMap is the list's keymap: the same for every list.
var listKeyMap = listKeys{
	Copy:     bind([]string{"enter"}, "enter", "copy code"),
	Actions:  bind([]string{"tab"}, "tab", "actions"),
	Next:     bind([]string{"ctrl+n"}, "ctrl+n", "copy next code"),
	Enroll:   bind([]string{"ctrl+e"}, "ctrl+e", "enroll (2 codes)"),
	Add:      bind([]string{"ctrl+a"}, "ctrl+a", "add account"),
	MoveUp:   bind([]string{"shift+up"}, "shift+↑", "move account up"),
	MoveDown: bind([]string{"shift+down"}, "shift+↓", "move account down"),
	Up:       bind([]string{"up"}, "↑", "up"),
	Down:     bind([]string{"down"}, "↓", "down"),
	PageUp:   bind([]string{"pgup"}, "pgup", "page up"),
	PageDown: bind([]string{"pgdown"}, "pgdn", "page down"),
	Home:     bind([]string{"home"}, "home", "first"),
	End:      bind([]string{"end"}, "end", "last"),
	Clear:    bind([]string{"esc"}, "esc", "clear filter"),
	Help:     bind([]string{"f1"}, "f1", "all keys"),
	Quit:     quitKey,
}

// listHelp is the list's help line: with a query typed, Esc comes first.
type listHelp struct {
	filtering bool
}

func (h listHelp) ShortHelp() []key.Binding {
	k := &listKeyMap
	if h.filtering {
		return []key.Binding{k.Copy, k.Clear, k.Actions, k.Add, k.Help, k.Quit}
	}
	return []key.Binding{k.Copy, k.Actions, k.Add, k.Help, k.Quit}
}

func (h listHelp) FullHelp() [][]key.Binding {
	k := &listKeyMap
	return [][]key.Binding{
		{k.Copy, k.Next, k.Enroll, k.Actions, k.Add},
		{k.MoveUp, k.MoveDown, k.Clear, k.Help, k.Quit},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
	}
}

// actionsKeys move through the actions menu; each action also has a letter.
type actionsKeys struct {
	Up, Down, Do, Back, Quit key.Binding
}

func newActionsKeys() actionsKeys {
	return actionsKeys{
		Up:   bind([]string{"up", "shift+tab"}, "↑", "up"),
		Down: bind([]string{"down", "tab"}, "↓", "down"),
		Do:   bind([]string{"enter"}, "enter", "do"),
		Back: bind([]string{"esc"}, "esc", "back"),
		Quit: quitKey,
	}
}

func (k actionsKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Do, bind(nil, "letter", "do that"), k.Up, k.Down, k.Back, k.Quit}
}
func (k actionsKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

type enrollKeys struct {
	Copy1, Copy2, Back, Help, Quit key.Binding
}

func newEnrollKeys() enrollKeys {
	return enrollKeys{
		Copy1: bind([]string{"1"}, "1", "copy code 1"),
		Copy2: bind([]string{"2"}, "2", "copy code 2"),
		Back:  bind([]string{"esc", "backspace"}, "esc", "back"),
		Help:  bind([]string{"?"}, "?", "help"),
		Quit:  quitKey,
	}
}

func (k enrollKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Copy1, k.Copy2, k.Back, k.Help, k.Quit}
}
func (k enrollKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Copy1, k.Copy2}, {k.Back, k.Help, k.Quit}}
}
