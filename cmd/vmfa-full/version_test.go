package main

import (
	"regexp"
	"testing"
)

// TestVersion: 'vmfa --version' (and -v) prints the front end's build, then
// vmfa-full's; 'vmfa-full --version' its own. (A stamped release build is
// checked by scripts/check-package.sh.)
func TestVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A build from a git checkout carries its commit (go's build info);
	// one from elsewhere, as in a worktree, is "(devel)".
	line := `(\(devel\)|v[0-9][^ ]*) \((commit [0-9a-f]{40}(, modified)?, [0-9TZ:-]+, )?go[0-9.]+[a-z0-9]* [a-z0-9]+/[a-z0-9]+\)\n`
	both := regexp.MustCompile(`^vmfa ` + line + `vmfa-full ` + line + `$`)
	for _, flag := range []string{"--version", "-v"} {
		r := vmfa(t, dir, "", nil, flag)
		if r.code != 0 || !both.MatchString(r.stdout) || r.stderr != "" {
			t.Errorf("vmfa %s: exit %d, stdout %q, stderr %q", flag, r.code, r.stdout, r.stderr)
		}
	}
	r := runBin(t, fullBin(), dir, "", nil, "--version")
	if r.code != 0 || !regexp.MustCompile(`^vmfa-full `+line+`$`).MatchString(r.stdout) {
		t.Errorf("vmfa-full --version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
