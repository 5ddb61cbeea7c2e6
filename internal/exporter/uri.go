package exporter

import (
	"strings"

	"github.com/vmfa/vmfa/vault"
)

// URIs writes one otpauth:// URI a line, in the Key Uri Format that Google
// Authenticator defined and every app reads. Steam Guard accounts are
// otpauth://steam/ URIs with digits=5, as Aegis writes them; apps that do not
// know the type refuse the line rather than make wrong codes from it.
func URIs(entries []vault.Entry) []byte {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.URI())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
