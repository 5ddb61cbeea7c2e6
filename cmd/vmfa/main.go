// Command vmfa is vmfa's front end: the command users run. It answers
// 'vmfa code QUERY' itself when an unlocked agent holds the vault, and hands
// every other command line, unchanged, to vmfa-full, the program that does
// everything else and is installed beside it.
//
// It exists for speed: a Go program starts in time proportional to what it
// links, and vmfa-full links the vault's crypto, the QR decoder, the
// interface and the AWS SDK, which cost it about 30 ms before main. This
// program links the agent's protocol and little else, so a script's
// "$(vmfa code aws)" costs a few milliseconds, as oathtool does.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/vmfa/vmfa/internal/termhandoff"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/internal/version"
)

// fullName is the program that does everything but the fast path.
const fullName = "vmfa-full"

func main() {
	// --version: this program's build, then vmfa-full's (run below), as
	// the two are installed together and a mismatch is worth seeing.
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-v") {
		os.Stdout.WriteString(version.Get().Line("vmfa") + "\n")
	}
	if printed := codeFromAgent(os.Args[1:]); printed {
		os.Exit(0)
	}
	path, err := findFull()
	if err != nil {
		say(err.Error())
		os.Exit(1)
	}
	// vmfa-full asks the terminal nothing before its main (termhandoff).
	err = runFull(path, os.Args, termhandoff.Handoff(os.Environ()))
	say(fmt.Sprintf("can't run %s: %v", path, err))
	os.Exit(1)
}

// say prints a message on stderr with its terminal controls written out:
// paths, the system's errors and the agent's notes come from outside.
func say(msg string) {
	os.Stderr.WriteString("vmfa: " + termsafe.Escape(msg) + "\n")
}

// findFull returns the path of vmfa-full: beside this executable, else in
// $PATH. A vmfa-full that is this program (a link to it, a copy's hard
// link) is none: executing it would execute it again, for ever.
func findFull() (string, error) {
	name := fullName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	exe, err := os.Executable()
	var self os.FileInfo
	var candidates []string
	if err == nil {
		self, _ = os.Stat(exe)
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			candidates = append(candidates, filepath.Join(filepath.Dir(real), name))
		}
	}
	if path, err := lookPath(name); err == nil {
		candidates = append(candidates, path)
	}
	var mistaken string
	for _, path := range candidates {
		fi, err := os.Stat(path)
		switch {
		case err != nil:
		case self != nil && os.SameFile(fi, self):
			mistaken = path
		default:
			return path, nil
		}
	}
	if mistaken != "" {
		return "", fmt.Errorf("%s is this program, not %s; %s", mistaken, fullName, fullHint)
	}
	return "", fmt.Errorf("can't find %s beside %s or in $PATH; %s", fullName, exe, fullHint)
}

// fullHint says what vmfa-full does, and how to install it, from a clone
// (offline) or not.
const fullHint = fullName + " does every command but 'vmfa code' of a TOTP account while the agent is unlocked: " +
	"install both programs, from a clone with 'go install ./cmd/...', else with 'go install github.com/vmfa/vmfa/cmd/...@latest'"

// lookPath is exec.LookPath, without linking os/exec on Unix.
func lookPath(name string) (string, error) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue // the current directory is not a place to run programs from
		}
		path := filepath.Join(dir, name)
		// Windows has no execute bits: Go reports its files 0666 or 0444,
		// and the name's .exe is what makes a program.
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode()&0o111 != 0) {
			return path, nil
		}
	}
	return "", errors.New("not found")
}

// codeLine is a command line the front end answers itself.
type codeLine struct {
	dir                 string // --dir, "" for the default
	query               string
	fresh, next, asJSON bool
}

// parseCodeLine recognizes 'vmfa [--dir D] code [--fresh] [--next] [--json]
// QUERY', --dir anywhere in either of pflag's forms, code's flags anywhere
// after "code" (before it, vmfa-full refuses them). Anything
// else (another command, --at, --help, --identity, --no-agent, "--", a
// flag's "=false") is not for the front end: ok is false, and vmfa-full
// reads the line, so it alone says what is wrong with one.
func parseCodeLine(args []string) (l codeLine, ok bool) {
	var words []string
	for i := 0; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "--dir" && i+1 < len(args):
			i++
			l.dir = args[i]
		case strings.HasPrefix(arg, "--dir="):
			l.dir = strings.TrimPrefix(arg, "--dir=")
		// The code command's own flags count only after "code": before
		// it, the root's parser does not know them (unknown flag, exit 2).
		case arg == "--fresh" && len(words) > 0:
			l.fresh = true
		case arg == "--next" && len(words) > 0:
			l.next = true
		case arg == "--json" && len(words) > 0:
			l.asJSON = true
		case strings.HasPrefix(arg, "-"):
			return codeLine{}, false
		default:
			words = append(words, arg)
		}
	}
	// A query that is not UTF-8 would reach the agent changed (JSON
	// replaces the bad bytes with U+FFFD) and could match another account.
	if len(words) != 2 || words[0] != "code" || strings.TrimSpace(words[1]) == "" || !utf8.ValidString(words[1]) ||
		l.dir == "" && hasDirFlag(args) {
		return codeLine{}, false
	}
	l.query = words[1]
	return l, true
}

// hasDirFlag reports whether args set --dir, perhaps to "".
func hasDirFlag(args []string) bool {
	for _, a := range args {
		if a == "--dir" || strings.HasPrefix(a, "--dir=") {
			return true
		}
	}
	return false
}
