// Package synth generates realistic, entirely synthetic patient records for
// tests, demos and detector evaluation.
//
// Each record is one JSON object (patient_id, name, birth_date, address, city,
// state, zip, phone, email, ssn, mrn, insurance_id, admission_date,
// discharge_date, age, sex, race, diagnosis_code, note). The free-text note is
// composed from many fragment pools and styles, and mentions identifiers of the
// patient and of other people and places. Every identifier planted in the note
// is reported in a Gold value with exact Unicode code-point offsets, so
// detectors can be scored against it.
//
// Output is reproducible: the same Options give byte-identical records. No
// value is real: names, streets and ZIP prefixes come from public frequency
// lists, numbers are random.
//
// # Gold annotation conventions
//
// A span covers the identifier only, never its label or title:
//   - NAME: "Smith" in "Dr. Smith", "Mrs. Hope Baker" -> "Hope Baker";
//     "Smith, John" and "SMITH, JOHN" are one span. Eponyms ("Parkinson's
//     disease", "Foley catheter") and names used as words ("will", "Hope to
//     wean") are not spans.
//   - LOCATION: a street line with its unit ("221 Maple Ave Apt 3B", "PO Box
//     12"), a city, a county, a ZIP or ZIP+4, a facility's full name ("Mercy
//     General Hospital"). States and countries are not PHI and not spans.
//   - DATE: the whole date expression, year included when written: "3/4/2019",
//     "March 4th, 2019", "the 4th of March", "Monday, March 4, 2019", "March
//     2019". Years alone ("quit in 2015"), times and durations are not spans.
//   - AGE: only ages over 89, and only the number: "92" in "92 yo",
//     "ninety-one" in "ninety-one year old", "90s" in "in her 90s".
//   - Numbers: the value without its label: "88301274" in "Acct #88301274",
//     "(617) 555-0142" in "Phone: (617) 555-0142".
//
// Types: NAME, LOCATION, DATE, AGE, PHONE, FAX, EMAIL, SSN, MRN, HEALTH_PLAN
// (member ids, Medicare MBIs), ACCOUNT (hospital, bank, card), LICENSE
// (driver's, professional, DEA), VEHICLE (VIN, plate), DEVICE (serials, UDI),
// URL, IP, BIOMETRIC (template ids), ID (accession, claim, study, NPI).
package synth

import (
	"math/rand/v2"
)

// Options configure a Generator.
type Options struct {
	// Seed makes the stream reproducible: equal Options give byte-identical output.
	Seed uint64
	// Poison is the fraction in [0,1] of records replaced by bad input (invalid
	// JSON, invalid UTF-8, oversized, wrong field types) for quarantine tests.
	Poison float64
}

// Gold is the answer key for one record's note: every planted identifier.
type Gold struct {
	ID    string     `json:"id"`
	Text  string     `json:"text"`
	Spans []GoldSpan `json:"spans"`
}

// GoldSpan is one planted identifier. Start and End are Unicode code-point
// offsets into Gold.Text, End exclusive; Type is a canonical PHI type name
// (NAME, LOCATION, DATE, AGE, PHONE, FAX, EMAIL, SSN, MRN, HEALTH_PLAN,
// ACCOUNT, LICENSE, VEHICLE, DEVICE, URL, IP, BIOMETRIC, ID).
type GoldSpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Type  string `json:"type"`
}

// Stats counts what a Generator has produced so far.
type Stats struct {
	Records int // all records returned by Next, poison included
	Poison  int // poison records among them
	// PoisonByKind counts poison records by kind, indexed like PoisonKinds.
	PoisonByKind [numPoisonKinds]int
}

// Generator produces synthetic records. It is not safe for concurrent use:
// give each goroutine its own Generator (with distinct seeds).
type Generator struct {
	opts  Options
	r     *rand.Rand
	tag   string // short seed-derived prefix that keeps patient ids of different seeds apart
	n     int    // records produced, numbers patient ids
	stats Stats
	note  noteBuilder // reused between records; its text is copied out
	buf   []byte      // reused JSON encoding buffer
}

// NewGenerator returns a Generator for opts. Poison is clamped to [0,1].
func NewGenerator(opts Options) *Generator {
	if !(opts.Poison > 0) { // also catches NaN
		opts.Poison = 0
	}
	if opts.Poison > 1 {
		opts.Poison = 1
	}
	g := &Generator{
		opts: opts,
		r:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
	}
	const hex = "0123456789abcdef"
	t := make([]byte, 4)
	for i := range t {
		t[3-i] = hex[(opts.Seed>>(4*uint(i)))&0xf]
	}
	g.tag = string(t)
	return g
}

// Next returns the next record as one JSON object (no trailing newline) with
// the gold spans of its note, or, with probability Options.Poison, poison
// bytes and a nil Gold. The returned slice is freshly allocated and belongs to
// the caller.
func (g *Generator) Next() (rec []byte, gold *Gold) {
	g.n++
	g.stats.Records++
	if g.opts.Poison > 0 && g.r.Float64() < g.opts.Poison {
		k := poisonKind(g.r.IntN(numPoisonKinds))
		g.stats.Poison++
		g.stats.PoisonByKind[k]++
		return g.poison(k), nil
	}
	p := g.newPatient()
	g.note.reset(g.r)
	writeNote(&g.note, g.r, &p)
	text := string(g.note.buf)
	p.note = text
	g.buf = appendRecord(g.buf[:0], &p)
	rec = make([]byte, len(g.buf))
	copy(rec, g.buf)
	spans := make([]GoldSpan, len(g.note.spans))
	copy(spans, g.note.spans)
	return rec, &Gold{ID: p.id, Text: text, Spans: spans}
}

// Stats reports what the Generator has produced so far.
func (g *Generator) Stats() Stats { return g.stats }
