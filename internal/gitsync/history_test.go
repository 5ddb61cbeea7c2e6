package gitsync

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestCompare: what compare reads from one rev-list (whether the remote's
// commit is in the local branch, a merge base, the changes to push) is what
// the history says, in histories of every shape: a line, branches, merges
// of old commits (more than one commit on the boundary), criss-cross merges
// (two merge bases), histories that never met.
func TestCompare(t *testing.T) {
	testenv.Tool(t, "git")
	dir := t.TempDir()
	g := &git{gitDir: filepath.Join(dir, GitDirName), workTree: dir, timeout: DefaultTimeout}
	ctx := context.Background()
	if _, err := g.run(ctx, false, nil, "init", "-q", "--object-format=sha1"); err != nil {
		t.Fatal(err)
	}
	// A history of n commits, each with 0 (a new root), 1 or 2 parents
	// among the commits before it, written by one git fast-import.
	const n = 40
	rng := rand.New(rand.NewPCG(1, 2))
	parents := make([][]int, n)
	var stream strings.Builder
	for i := range n {
		switch p := rng.IntN(10); {
		case i == 0 || p == 0:
		case p < 6:
			parents[i] = []int{rng.IntN(i)}
		default:
			a, b := rng.IntN(i), rng.IntN(i)
			if a == b {
				parents[i] = []int{a}
			} else {
				parents[i] = []int{a, b}
			}
		}
		msg := fmt.Sprintf("c%d", i) // each commit a commit of its own
		fmt.Fprintf(&stream, "commit refs/heads/%s\nmark :%d\ncommitter %s 0 +0000\ndata %d\n%s\n", msg, i+1, identity, len(msg), msg)
		for j, p := range parents[i] {
			fmt.Fprintf(&stream, "%s :%d\n", map[bool]string{true: "from", false: "merge"}[j == 0], p+1)
		}
	}
	marks := filepath.Join(dir, "marks")
	if _, err := g.run(ctx, false, []byte(stream.String()), "fast-import", "--quiet", "--export-marks="+marks); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(marks)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]string, n)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var mark int
		var sha string
		fmt.Sscanf(line, ":%d %s", &mark, &sha)
		id[mark-1] = sha
	}
	// What the history says, worked out here.
	ancestors := make([]map[int]bool, n) // of each commit, itself included
	for i := range n {
		ancestors[i] = map[int]bool{i: true}
		for _, p := range parents[i] {
			for a := range ancestors[p] {
				ancestors[i][a] = true
			}
		}
	}
	checked := map[string]int{}
	for range 60 {
		local, remote := rng.IntN(n), rng.IntN(n)
		if local == remote {
			continue
		}
		h, err := g.compare(ctx, id[local], id[remote])
		if err != nil {
			t.Fatal(err)
		}
		var common []int
		var bases []string
		out := 0
		boundary := map[int]bool{}
		for a := range ancestors[local] {
			if ancestors[remote][a] {
				common = append(common, a)
				continue
			}
			if len(parents[a]) < 2 {
				out++
			}
			for _, p := range parents[a] {
				boundary[p] = ancestors[remote][p]
			}
		}
		for _, c := range common {
			if !slices.ContainsFunc(common, func(d int) bool { return d != c && ancestors[d][c] }) {
				bases = append(bases, id[c])
			}
		}
		what := fmt.Sprintf("c%d (parents %v) against c%d (parents %v)", local, parents[local], remote, parents[remote])
		if ahead := ancestors[local][remote]; h.ahead != ahead {
			t.Errorf("%s: ahead %t, want %t", what, h.ahead, ahead)
		}
		if h.out != out {
			t.Errorf("%s: %d changes to push, want %d", what, h.out, out)
		}
		switch {
		case len(bases) == 0 && h.base != "":
			t.Errorf("%s: merge base %s of histories that never met", what, h.base)
		case len(bases) > 0 && !slices.Contains(bases, h.base):
			t.Errorf("%s: merge base %q, want one of %v", what, h.base, bases)
		}
		switch {
		case len(bases) == 0:
			checked["never met"]++
		case len(bases) > 1:
			checked["criss-cross"]++
		case ancestors[local][remote]:
			checked["ahead"]++
		case ancestors[remote][local]:
			checked["behind"]++
		default:
			checked["diverged"]++
		}
		if len(bases) == 1 && len(slices.DeleteFunc(slices.Collect(maps.Values(boundary)), func(on bool) bool { return !on })) > 1 {
			checked["boundary of several"]++
		}
	}
	for _, shape := range []string{"never met", "criss-cross", "ahead", "behind", "diverged", "boundary of several"} {
		if checked[shape] == 0 {
			t.Errorf("no history of shape %q was checked: %v", shape, checked)
		}
	}
}
