package gitsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// newGit makes a repository of the test's own.
func newGit(t *testing.T) *git {
	t.Helper()
	testenv.Tool(t, "git")
	dir := t.TempDir()
	g := &git{gitDir: filepath.Join(dir, GitDirName), workTree: dir, timeout: DefaultTimeout}
	if _, err := g.run(context.Background(), false, nil, "init", "-q", "--object-format=sha1"); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestWriteAndReadObjects: a commit written by writeCommit holds the files
// given and no other, with the parents given, as vmfa's other commits (vmfa's identity,
// message "vmfa"), and moves no ref, not even one a killed run left; the
// objects reader lists a commit's files as a vault's can be (at the top and
// in recipients/, submodules and deeper files left out) and reads blobs,
// refusing one over the bound before reading it.
func TestWriteAndReadObjects(t *testing.T) {
	t.Parallel()
	g := newGit(t)
	ctx := context.Background()
	files := map[string][]byte{
		"vault.age": []byte("the vault\n"), "identity.age": {0, 1, 2, 255},
		"recipients/bob.age": []byte("bob's key"), "recipients/bob.pub": []byte("age1bob"),
		"recipients/deeper/x.age": []byte("x"), "other/file": []byte("y"), "empty": nil,
	}
	base, err := g.writeCommit(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if parents := mustOut(t, g, "log", "-1", "--format=%P", base); parents != "" {
		t.Errorf("a commit with no parents has %q", parents)
	}
	second, err := g.writeCommit(ctx, map[string][]byte{"vault.age": []byte("second"), "gone": []byte("x")}, []string{base})
	if err != nil {
		t.Fatal(err)
	}
	// What a killed run left: the scratch ref, at a commit the next one
	// does not descend from.
	if _, err := g.run(ctx, false, nil, "update-ref", scratchRef, second); err != nil {
		t.Fatal(err)
	}
	if _, err := g.writeCommit(ctx, map[string][]byte{"a\nb": nil}, []string{base}); err == nil {
		t.Errorf("a file name that would end fast-import's line was written")
	}
	commit, err := g.writeCommit(ctx, files, []string{second, base})
	if err != nil {
		t.Fatal(err)
	}
	// A submodule, beside: a tree the reader must step over.
	sub, err := g.run(ctx, false, []byte(fmt.Sprintf("commit refs/heads/sub\ncommitter %s 0 +0000\ndata 0\nfrom %s\nM 160000 %s module\n", identity, commit, base)), "fast-import", "--quiet")
	if err != nil {
		t.Fatalf("%v %s", err, sub)
	}
	withModule, err := g.out(ctx, "rev-parse", "refs/heads/sub")
	if err != nil {
		t.Fatal(err)
	}

	out, err := g.out(ctx, "log", "-1", "--format=%P|%an <%ae>|%cn <%ce>|%B", commit)
	if err != nil {
		t.Fatal(err)
	}
	if want := second + " " + base + "|" + identity + "|" + identity + "|vmfa"; out != want {
		t.Errorf("the commit: %q, want %q", out, want)
	}
	if refs, _ := g.out(ctx, "for-each-ref", "--format=%(refname)"); refs != "refs/heads/sub" {
		t.Errorf("refs after writing commits: %q", refs)
	}
	listed, err := g.out(ctx, "ls-tree", "-r", "--format=%(objectmode) %(path)", commit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "100644 empty\n100644 identity.age\n100644 other/file\n100644 recipients/bob.age\n100644 recipients/bob.pub\n100644 recipients/deeper/x.age\n100644 vault.age"; listed != want {
		t.Errorf("the commit's files:\n%s\nwant\n%s", listed, want)
	}

	objs, err := g.objects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer objs.close()
	for _, c := range []string{commit, withModule} {
		tree, err := objs.tree(c)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, f := range []string{"empty", "identity.age", "recipients/bob.age", "recipients/bob.pub", "vault.age"} {
			if want[f], err = g.out(ctx, "rev-parse", c+":"+f); err != nil {
				t.Fatal(err)
			}
		}
		if !maps.Equal(tree, want) {
			t.Errorf("the files of %s: %v, want %v", c, tree, want)
		}
		for path, id := range tree {
			b, err := objs.blob(path, id, int64(len(files[path])))
			if err != nil || string(b) != string(files[path]) {
				t.Errorf("%s: %q %v, want %q", path, b, err, files[path])
			}
			if len(files[path]) > 0 {
				if _, err := objs.blob(path, id, int64(len(files[path])-1)); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("the remote's %s is over %d bytes", path, len(files[path])-1)) {
					t.Errorf("%s over the bound: %v", path, err)
				}
			}
		}
	}
	// The reader still answers after a refusal.
	if none, err := objs.tree(""); err != nil || len(none) != 0 {
		t.Errorf("the files of no commit: %v %v", none, err)
	}
	if _, err := objs.blob("recipients/carol.pub", "", 100); err == nil {
		t.Errorf("a blob the tree does not have was read")
	}
	if _, err := objs.blob("vault.age", commit, 1000); err == nil || !strings.Contains(err.Error(), "not a blob") {
		t.Errorf("a commit read as a blob: %v", err)
	}
	if _, err := objs.tree(strings.Repeat("1", 40)); err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("the tree of a missing commit: %v", err)
	}
	b, err := objs.blob("vault.age", "", 100)
	if err == nil {
		t.Errorf("a missing blob read: %q", b)
	}
	if got, err := objs.blob("vault.age", mustOut(t, g, "rev-parse", second+":vault.age"), 100); err != nil || string(got) != "second" {
		t.Errorf("read after errors: %q %v", got, err)
	}
	// A reader whose git died says so.
	if err := objs.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if _, err := objs.tree(commit); !errors.As(err, &exit) || !strings.HasPrefix(err.Error(), "git cat-file: ") {
		t.Errorf("a read from a git killed: %v", err)
	}
}

func mustOut(t *testing.T, g *git, args ...string) string {
	t.Helper()
	out, err := g.out(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestParseTree: a damaged tree is an error, not a panic or a file.
func TestParseTree(t *testing.T) {
	id := strings.Repeat("\x01", 20)
	for _, tree := range []string{"100644 a", " a\x00" + id, "100644 a\x00" + id[:19], "100644a\x00" + id, "100644 a\x00" + id + "1006"} {
		if err := parseTree([]byte(tree), "", func(name, id string, dir bool) error { return nil }); err == nil {
			t.Errorf("the damaged tree %q was read", tree)
		}
	}
	var got []string
	err := parseTree([]byte("100644 a b\x00"+id+"40000 d\x00"+id+"160000 m\x00"+id+"120000 l\x00"+id), "p/", func(name, id string, dir bool) error {
		got = append(got, fmt.Sprintf("%s %s %t", name, id, dir))
		return nil
	})
	want := []string{"p/a b " + strings.Repeat("01", 20) + " false", "p/d " + strings.Repeat("01", 20) + " true", "p/l " + strings.Repeat("01", 20) + " false"}
	if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("parsed %q %v, want %q", got, err, want)
	}
}
