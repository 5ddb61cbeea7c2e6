package version

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestGet: what the linker stamped wins; else go install's module version
// and the VCS settings a build from a clone records; else "(devel)".
func TestGet(t *testing.T) {
	const rev = "0e841f89112b4149871cf930cbcececfbfe58f00"
	platform := " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	clone := &debug.BuildInfo{Main: debug.Module{Path: "github.com/vmfa/vmfa", Version: "v0.0.0-20261206060000-0e841f891121+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2026-12-06T06:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, c := range []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  string
	}{
		{"release", "v1.2.0", rev, "2026-12-06T07:00:00Z", clone,
			"vmfa v1.2.0 (commit " + rev + ", 2026-12-06T07:00:00Z, " + runtime.Version() + platform},
		{"go install @v1.2.0", "", "", "", &debug.BuildInfo{Main: debug.Module{Path: "github.com/vmfa/vmfa", Version: "v1.2.0"}},
			"vmfa v1.2.0 (" + runtime.Version() + platform},
		{"clone", "", "", "", clone,
			"vmfa v0.0.0-20261206060000-0e841f891121+dirty (commit " + rev + ", modified, 2026-12-06T06:00:00Z, " + runtime.Version() + platform},
		{"go run", "", "", "", &debug.BuildInfo{Main: debug.Module{Path: "github.com/vmfa/vmfa", Version: "(devel)"}},
			"vmfa (devel) (" + runtime.Version() + platform},
		{"no build info", "", "", "", nil, "vmfa (devel) (" + runtime.Version() + platform},
	} {
		if got := get(c.version, c.commit, c.date, c.bi).Line("vmfa"); got != c.want {
			t.Errorf("%s: %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestGetRunning: the test binary's own build information is read.
func TestGetRunning(t *testing.T) {
	i := Get()
	if i.Version == "" || !strings.HasPrefix(i.Go, "go") || i.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("Get() = %+v", i)
	}
}
