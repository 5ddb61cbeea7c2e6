package main

import (
	"errors"
	"fmt"

	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/shellquote"
)

// trustHint says what to do about a file or directory vmfa refused to trust
// (a *safefile.UntrustedError in err): a vault under a directory that
// others can write to or that is someone else's, or settings that someone
// else could have written. It is "" for any other error.
func trustHint(err error) string {
	var u *safefile.UntrustedError
	if !errors.As(err, &u) {
		return ""
	}
	chmod := fmt.Sprintf("make it writable by you alone (chmod go-w %s)", shellquote.POSIX(u.Path))
	if u.Ancestor {
		chmod += fmt.Sprintf(" or, if others must write there, sticky (chmod +t %s)", shellquote.POSIX(u.Path))
	}
	switch {
	case errors.Is(err, settings.ErrUntrusted) && u.OtherOwner:
		return ": set XDG_CONFIG_HOME to a directory of your own"
	case errors.Is(err, settings.ErrUntrusted):
		return ": " + chmod
	case u.OtherOwner:
		return ": keep the vault in a directory of your own (--dir or VMFA_DIR)"
	}
	return ": " + chmod + ", or keep the vault elsewhere (--dir or VMFA_DIR)"
}
