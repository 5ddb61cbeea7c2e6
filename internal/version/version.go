// Package version says which build of vmfa is running, for --version and
// for the manual pages' footers.
//
// A release build stamps the version, the commit and the commit's date
// with the linker:
//
//	go build -ldflags "-X github.com/vmfa/vmfa/internal/version.version=v1.2.0
//	  -X github.com/vmfa/vmfa/internal/version.commit=<40 hex digits>
//	  -X github.com/vmfa/vmfa/internal/version.date=2026-12-06T07:00:00Z" ./cmd/...
//
// What is not stamped comes from the build information the Go toolchain
// records in every program: the module version for 'go install
// github.com/vmfa/vmfa/cmd/...@v1.2.0', and for a build from a clone the
// pseudo-version, the VCS revision and time, and whether the work tree had
// uncommitted changes. A build that recorded none of them (go run, or
// -buildvcs=false) is "(devel)".
//
// Both programs link this package, so 'vmfa --version' can show that the
// front end and vmfa-full beside it are the same build.
package version

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the linker (-X); empty in a plain go build.
var (
	version string
	commit  string
	date    string
)

// Info describes a build.
type Info struct {
	Version  string // "v1.2.0", a pseudo-version, or "(devel)"
	Commit   string // the VCS revision, "" if unknown
	Date     string // the commit's time, RFC 3339 in UTC, "" if unknown
	Modified bool   // built from a work tree with uncommitted changes
	Go       string // the Go release that built it, "go1.26.8"
	Platform string // GOOS/GOARCH
}

// Get returns the running program's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return get(version, commit, date, bi)
}

// get is Get from the stamped values and the build information (nil if
// none was recorded).
func get(version, commit, date string, bi *debug.BuildInfo) Info {
	i := Info{Version: version, Commit: commit, Date: date, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if i.Version == "" && bi.Main.Version != "" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.time":
				if i.Date == "" {
					i.Date = s.Value
				}
			case "vcs.modified":
				i.Modified = s.Value == "true" && commit == ""
			}
		}
	}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	return i
}

// Line is the line program's --version prints:
//
//	vmfa v1.2.0 (commit 0e841f8…, 2026-12-06T07:00:00Z, go1.26.8 linux/amd64)
//
// with "modified" after the commit for a build from a changed work tree,
// and what is unknown left out.
func (i Info) Line(program string) string {
	var about []string
	if i.Commit != "" {
		c := "commit " + i.Commit
		if i.Modified {
			c += ", modified"
		}
		about = append(about, c)
	}
	if i.Date != "" {
		about = append(about, i.Date)
	}
	about = append(about, i.Go+" "+i.Platform)
	return program + " " + i.Version + " (" + strings.Join(about, ", ") + ")"
}
