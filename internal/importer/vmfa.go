package importer

import (
	"fmt"

	"github.com/vmfa/vmfa/vault"
)

// vmfa's own JSON export ('vmfa export --format json'): the content of a
// vault.age, read with the vault's own checks (vault.ParseJSON). Accounts
// are imported; their IDs, notes and creation times stay with the vault they
// came from.
func parseVMFA(data []byte, _ *prompt) (*accounts, error) {
	d, err := vault.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("vmfa JSON: %w", err)
	}
	c := &accounts{}
	for _, e := range d.Accounts {
		if err := c.add(e.Account); err != nil {
			return nil, err
		}
	}
	return c, nil
}
