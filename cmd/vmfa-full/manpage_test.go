package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vmfa/vmfa/internal/gendocs"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/testenv"
)

// TestManPages: 'vmfa-full __docs DIR' (built -tags gendocs), as a release
// runs it, writes a page
// for every command a user can run and none other, vmfa(1) with the
// sections --help lacks, pages man renders without a warning, and the
// completion scripts 'vmfa completion SHELL' prints; twice the same bytes
// for the same SOURCE_DATE_EPOCH.
func TestManPages(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "man")
	home := t.TempDir()
	docsBin, err := testenv.BuildVmfaFullTagged(t.TempDir(), "gendocs")
	if err != nil {
		t.Fatal(err)
	}
	if r := runBin(t, fullBin(), home, "", nil, "__docs", t.TempDir()); r.code == 0 {
		t.Errorf("vmfa-full built without -tags gendocs has __docs: it links what only a release needs")
	}
	docs := func() string {
		out := t.TempDir()
		r := runBin(t, docsBin, home, "", []string{"SOURCE_DATE_EPOCH=1765000000"}, "__docs", out)
		expect(t, r, 0, "", "")
		return out
	}
	first, second := docs(), docs()
	if a, b := tree(t, first), tree(t, second); !maps.Equal(a, b) {
		t.Errorf("two runs wrote different files: not reproducible")
	}

	var want []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		want = append(want, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(sub)
			}
		}
	}
	root := newRoot(&passphrase.Env{})
	root.InitDefaultCompletionCmd() // as Execute does
	walk(root)
	man1 := filepath.Join(first, "man", "man1")
	entries, err := os.ReadDir(man1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("pages %v; want one per command: %v", got, want)
	}
	for _, must := range []string{"vmfa.1", "vmfa-code.1", "vmfa-aws-credentials.1", "vmfa-agent.1"} {
		if !slices.Contains(got, must) {
			t.Errorf("no %s", must)
		}
	}

	page, err := os.ReadFile(filepath.Join(man1, "vmfa.1"))
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, section := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES", "ENVIRONMENT", "EXIT STATUS", "SECURITY", "SEE ALSO"} {
		at := bytes.Index(page, []byte("\n.SH "+section+"\n"))
		if at < last {
			t.Errorf("vmfa.1: section %s missing or out of order", section)
		}
		last = at
	}
	if !bytes.Contains(page, []byte(`\fB--version\fP`)) {
		t.Errorf("vmfa.1 does not document --version")
	}
	if !bytes.Contains(page, []byte(`.TH "VMFA" "1" "Dec 2025" "vmfa `)) {
		t.Errorf("vmfa.1's title line is not dated by SOURCE_DATE_EPOCH: %.80q", page)
	}

	for shell, file := range map[string]string{"bash": "vmfa", "zsh": "_vmfa", "fish": "vmfa.fish"} {
		r := runBin(t, fullBin(), home, "", nil, "completion", shell)
		expect(t, r, 0, "", "")
		script, err := os.ReadFile(filepath.Join(first, "completions", shell, file))
		if err != nil || string(script) != r.stdout {
			t.Errorf("completions/%s/%s is not what 'vmfa completion %s' prints (%v)", shell, file, shell, err)
		}
	}

	// Every page renders cleanly, and says what --help says. man would run
	// nine programs a page, 370 in all: renderMans runs its pipeline once.
	texts, warnings := renderMans(t, man1, got)
	for _, name := range got {
		path := strings.ReplaceAll(strings.TrimSuffix(name, ".1"), "-", " ")
		cmd, _, err := root.Find(strings.Fields(path)[1:])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		says := []string{cmd.UseLine(), cmd.Short}
		var flags []string
		cmd.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				flags = append(flags, "--"+f.Name)
			}
		})
		t.Run(name, func(t *testing.T) {
			text := texts[name]
			if warnings[name] != "" {
				t.Errorf("man %s warns: %s", name, warnings[name])
			}
			for _, s := range says {
				if !strings.Contains(text, s) {
					t.Errorf("man %s does not say %q", name, s)
				}
			}
			for _, f := range flags {
				if !strings.Contains(text, f) {
					t.Errorf("man %s does not document %s", name, f)
				}
			}
		})
	}
}

// TestManEnvironment: every VMFA_ variable named in the code (but its
// tests) is in vmfa(1)'s ENVIRONMENT, so a new one can't go undocumented.
func TestManEnvironment(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "man")
	named := vmfaVariables(t, filepath.Join("..", ".."))
	for _, v := range []string{"VMFA_DIR", "VMFA_PASSPHRASE", "VMFA_AGENT"} {
		if !slices.Contains(named, v) {
			t.Fatalf("found %v in the code, not %s: the search is broken", named, v)
		}
	}
	dir := t.TempDir()
	if err := gendocs.Man(newRoot(&passphrase.Env{}), dir, gendocs.Options{RootSections: manSections}); err != nil {
		t.Fatal(err)
	}
	// Through man itself, once: renderMans, for the other pages, runs
	// man's pipeline without it.
	text, _ := renderMan(t, filepath.Join(dir, "vmfa.1"))
	_, env, ok := strings.Cut(text, "\nENVIRONMENT\n")
	env, _, _ = strings.Cut(env, "\nEXIT STATUS\n")
	if !ok {
		t.Fatalf("vmfa(1) has no ENVIRONMENT:\n%s", text)
	}
	documented := regexp.MustCompile(`(?m)^\s+(VMFA_[A-Z0-9_]+)\s*$`).FindAllStringSubmatch(env, -1)
	var have []string
	for _, m := range documented {
		have = append(have, m[1])
	}
	for _, v := range named {
		if !slices.Contains(have, v) {
			t.Errorf("%s is read by vmfa but not an entry of vmfa(1)'s ENVIRONMENT (manSections)", v)
		}
	}
}

// vmfaVariables returns the VMFA_ names in the string literals of the Go
// files under root but test files and test helpers.
func vmfaVariables(t *testing.T, root string) []string {
	name := regexp.MustCompile(`VMFA_[A-Z0-9_]*[A-Z0-9]`)
	var names []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "testdata" || d.Name() == "testenv" || strings.HasSuffix(d.Name(), "test") || strings.HasPrefix(d.Name(), ".")) && path != root:
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				for _, v := range name.FindAllString(s, -1) {
					if !slices.Contains(names, v) {
						names = append(names, v)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// renderMan renders a page as man shows it, without its formatting, and
// returns it and man's warnings. Lines are long and words unhyphenated, so
// that names and flags are found whole.
func renderMan(t *testing.T, page string) (text, warnings string) {
	t.Helper()
	cmd := exec.Command("man", "--warnings", "--nh", "--nj", "-l", page)
	// man-db confines its pipeline with seccomp, against pages from outside:
	// these are ours, and the sandbox costs a third of man's time.
	cmd.Env = append(os.Environ(), "MANWIDTH=250", "MANPAGER=cat", "PAGER=cat", "MAN_KEEP_FORMATTING=", "LC_ALL=C.UTF-8", "MAN_DISABLE_SECCOMP=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("man %s: %v\n%s", page, err, stderr.String())
	}
	return string(regexp.MustCompile(".\b").ReplaceAll(out, nil)), stderr.String()
}

// manPreamble is what man-db puts before a page for --nh --nj: no
// hyphenation, no justification, and no request that turns them back on.
const manPreamble = ".nh\n.de hy\n..\n.lf 1\n.na\n.de ad\n..\n.lf 1\n"

// renderMans renders the pages names in dir as renderMan does, but in one
// run of the pipeline that man runs for each page (manPreamble, preconv,
// tbl, nroff -mandoc, col): 6 processes in all, not 9 a page. It returns
// each page's text, its blank lines squeezed as man does, and warnings, by
// name. troff names the page a warning is about; a warning that names none
// fails the test.
func renderMans(t *testing.T, dir string, names []string) (texts, warnings map[string]string) {
	t.Helper()
	args := append([]string{"-Kutf-8", "-t", "-mtty-char", "-mandoc", "-rLL=243n", "-rLT=243n", "-wmac", "-Tutf8", "-"}, names...)
	groff := exec.Command("groff", args...)
	col := exec.Command("col", "-b", "-p", "-x")
	groff.Dir = dir
	groff.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	col.Env = groff.Env
	groff.Stdin = strings.NewReader(manPreamble)
	var stderr, colStderr, out bytes.Buffer // a buffer each: exec copies into them at once
	groff.Stderr, col.Stderr, col.Stdout = &stderr, &colStderr, &out
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	groff.Stdout, col.Stdin = w, r
	errGroff, errCol := groff.Start(), col.Start()
	w.Close()
	r.Close()
	if errGroff == nil {
		errGroff = groff.Wait()
	}
	if errCol == nil {
		errCol = col.Wait()
	}
	if errGroff != nil || errCol != nil {
		t.Fatalf("groff | col: %v, %v\n%s%s", errGroff, errCol, &stderr, &colStderr)
	}
	stderr.Write(colStderr.Bytes())
	text := regexp.MustCompile("\n{3,}").ReplaceAllString(out.String(), "\n\n")
	texts, warnings = map[string]string{}, map[string]string{}
	// Each page begins with its header line, TITLE(1), in the order named.
	starts := make([]int, len(names)+1)
	starts[len(names)] = len(text)
	from := 0
	for i, name := range names {
		header := "\n" + strings.ToUpper(strings.TrimSuffix(name, ".1")) + "(1) "
		at := strings.Index("\n"+text[from:], header)
		if at < 0 {
			t.Fatalf("no page %s in what groff wrote", name)
		}
		starts[i], from = from+at, from+at+1
	}
	for i, name := range names {
		texts[name] = text[starts[i]:starts[i+1]]
	}
	for _, line := range strings.SplitAfter(strings.TrimSpace(stderr.String()), "\n") {
		page, _, _ := strings.Cut(strings.TrimPrefix(line, "troff: "), ":")
		if _, ok := texts[page]; ok {
			warnings[page] += line
		} else if line != "" {
			t.Errorf("groff warns: %s", line)
		}
	}
	return texts, warnings
}

// tree returns the files under dir and their contents.
func tree(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
