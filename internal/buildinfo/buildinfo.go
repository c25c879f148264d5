// Package buildinfo reports the version keysweep was built as: stamped by the
// release build through -ldflags, or read from the module build info when
// installed with `go install`.
package buildinfo

import (
	"runtime/debug"
)

// Set by -ldflags "-X github.com/keysweep/keysweep/internal/buildinfo.version=…" at release time.
var (
	version = ""
	commit  = ""
	date    = ""
)

// Info is the version triple.
type Info struct {
	Version string
	Commit  string
	Date    string
}

// Get returns the stamped version, falling back to debug.ReadBuildInfo.
func Get() Info {
	info := Info{Version: version, Commit: commit, Date: date}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" && info.Commit != "" && version == "" {
					info.Commit += "-dirty"
				}
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}
