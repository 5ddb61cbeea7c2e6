package vault

// Decrypt decrypts ct, a file encrypted to the vault's recipient (by
// age.Encrypt to Recipient, or stock age -r), with the vault's identity. It
// is for small secrets kept beside the vault, such as cached AWS sessions,
// and refuses plaintexts over max bytes. The caller should clear the result
// once done with it.
func (v *Vault) Decrypt(ct []byte, max int64) ([]byte, error) {
	return decrypt(ct, max, v.identity)
}
