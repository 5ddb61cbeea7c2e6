package doclinks

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var root = flag.String("root", filepath.Join("..", ".."),
	"the tree whose README.md and docs/*.md TestRepositoryLinks checks: by default the repository's; "+
		"scripts/check-package.sh names the trees a release installs")

// TestRepositoryLinks: every relative link and anchor in README.md and
// docs/*.md under -root resolves, inside that tree.
func TestRepositoryLinks(t *testing.T) {
	t.Parallel()
	root := *root
	pages, err := Pages(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 2 {
		t.Fatalf("pages under %s: %v", root, pages)
	}
	problems, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCheckFindsBrokenLinks: the checker finds each kind of broken link in
// a tree of its own, and leaves alone what is fine or not a link.
func TestCheckFindsBrokenLinks(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "tree")
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# Title\n\n"+
		"[fine](docs/a.md#the-files) [fine dir](scripts/) [web](https://example.com/x#y) [own](#title)\n"+
		"[gone](docs/missing.md) [bad anchor](docs/a.md#nope)\n"+
		"`[in code](docs/missing.md)`\n\n"+
		"```sh\n[in a fence](docs/missing.md)\n# not a heading\n```\n\n"+
		"    [indented code](docs/missing.md)\n\n"+
		"![image](docs/a.png) [second](docs/a.md#the-files-1) [link heading](docs/a.md#see-the-agent)\n"+
		"[not md](docs/a.png#x) [own missing](#not-a-heading)\n"+
		"[outside](../outside.md) [outside too](docs/../../outside.md)\n")
	write("docs/a.md", "# A\n\n## The files\n\n## The files\n\n### See [the agent](b.md)\n\n[up](../README.md#title) [fenced](../README.md#not-a-heading)\n")
	write("docs/b.md", "# B\n")
	write("docs/a.png", "")
	write("scripts/x.sh", "")
	write("../outside.md", "# Outside\n")

	problems, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"README.md:4: docs/missing.md: no such file or directory",
		"README.md:4: docs/a.md#nope: no heading makes the anchor #nope",
		"README.md:15: docs/a.png#x: a #fragment of a file that is not markdown",
		"README.md:15: #not-a-heading: no heading makes the anchor #not-a-heading",
		"README.md:16: ../outside.md: outside the tree checked",
		"README.md:16: docs/../../outside.md: outside the tree checked",
		"docs/a.md:9: ../README.md#not-a-heading: no heading makes the anchor #not-a-heading",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAnchor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Other apps' exports: vmfa import":     "other-apps-exports-vmfa-import",
		"vault.age":                            "vaultage",
		"Authenticity: the `vmfa-auth` stanza": "authenticity-the-vmfa-auth-stanza",
		"Crashes, kills and full disks":        "crashes-kills-and-full-disks",
		"vmfa — a virtual MFA device":          "vmfa--a-virtual-mfa-device",
		"See [the agent](agent.md)":            "see-the-agent",
		"snake_case and Ünïcödé":               "snake_case-and-ünïcödé",
	} {
		if got := Anchor(in); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", in, got, want)
		}
	}
}
