package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// readPrefs reads the string values of an Android SharedPreferences file,
// the XML that android.app.SharedPreferencesImpl writes (through
// com.android.internal.util.XmlUtils.writeMapXml):
//
//	<map>
//	    <string name="key">value</string>
//	    <int name="key" value="1" />
//	</map>
//
// Several apps keep their accounts there as JSON in a <string>. Values of
// other types are not needed and are skipped.
func readPrefs(data []byte) (map[string]string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	prefs := map[string]string{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a valid preferences file: %s", xmlProblem(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local != "map":
				return nil, errors.New("not a preferences file: the XML has no <map>")
			case depth == 2 && t.Name.Local == "string":
				name := attr(t, "name")
				var value string
				if err := d.DecodeElement(&value, &t); err != nil {
					return nil, fmt.Errorf("not a valid preferences file: %s", xmlProblem(err))
				}
				depth--
				if len(prefs) >= maxAccounts {
					return nil, errors.New("the preferences file has too many entries")
				}
				prefs[name] = value
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		return nil, errors.New("the preferences file is truncated")
	}
	return prefs, nil
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// xmlProblem keeps the line number of an XML error and drops the text it
// may quote.
func xmlProblem(err error) string {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("XML syntax error on line %d", syn.Line)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it is truncated"
	}
	return "malformed XML"
}

// prefString returns the first of keys present in prefs.
func prefString(prefs map[string]string, keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := prefs[k]; ok {
			return v, true
		}
	}
	return "", false
}
