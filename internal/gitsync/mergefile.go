package gitsync

import "github.com/vmfa/vmfa/vault"

// mergeFile joins ct, the remote's vault.age, with the local vault
// (vault.Vault.MergeFile, which authenticates it): how many accounts came
// in, and whether the remote lacks something the join holds.
func mergeFile(v *vault.Vault, ct []byte) (in int, behind bool, err error) {
	r, err := v.MergeFile(ct)
	return r.In, r.Behind, err
}
