// Package exporter writes vmfa's accounts in the formats other
// authenticator apps import, so that people can leave vmfa, or keep a copy
// of their accounts on a phone. It is the counterpart of internal/importer,
// which reads every format written here back to the same accounts.
//
// Each format lives in a file of its own. Every writer returns bytes (or
// URIs); WriteFile and MakePrivateDir keep them from other users' eyes when
// they go to files.
package exporter

import (
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Format is one kind of export.
type Format struct {
	Name        string // the --format value: "aegis"
	App         string // the apps that import it
	Description string // what is written
}

// Formats lists every format, in the order of docs/import-export.md's table.
var Formats = []Format{
	{"uri", "Any app (and vmfa add --uri, vmfa import)", "otpauth:// URIs, one a line"},
	{"aegis", "Aegis Authenticator", "vault export (.json), plain or encrypted with a password"},
	{"google", "Google Authenticator", "export QR codes (otpauth-migration://), on the terminal or as PNG files"},
	{"json", "vmfa", "vmfa's own JSON, the content of vault.age"},
}

// Lookup returns the format with that name.
func Lookup(name string) (Format, error) {
	for _, f := range Formats {
		if f.Name == strings.ToLower(strings.TrimSpace(name)) {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown export format %q: use one of %s", otp.Shorten(name, 32), Names())
}

// Names lists the formats' names, for messages: "uri, aegis, google, json".
func Names() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// Encode writes entries, the accounts of d chosen for the export (all of
// them, or fewer), in the format named "uri", "json" or "aegis"; password
// encrypts an Aegis export, which is plain when it is nil. Google
// Authenticator's format is written by Google, which also says which
// accounts it can't hold.
func Encode(format string, d *vault.Data, entries []vault.Entry, password *string) ([]byte, error) {
	switch format {
	case "uri":
		return URIs(entries), nil
	case "json":
		sub := *d
		sub.Accounts = entries
		return JSON(&sub)
	case "aegis":
		return Aegis(entries, password, Random)
	}
	return nil, fmt.Errorf("Encode writes no %q format", format)
}
