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
// it; its member "merge" is indented as encodeData writes it if it was
// read, and indented is true.
func (d *Data) asJSON(indented bool) (dataJSON, error) {
	dj := dataJSON{dataFields: (*dataFields)(d), Sync: d.syncRaw}
	if d.sync != nil {
		dj.Sync = nil
		if s := d.sync.orNil(); s != nil {
			b, err := s.appendJSON(make([]byte, 0, 256*len(s.Accounts)), indented)
			if err != nil {
				return dataJSON{}, err
			}
			dj.Sync = b
		}
	}
	return dj, nil
}

// rawSync keeps b, the member "merge" as read, compacted and with <, >
// and & escaped, as encoding/json writes it: a load of what was saved
// then keeps the same bytes. Nothing if it holds nothing.
func rawSync(b json.RawMessage) (json.RawMessage, error) {
	if len(b) == 0 {
		return nil, nil
	}
	c := bytes.NewBuffer(make([]byte, 0, len(b)))
	if err := json.Compact(c, b); err != nil {
		return nil, err
	}
	if c.String() == "{}" || c.String() == "null" {
		return nil, nil
	}
	if !needsHTMLEscape(c.Bytes()) {
		return c.Bytes(), nil // the usual case: no second copy
	}
	escaped := bytes.NewBuffer(make([]byte, 0, c.Len()+16))
	json.HTMLEscape(escaped, c.Bytes())
	return escaped.Bytes(), nil
}

// needsHTMLEscape reports whether json.HTMLEscape would change b: each
// test is a fast scan (an ASCII set, a substring), where ContainsAny with
// U+2028 in its set decodes every rune of a member of hundreds of KB.
func needsHTMLEscape(b []byte) bool {
	return bytes.ContainsAny(b, "<>&") || bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029"))
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
//
// The member "merge", as large as the rest, is only kept, for the merge
// to read should it need to (state): it is cut out, checked and compacted
// in one pass, and the rest read without it, which spares encoding/json's
// two passes over it. Where that fails, or the cut may not be what
// encoding/json would read (another member whose name differs only in
// case, an escaped name), the whole is read as it is.
func (d *Data) UnmarshalJSON(b []byte) error {
	if start, end, ok := cutMember(b, "merge"); ok {
		rest := slices.Concat(b[:start], []byte("{}"), b[end:])
		err := d.unmarshal(rest)
		clear(rest)
		if err == nil {
			if d.syncRaw, err = rawSync(b[start:end]); err == nil {
				return nil
			}
		}
	}
	return d.unmarshal(b)
}

func (d *Data) unmarshal(b []byte) error {
	*d = Data{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dj := dataJSON{dataFields: (*dataFields)(d)}
	err := dec.Decode(&dj)
	d.syncRaw, _ = rawSync(dj.Sync) // valid: the decoder read it
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
	d.syncRaw, _ = rawSync(dj.Sync)
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

// cutMember finds the value of the top-level member name of the JSON
// object b, at b[start:end], without checking b. It reports false if it
// can't tell where encoding/json would find it: no such member, several,
// a member whose name is the same but for case, or one with an escape in
// its name.
func cutMember(b []byte, name string) (start, end int, ok bool) {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return 0, 0, false
	}
	start = -1
	for i = skipSpace(b, i+1); i < len(b) && b[i] != '}'; {
		if b[i] != '"' {
			return 0, 0, false
		}
		keyEnd := skipString(b, i)
		key := b[i+1 : max(i+1, keyEnd-1)]
		if i = skipSpace(b, keyEnd); i == len(b) || b[i] != ':' || bytes.IndexByte(key, '\\') >= 0 {
			return 0, 0, false
		}
		valueStart := skipSpace(b, i+1)
		if i = skipValue(b, valueStart); i == valueStart {
			return 0, 0, false
		}
		if bytes.EqualFold(key, []byte(name)) {
			if string(key) != name || start >= 0 {
				return 0, 0, false
			}
			start, end = valueStart, i
		}
		if i = skipSpace(b, i); i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return start, end, start >= 0 && i < len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value at b[i:], read as far as it
// goes without checking it: strings, objects and arrays end where they
// would if it is valid, anything else at the next delimiter.
func skipValue(b []byte, i int) int {
	switch {
	case i == len(b):
		return i
	case b[i] == '"':
		return skipString(b, i)
	case b[i] == '{' || b[i] == '[':
		for depth := 0; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}

// skipString returns the end of the string at b[i:], past its quote.
func skipString(b []byte, i int) int {
	start := i + 1
	for i = start; i < len(b); i++ {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			break
		}
		i += q
		escapes := 0 // an escaped quote follows an odd run of backslashes
		for escapes < i-start && b[i-1-escapes] == '\\' {
			escapes++
		}
		if escapes%2 == 0 {
			return i + 1
		}
	}
	return len(b)
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
	dj, err := d.asJSON(false)
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
		dj, err := d.asJSON(true)
		if err != nil {
			return nil, err
		}
		if dj.Sync == nil {
			return json.MarshalIndent(dj, "", "\t")
		}
		// The member "merge", last, is as large as the rest: it is put
		// in place as it is written (indented already, if it was read)
		// rather than compacted, then indented, by json.MarshalIndent.
		b, err := json.MarshalIndent(dj.dataFields, "", "\t")
		if err != nil {
			return nil, err
		}
		out := bytes.NewBuffer(make([]byte, 0, len(b)+2*len(dj.Sync)+64))
		out.Write(b[:len(b)-len("\n}")])
		clear(b)
		out.WriteString(",\n\t\"merge\": ")
		if d.sync != nil {
			out.Write(dj.Sync)
		} else {
			err = json.Indent(out, dj.Sync, "\t", "\t")
		}
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
