// Package gendocs writes what a release ships beside the programs, made
// from the cobra command tree itself so that none of it can drift from
// --help: a manual page per command, and the shells' completion scripts.
//
// Write(root, dir, opt) makes
//
//	dir/man/man1/vmfa.1, vmfa-aws.1, vmfa-aws-exec.1, …    (troff, one per command)
//	dir/completions/bash/vmfa                              (bash-completion's file name)
//	dir/completions/zsh/_vmfa                              (zsh's #compdef file name)
//	dir/completions/fish/vmfa.fish
//
// named after root's command name. Each page has NAME, SYNOPSIS,
// DESCRIPTION (the command's long help), OPTIONS, EXAMPLE and SEE ALSO; the
// root page also has the sections of opt.RootSections (markdown, "# FILES"
// and so on), placed before SEE ALSO. Hidden commands and flags have no
// page and no mention.
//
// The output is reproducible: the pages' date is opt.Date (a release passes
// the commit's, as SOURCE_DATE_EPOCH) and nothing else in it depends on the
// machine, the time or the environment.
package gendocs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// Options are what the pages say beyond the command tree.
type Options struct {
	Source       string    // the footer's source, "vmfa v1.2.0"
	Manual       string    // the header's manual, "vmfa manual"
	Date         time.Time // the pages' date
	RootSections string    // markdown sections ("# FILES\n…") of the root's page
}

// Write writes root's manual pages and completion scripts under dir.
func Write(root *cobra.Command, dir string, opt Options) error {
	if err := Man(root, filepath.Join(dir, "man", "man1"), opt); err != nil {
		return err
	}
	return Completions(root, filepath.Join(dir, "completions"))
}

// Man writes one page per command of root's tree in dir.
func Man(root *cobra.Command, dir string, opt Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// What Execute adds to the tree before it runs a command: the
	// completion command and the root's --version.
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	// The auto-generated tag dates the page with today: not reproducible.
	root.DisableAutoGenTag = true
	date := opt.Date.UTC()
	header := &doc.GenManHeader{Section: "1", Date: &date, Source: opt.Source, Manual: opt.Manual}
	if err := doc.GenManTreeFromOpts(root, doc.GenManTreeOptions{Header: header, Path: dir, CommandSeparator: "-"}); err != nil {
		return err
	}
	if opt.RootSections == "" {
		return nil
	}
	page := filepath.Join(dir, root.Name()+".1")
	b, err := os.ReadFile(page)
	if err != nil {
		return err
	}
	b, err = withSections(b, opt.RootSections)
	if err != nil {
		return err
	}
	return os.WriteFile(page, b, 0o644)
}

// withSections returns the troff page with the markdown sections rendered
// and put before its SEE ALSO, else at its end.
func withSections(page []byte, markdown string) ([]byte, error) {
	if !strings.HasPrefix(markdown, "# ") {
		return nil, fmt.Errorf("the root page's sections must start with a heading (# NAME), not %.20q", markdown)
	}
	// Render makes a whole page, its first heading the title (.TH), and
	// starts it with .nh (perhaps a table preprocessor line): give it a
	// title to use, and keep the sections only.
	roff := md2man.Render([]byte("# title\n" + markdown))
	start := bytes.Index(roff, []byte(".SH "))
	if start < 0 {
		return nil, fmt.Errorf("the root page's sections rendered to no section")
	}
	roff = roff[start:]
	at := bytes.Index(page, []byte("\n.SH SEE ALSO"))
	if at < 0 {
		return append(append(page, '\n'), roff...), nil
	}
	var b bytes.Buffer
	b.Write(page[:at+1])
	b.Write(roff)
	if !bytes.HasSuffix(roff, []byte("\n")) {
		b.WriteByte('\n')
	}
	b.Write(page[at+1:])
	return b.Bytes(), nil
}

// Completions writes root's completion scripts for bash, zsh and fish in
// dir, under the names the shells look for.
func Completions(root *cobra.Command, dir string) error {
	name := root.Name()
	scripts := []struct {
		shell, file string
		gen         func(*bytes.Buffer) error
	}{
		{"bash", name, func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) }},
		{"zsh", "_" + name, func(b *bytes.Buffer) error { return root.GenZshCompletion(b) }},
		{"fish", name + ".fish", func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) }},
	}
	for _, s := range scripts {
		var b bytes.Buffer
		if err := s.gen(&b); err != nil {
			return fmt.Errorf("%s completion: %v", s.shell, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, s.shell), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, s.shell, s.file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
