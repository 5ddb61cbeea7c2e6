package importer

import "testing"

// A 2FAS service is listed under the name the user gave it, which the
// issuer of its URI only stands in for when there is none.
func TestTwoFASServiceName(t *testing.T) {
	backup := `{"schemaVersion":4,"services":[` +
		`{"name":"My bank","secret":"` + secret + `","otp":{"account":"alice","issuer":"bank.example","tokenType":"TOTP"}},` +
		`{"name":"","secret":"` + secret + `","otp":{"account":"bob","issuer":"Example","tokenType":"TOTP"}}]}`
	accs, err := Parse("2fas", []byte(backup), nil)
	if err != nil || len(accs) != 2 || accs[0].Label() != "My bank:alice" || accs[1].Label() != "Example:bob" {
		t.Fatalf("%v, %+v", err, accs)
	}
}
