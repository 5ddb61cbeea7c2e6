package vault

// JSON returns d as vault.age holds it, decrypted: the schema that
// 'vmfa export --format json' writes and ParseJSON reads. The merge's
// bookkeeping (merge.go), which holds removed accounts, is left out.
func (d *Data) JSON() ([]byte, error) {
	c := *d
	c.sync, c.syncRaw = nil, nil
	return encodeData(&c)
}

// ParseJSON reads what JSON writes, with the checks a vault.age's content
// gets: a newer format version is refused, every account is validated.
func ParseJSON(b []byte) (*Data, error) { return parseData(b) }
