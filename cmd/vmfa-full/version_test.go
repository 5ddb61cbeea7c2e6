package main

import (
	"debug/buildinfo"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVersion: 'vmfa --version' (and -v) prints the front end's build, then
// vmfa-full's; 'vmfa-full --version' its own. (A stamped release build is
// checked by scripts/check-package.sh.)
func TestVersion(t *testing.T) {
	parallel(t)
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

// TestProgramsBuiltAsShipped: the programs the tests run are built as
// Install and the releases build them, static (CGO_ENABLED=0), so the
// tests run what ships.
func TestProgramsBuiltAsShipped(t *testing.T) {
	parallel(t)
	for _, bin := range []string{vmfaBin, fullBin()} {
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		cgo := ""
		for _, s := range info.Settings {
			if s.Key == "CGO_ENABLED" {
				cgo = s.Value
			}
		}
		if cgo != "0" {
			t.Errorf("%s was built with CGO_ENABLED=%q, not 0 as it ships", filepath.Base(bin), cgo)
		}
	}
}

// TestPasswdWorkFactorDefault: passwd --help says --work-factor defaults
// to the vault's own, not to init's 18 (it said both).
func TestPasswdWorkFactorDefault(t *testing.T) {
	parallel(t)
	r := vmfa(t, t.TempDir(), "", nil, "passwd", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "(default the vault's)") || strings.Contains(r.stdout, "(default 18)") {
		t.Fatalf("exit %d, help %q: want --work-factor's default to be the vault's", r.code, r.stdout)
	}
}
