package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

// maxPlacedErrors bounds how many errors one refused holiday file answers.
const maxPlacedErrors = 50

// placeHolidayErrors points at the lines of a holiday file that
// calendar.Parse refused (refusal), so an admin sees each bad entry under
// its line. The calendar package stays the judge of the file: this only
// locates what it refused. It answers one error per defective entry, each
// naming its field (days[i].date, days[i].isOffDay, …), the rule, its line
// and column; a defect of the file as a whole (a statutory holiday left
// out, the year out of range) is answered with the calendar's own words,
// on the line of the key it concerns when there is one.
func placeHolidayErrors(body []byte, refusal error) []FieldError {
	var syn *json.SyntaxError
	if err := json.Unmarshal(body, new(any)); errors.As(err, &syn) {
		line, col := lineColumn(body, int(syn.Offset))
		return []FieldError{{Field: "body", Rule: "json", Detail: syn.Error(), Line: line, Column: col}}
	}
	doc := scanHolidayFile(body)
	var errs []FieldError
	add := func(e FieldError) {
		if len(errs) < maxPlacedErrors {
			errs = append(errs, e)
		}
	}
	if doc.yearLine > 0 && doc.year == nil {
		add(FieldError{Field: "year", Rule: "integer", Detail: "must be a whole number", Line: doc.yearLine, Column: doc.yearColumn})
	}
	year := 0
	if doc.year != nil {
		year = *doc.year
	}
	type seenDay struct {
		off  bool
		line int
	}
	seen := map[calendar.Date]seenDay{}
	for i, e := range doc.days {
		at := fmt.Sprintf("days[%d]", i)
		if e.fields == nil {
			add(FieldError{Field: at, Rule: "object", Detail: `must be an object with "name", "date" and "isOffDay"`, Line: e.line, Column: e.column})
			continue
		}
		if v, ok := e.fields["name"]; ok {
			var s string
			if json.Unmarshal(v.raw, &s) != nil {
				add(FieldError{Field: at + ".name", Rule: "string", Detail: "must be a string", Line: v.line, Column: v.column})
			}
		}
		date, dateOK := calendar.Date{}, false
		if v, ok := e.fields["date"]; !ok {
			add(FieldError{Field: at + ".date", Rule: "required", Detail: "is missing", Line: e.line, Column: e.column})
		} else {
			var s string
			if json.Unmarshal(v.raw, &s) != nil {
				add(FieldError{Field: at + ".date", Rule: "date", Detail: "must be a date written YYYY-MM-DD", Line: v.line, Column: v.column})
			} else if d, err := calendar.ParseDate(s); err != nil {
				add(FieldError{Field: at + ".date", Rule: "date", Detail: err.Error(), Line: v.line, Column: v.column})
			} else {
				date, dateOK = d, true
				lo := calendar.Date{Year: year - 1, Month: time.December, Day: 1}
				hi := calendar.Date{Year: year + 1, Month: time.January, Day: 31}
				if year != 0 && (d.Before(lo) || d.After(hi)) {
					add(FieldError{Field: at + ".date", Rule: "range", Line: v.line, Column: v.column,
						Detail: fmt.Sprintf("%s is more than a month outside the file's year %d (from %s to %s)", d, year, lo, hi)})
					dateOK = false
				}
			}
		}
		v, ok := e.fields["isOffDay"]
		if !ok {
			add(FieldError{Field: at + ".isOffDay", Rule: "required", Detail: "is missing (true for a day off, false for a make-up working day)", Line: e.line, Column: e.column})
			continue
		}
		var off bool
		if json.Unmarshal(v.raw, &off) != nil || bytes.Equal(bytes.TrimSpace(v.raw), []byte("null")) {
			add(FieldError{Field: at + ".isOffDay", Rule: "boolean", Detail: "must be true (a day off) or false (a make-up working day)", Line: v.line, Column: v.column})
			continue
		}
		if !dateOK {
			continue
		}
		if prev, dup := seen[date]; dup && prev.off != off {
			add(FieldError{Field: at + ".isOffDay", Rule: "conflict", Line: v.line, Column: v.column,
				Detail: fmt.Sprintf("%s is listed on line %d with the other isOffDay: a date is either a day off or a working day", date, prev.line)})
			continue
		}
		seen[date] = seenDay{off: off, line: v.line}
		if wd := date.Weekday(); !off && wd != time.Saturday && wd != time.Sunday {
			add(FieldError{Field: at + ".isOffDay", Rule: "weekend", Line: v.line, Column: v.column,
				Detail: fmt.Sprintf("%s is a %s: make-up working days (isOffDay false) fall on Saturdays or Sundays", date, wd)})
		}
	}
	if len(errs) == 0 && refusal != nil {
		// The file as a whole: the calendar's words, on the days (or year) key.
		e := FieldError{Field: "body", Rule: "holiday_data", Detail: refusal.Error()}
		switch {
		case doc.daysLine > 0:
			e.Field, e.Line, e.Column = "days", doc.daysLine, doc.daysColumn
		case doc.yearLine > 0:
			e.Field, e.Line, e.Column = "year", doc.yearLine, doc.yearColumn
		}
		errs = append(errs, e)
	}
	return errs
}

// holidayDoc is a holiday file as placeHolidayErrors reads it: where its
// keys are and each entry of days with where its fields are.
type holidayDoc struct {
	year                 *int
	yearLine, yearColumn int
	daysLine, daysColumn int
	days                 []holidayEntry
}

// holidayEntry is one element of days: nil fields when it is no object.
type holidayEntry struct {
	line, column int
	fields       map[string]placedValue
}

// placedValue is a member's raw value and where its key starts.
type placedValue struct {
	raw          json.RawMessage
	line, column int
}

// scanHolidayFile reads the top-level year and days of a syntactically
// valid JSON document with their positions; anything else is skipped.
func scanHolidayFile(body []byte) holidayDoc {
	var doc holidayDoc
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return doc
	}
	for dec.More() {
		keyAt := valueStart(body, int(dec.InputOffset()))
		kt, err := dec.Token()
		if err != nil {
			return doc
		}
		key, _ := kt.(string)
		line, col := lineColumn(body, keyAt)
		switch key {
		case "year":
			doc.yearLine, doc.yearColumn = line, col
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return doc
			}
			var y int
			if json.Unmarshal(raw, &y) == nil && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
				doc.year = &y
			}
		case "days":
			doc.daysLine, doc.daysColumn = line, col
			if !scanDays(dec, body, &doc) {
				return doc
			}
		default:
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return doc
			}
		}
	}
	return doc
}

// scanDays reads the days array's entries into doc; false when the
// document cannot be read further.
func scanDays(dec *json.Decoder, body []byte, doc *holidayDoc) bool {
	open := valueStart(body, int(dec.InputOffset()))
	if open >= len(body) || body[open] != '[' {
		var skip json.RawMessage
		return dec.Decode(&skip) == nil
	}
	if _, err := dec.Token(); err != nil {
		return false
	}
	for dec.More() {
		at := valueStart(body, int(dec.InputOffset()))
		line, col := lineColumn(body, at)
		entry := holidayEntry{line: line, column: col}
		if at < len(body) && body[at] == '{' {
			if _, err := dec.Token(); err != nil {
				return false
			}
			entry.fields = map[string]placedValue{}
			for dec.More() {
				keyAt := valueStart(body, int(dec.InputOffset()))
				kt, err := dec.Token()
				if err != nil {
					return false
				}
				var raw json.RawMessage
				if dec.Decode(&raw) != nil {
					return false
				}
				kl, kc := lineColumn(body, keyAt)
				entry.fields[kt.(string)] = placedValue{raw: raw, line: kl, column: kc}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
		} else {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return false
			}
		}
		doc.days = append(doc.days, entry)
	}
	_, err := dec.Token()
	return err == nil
}

// valueStart skips the white space, commas and colons from offset to the
// next token.
func valueStart(body []byte, offset int) int {
	for offset < len(body) {
		switch body[offset] {
		case ' ', '\t', '\r', '\n', ',', ':':
			offset++
		default:
			return offset
		}
	}
	return offset
}

// lineColumn is the 1-based line and column (in characters) of offset.
func lineColumn(body []byte, offset int) (int, int) {
	offset = min(max(offset, 0), len(body))
	before := body[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, len([]rune(string(before[start:]))) + 1
}
