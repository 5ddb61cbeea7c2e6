// Package doclinks checks the links between vmfa's documentation pages, so
// that README.md and docs/*.md, which point at one another's sections, do
// not rot as they are edited.
//
// Check reads README.md and every docs/*.md under a root directory and
// returns one Problem for each relative link whose target is missing: a
// file or directory that does not exist or lies outside the root (where a
// copy of the tree, such as the one a release installs, has nothing), or
// a #fragment that names no heading of the markdown file it points into. Links are [text](target)
// and ![alt](target), outside code (fenced blocks, indented blocks after a
// blank line, and `code spans`). Links with a scheme (https:, mailto:) are
// not followed: they are not the repository's to keep. Anchors are made
// from headings as GitHub makes them: lower case, every character but
// letters, digits, spaces, hyphens and underscores dropped, spaces turned
// to hyphens, and -1, -2… added to a repeated one.
package doclinks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Problem is a link whose target is missing.
type Problem struct {
	File   string // the page holding the link, relative to the root
	Line   int    // 1-based
	Target string // as written
	Why    string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Target, p.Why)
}

// Pages lists the documentation pages under root: README.md and docs/*.md.
func Pages(root string) ([]string, error) {
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	return append([]string{filepath.Join(root, "README.md")}, pages...), nil
}

// Check checks the links of every page under root (Pages).
func Check(root string) ([]Problem, error) {
	pages, err := Pages(root)
	if err != nil {
		return nil, err
	}
	anchors := map[string][]string{} // markdown file → its anchors, as read
	var problems []Problem
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			return nil, err
		}
		doc := parse(string(text))
		anchors[page] = doc.anchors
		rel, _ := filepath.Rel(root, page)
		for _, l := range doc.links {
			if why := check(root, page, l.target, anchors); why != "" {
				problems = append(problems, Problem{File: filepath.ToSlash(rel), Line: l.line, Target: l.target, Why: why})
			}
		}
	}
	return problems, nil
}

var scheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// check says what is wrong with target, a link on page under root, or "".
func check(root, page, target string, anchors map[string][]string) string {
	if scheme.MatchString(target) {
		return ""
	}
	path, fragment, _ := strings.Cut(target, "#")
	file := page
	if path != "" {
		if filepath.IsAbs(path) {
			return "an absolute path, which no reader of the repository has"
		}
		file = filepath.Join(filepath.Dir(page), filepath.FromSlash(path))
		if rel, err := filepath.Rel(root, file); err != nil || !filepath.IsLocal(rel) && rel != "." {
			return "outside the tree checked"
		}
		if _, err := os.Stat(file); err != nil {
			return "no such file or directory"
		}
	}
	if fragment == "" {
		return ""
	}
	if filepath.Ext(file) != ".md" {
		return "a #fragment of a file that is not markdown"
	}
	list, ok := anchors[file]
	if !ok {
		text, err := os.ReadFile(file)
		if err != nil {
			return err.Error()
		}
		list = parse(string(text)).anchors
		anchors[file] = list
	}
	if !slices.Contains(list, fragment) {
		return "no heading makes the anchor #" + fragment
	}
	return ""
}

type link struct {
	line   int
	target string
}

type document struct {
	links   []link
	anchors []string
}

var (
	linkRE  = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	codeRE  = regexp.MustCompile("`+[^`]*`+")
	heading = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	fence   = regexp.MustCompile("^ {0,3}(```|~~~)")
)

// parse finds the links and the heading anchors of a markdown text.
func parse(text string) document {
	var d document
	seen := map[string]int{}
	var inFence string
	blank := true // the line before was blank (or there was none)
	inIndented := false
	for i, line := range strings.Split(text, "\n") {
		if m := fence.FindStringSubmatch(line); m != nil {
			switch {
			case inFence == "":
				inFence = m[1]
			case m[1] == inFence:
				inFence = ""
			}
			blank = false
			continue
		}
		if inFence != "" {
			continue
		}
		isBlank := strings.TrimSpace(line) == ""
		indented := strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		inIndented = !isBlank && indented && (blank || inIndented) || isBlank && inIndented
		if inIndented || isBlank {
			blank = isBlank
			continue
		}
		blank = false
		if m := heading.FindStringSubmatch(line); m != nil {
			a := Anchor(m[2])
			if n := seen[a]; n > 0 {
				seen[a]++
				a = fmt.Sprintf("%s-%d", a, n)
			} else {
				seen[a] = 1
			}
			d.anchors = append(d.anchors, a)
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeRE.ReplaceAllString(line, ""), -1) {
			d.links = append(d.links, link{line: i + 1, target: m[1]})
		}
	}
	return d
}

var linkText = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// Anchor is the anchor GitHub makes of a heading's text (the first one of
// that text on a page).
func Anchor(heading string) string {
	heading = linkText.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
