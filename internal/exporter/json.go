package exporter

import "github.com/vmfa/vmfa/vault"

// JSON writes d as vault.age holds it, decrypted (vault.Data's JSON): IDs,
// creation times, notes and pins included, and the members a newer vmfa
// added. For a subset, pass a copy of the vault's Data with fewer Accounts.
func JSON(d *vault.Data) ([]byte, error) {
	b, err := d.JSON()
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
