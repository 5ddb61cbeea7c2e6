package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
)

// A newer vmfa may add fields to vault.age without changing its format
// version, so that an older one can still read it. The older one must then
// keep them when it saves, or using it once would strip what the newer one
// stored. Data and Entry keep the members they don't know, compacted, in
// their extra field, and write them back after the ones they know.
//
// Most vaults have no such fields, and pay nothing for this: the decoder
// refuses unknown fields, and only when it finds one does the slower path
// read the JSON a second time to collect them.

// dataFields and entryFields are Data and Entry without their methods: what
// encoding/json makes of the fields this version knows.
type (
	dataFields  Data
	entryFields Entry
)

// dataJSON is Data as vault.age holds it: with the merge's bookkeeping
// (merge.go), which Data keeps out of sight, and reads only when needed.
type dataJSON struct {
	*dataFields
	Sync json.RawMessage `json:"merge,omitempty"`
}

// asJSON returns d as dataJSON, leaving out a sync state with nothing in
// it.
func (d *Data) asJSON() (dataJSON, error) {
	dj := dataJSON{dataFields: (*dataFields)(d), Sync: d.syncRaw}
	if d.sync != nil {
		dj.Sync = nil
		if s := d.sync.orNil(); s != nil {
			b, err := s.appendJSON(make([]byte, 0, 128*len(s.Accounts)))
			if err != nil {
				return dataJSON{}, err
			}
			dj.Sync = b
		}
	}
	return dj, nil
}

// rawSync keeps b, the member "merge" as read (encoding/json compacts it
// when it writes it); nothing if it holds nothing.
func rawSync(b json.RawMessage) json.RawMessage {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || b[0] == '{' && len(bytes.TrimSpace(b[1:len(b)-1])) == 0 {
		return nil
	}
	return b
}

// Names of the JSON members Data and Entry know, in lower case:
// encoding/json matches them regardless of case.
var (
	dataKeys  = append(jsonKeys(reflect.TypeFor[Data]()), "merge")
	entryKeys = jsonKeys(reflect.TypeFor[Entry]())
)

func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "":
			keys = append(keys, jsonKeys(f.Type)...)
		case name == "":
			keys = append(keys, strings.ToLower(f.Name))
		default:
			keys = append(keys, strings.ToLower(name))
		}
	}
	return keys
}

// UnmarshalJSON reads the JSON of a vault.age, keeping the members this
// version does not know, at the top level and in each account.
func (d *Data) UnmarshalJSON(b []byte) error {
	*d = Data{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dj := dataJSON{dataFields: (*dataFields)(d)}
	err := dec.Decode(&dj)
	d.syncRaw = rawSync(dj.Sync)
	if err == nil {
		if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
			return errors.New("invalid data after the top-level value")
		}
		return nil
	}
	if !strings.HasPrefix(err.Error(), "json: unknown field ") {
		return err
	}
	// Unknown fields: decode what is known, then collect the rest.
	*d = Data{}
	dj = dataJSON{dataFields: (*dataFields)(d)}
	if err := json.Unmarshal(b, &dj); err != nil {
		return err
	}
	d.syncRaw = rawSync(dj.Sync)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return err
	}
	d.extra = unknownMembers(top, dataKeys)
	var raw struct {
		Accounts []map[string]json.RawMessage `json:"accounts"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for i := range min(len(raw.Accounts), len(d.Accounts)) {
		d.Accounts[i].extra = unknownMembers(raw.Accounts[i], entryKeys)
	}
	return nil
}

// unknownMembers returns the members of m whose names are not in known, as
// the compacted, comma-separated inside of a JSON object, sorted by name so
// that the same members always read the same; "" if there are none.
func unknownMembers(m map[string]json.RawMessage, known []string) string {
	var names []string
	for name := range m {
		if !slices.Contains(known, strings.ToLower(name)) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var buf bytes.Buffer
	for _, name := range names {
		if buf.Len() > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(name)
		buf.Write(key)
		buf.WriteByte(':')
		// As encoding/json writes a Marshaler's output: compacted, with
		// HTML characters escaped, so a value reads back the same.
		var c bytes.Buffer
		json.Compact(&c, m[name])
		json.HTMLEscape(&buf, c.Bytes())
	}
	return buf.String()
}

// MarshalJSON writes d as vault.age holds it, with the members it did not
// know when it was read.
func (d *Data) MarshalJSON() ([]byte, error) {
	dj, err := d.asJSON()
	if err != nil {
		return nil, err
	}
	if !d.hasExtra() {
		return json.Marshal(dj)
	}
	accounts := make([]json.RawMessage, len(d.Accounts))
	for i := range d.Accounts {
		b, err := json.Marshal((*entryFields)(&d.Accounts[i]))
		if err != nil {
			return nil, err
		}
		accounts[i] = withMembers(b, d.Accounts[i].extra)
	}
	b, err := json.Marshal(struct {
		dataJSON
		Accounts []json.RawMessage `json:"accounts"`
	}{dj, accounts})
	if err != nil {
		return nil, err
	}
	return withMembers(b, d.extra), nil
}

// hasExtra reports whether d or any of its accounts has unknown members.
func (d *Data) hasExtra() bool {
	if d.extra != "" {
		return true
	}
	for i := range d.Accounts {
		if d.Accounts[i].extra != "" {
			return true
		}
	}
	return false
}

// withMembers adds members, as unknownMembers returns them, at the end of
// the JSON object obj.
func withMembers(obj []byte, members string) []byte {
	if members == "" {
		return obj
	}
	out := obj[:len(obj)-1] // '}'
	if len(out) > 1 {
		out = append(out, ',')
	}
	out = append(out, members...)
	return append(out, '}')
}

// encodeData returns the plaintext of vault.age for d: its JSON, indented
// with tabs for whoever decrypts it with stock age.
func encodeData(d *Data) ([]byte, error) {
	if !d.hasExtra() {
		dj, err := d.asJSON()
		if err != nil {
			return nil, err
		}
		if dj.Sync == nil {
			return json.MarshalIndent(dj, "", "\t")
		}
		// The member "merge", last, is as large as the rest: it is
		// indented into place rather than compacted, then indented.
		b, err := json.MarshalIndent(dj.dataFields, "", "\t")
		if err != nil {
			return nil, err
		}
		out := bytes.NewBuffer(make([]byte, 0, len(b)+2*len(dj.Sync)))
		out.Write(b[:len(b)-len("\n}")])
		clear(b)
		out.WriteString(",\n\t\"merge\": ")
		err = json.Indent(out, dj.Sync, "\t", "\t")
		out.WriteString("\n}")
		return out.Bytes(), err
	}
	b, err := d.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = json.Indent(&out, b, "", "\t")
	clear(b)
	return out.Bytes(), err
}
