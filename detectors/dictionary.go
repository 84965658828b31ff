package detectors

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed data/first.txt.gz data/last.txt.gz data/common.txt.gz data/wordlike.txt.gz data/streets.txt data/cities.txt.gz
var dataFS embed.FS

// ErrDictionary means an embedded dictionary could not be read (a broken build).
var ErrDictionary = errors.New("embedded dictionary unreadable")

// Word classes: one map from a lower-cased word to the classes it belongs to keeps
// memory low (one key per word) and needs one lookup per token.
const (
	wFirst      uint32 = 1 << iota // a first name
	wLast                          // a surname
	wCommon                        // an ordinary English or medical word (philter whitelist)
	wStreet                        // a street suffix ("St", "Avenue")
	wUnit                          // a secondary unit designator ("Apt", "Suite")
	wStreetName                    // a common street name ("Main", "Oak")
	wMonth                         // a month name or abbreviation
	wWeekday                       // a weekday name or abbreviation
	wTitle                         // a person title ("Dr", "Mrs")
	wStop                          // a function word that is never a name on its own
	wState                         // a US state name or postal code
	wMedical                       // a clinical word or abbreviation that dictionaries list as a name
	wCountry                       // a country name or a word of one ("Kingdom", "Zealand")
	// Keyword classes: set for the keys of the detectors' small word tables so the
	// hot loops consult a table only when the token's class says it is there.
	wLabel      // an identifier label (ctxWords)
	wNameCue    // a word before names (nameCueBefore)
	wPlaceCue   // a word before places (placeCue)
	wFacility   // a word ending facility or county names
	wHoliday    // a holiday name
	wConnector  // a connector inside place names (placeConnector)
	wLead       // a word starting street names in other languages (streetLead)
	wTail       // a word ending facility names after a proper noun (facilityTail)
	wCity       // a city or town of the GeoNames gazetteer (one word, or the space-joined words of a longer name)
	wCityHead   // the first word of a gazetteer city name of several words ("los" of "Los Angeles")
	wCityPlain  // a gazetteer city name made only of ordinary words ("long beach", "green bay")
	wCityTail   // a later word of a gazetteer city name of several words ("angeles" of "Los Angeles")
	wRegion     // the first word of a country or state name (regionPhrases)
	wFiller     // a word skipped between a label and its value (ctxFiller)
	wCredential // a credential after a name (nameCueAfter)
	wEponym     // the first word of an eponym phrase (eponymPhrases)
	wSlotCue    // a staff role before a name or a transfer verb before a place (staffCue, transferCue)
)

// dictionary maps lower-case words to their classes. Read-only after load: safe
// for concurrent use.
//
// It is an open-addressing table of 64-bit FNV-1a hashes rather than a Go map:
// one probe usually touches one cache line and no string data, which makes the
// per-token lookup (the hot path of Detect) several times faster and the table
// about 10 MB instead of 30+ MB. Two different words colliding on 64 bits is
// negligible (about 1e-8 for the whole dictionary).
type dictionary struct {
	keys []uint64 // hash|1, 0 = empty
	vals []uint32
	mask uint64
	n    int
}

const dictSlots = 1 << 20 // ~1.8x the ~570k words and city names: short probe sequences

var loadDictionary = sync.OnceValues(func() (*dictionary, error) {
	d := &dictionary{keys: make([]uint64, dictSlots), vals: make([]uint32, dictSlots), mask: dictSlots - 1}
	for _, f := range []struct {
		file  string
		class uint32
	}{{"data/first.txt.gz", wFirst}, {"data/last.txt.gz", wLast}, {"data/common.txt.gz", wCommon},
		{"data/wordlike.txt.gz", wCommon}} {
		if err := d.loadGzip(f.file, f.class); err != nil {
			return nil, err
		}
	}
	if err := d.loadCities("data/cities.txt.gz"); err != nil {
		return nil, err
	}
	raw, err := dataFS.ReadFile("data/streets.txt")
	if err != nil {
		return nil, fmt.Errorf("reading streets.txt: %w: %v", ErrDictionary, err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		kind, term, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		switch kind {
		case "suffix":
			d.add(term, wStreet)
		case "unit":
			d.add(term, wUnit)
		case "street":
			d.add(term, wStreetName)
		}
	}
	d.add("box", wUnit) // "PO Box", "PSC 0413, Box 8144"
	// Street words of other languages written as a word of their own: "Villacher Strasse 89".
	for _, w := range []string{"strasse", "straße", "gasse", "weg", "platz", "allee", "straat", "laan", "gata",
		"gatan", "vej", "vegen", "katu", "ulica", "utca", "calle", "rua", "viale", "chaussee", "close"} {
		d.add(w, wStreet)
	}
	d.addAll(months, wMonth)
	d.addAll(weekdays, wWeekday)
	d.addAll(personTitles, wTitle)
	d.addAll(stopWords, wStop)
	d.addAll(usStates, wState)
	for _, name := range countryNames {
		for _, w := range strings.Fields(name) {
			if !placeConnector[w] && w != "great" && w != "northern" && w != "cape" {
				d.add(w, wCountry) // "Kingdom", "Zealand": address blocks continue over them
			}
		}
	}
	addKeys(d, regionPhrases, wRegion)
	addKeys(d, ctxWords, wLabel)
	addKeys(d, ctxFiller, wFiller)
	addKeys(d, nameCueAfter, wCredential)
	addKeys(d, eponymPhrases, wEponym)
	addKeys(d, nameCueBefore, wNameCue)
	addKeys(d, placeCue, wPlaceCue)
	addKeys(d, staffCue, wSlotCue)
	addKeys(d, transferCue, wSlotCue)
	for w, ok := range facilityWords {
		if ok {
			d.add(w, wFacility)
		}
	}
	d.addAll([]string{"county", "parish", "township", "borough"}, wFacility)
	addKeys(d, holidays, wHoliday)
	addKeys(d, placeConnector, wConnector)
	addKeys(d, streetLead, wLead)
	addKeys(d, facilityTail, wTail)
	d.addAll(medicalNotNames, wMedical|wCommon)
	d.addAll(vehicleBodies, wCommon)
	return d, nil
})

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashLower hashes the lower-case form of w (FNV-1a of strings.ToLower(w)) without allocating.
func hashLower(w string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return hashLowerRunes(h, w[i:])
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h | 1
}

// hashLowerRunes continues h over s lower-cased rune by rune, as strings.ToLower
// writes it (unicode.ToLower of each rune; an invalid byte becomes U+FFFD), so
// words with accents are looked up without building their lower-case copy.
func hashLowerRunes(h uint64, s string) uint64 {
	var buf [utf8.UTFMax]byte
	for _, r := range s {
		n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
		for _, b := range buf[:n] {
			h ^= uint64(b)
			h *= fnvPrime
		}
	}
	return h | 1
}

func hashBytes(w string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= fnvPrime
	}
	return h | 1
}

// add ORs class c into the entry of the lower-case word w.
// addAll gives every word of ws the class c.
func (d *dictionary) addAll(ws []string, c uint32) {
	for _, w := range ws {
		d.add(w, c)
	}
}

// addKeys gives every key of m the class c: the keyword tables of the detectors.
func addKeys[V any](d *dictionary, m map[string]V, c uint32) {
	for w := range m {
		d.add(w, c)
	}
}

func (d *dictionary) add(w string, c uint32) {
	h := hashLower(w)
	for i := (h ^ h>>29) & d.mask; ; i = (i + 1) & d.mask {
		switch d.keys[i] {
		case h:
			d.vals[i] |= c
			return
		case 0:
			if d.n >= len(d.keys)*3/4 {
				return // full: a build with far more words than dictSlots allows; never in practice
			}
			d.keys[i], d.vals[i] = h, c
			d.n++
			return
		}
	}
}

func (d *dictionary) loadGzip(name string, class uint32) error {
	f, err := dataFS.Open(name)
	if err != nil {
		return fmt.Errorf("opening %s: %w: %v", name, ErrDictionary, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("decompressing %s: %w: %v", name, ErrDictionary, err)
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		w := bytes.TrimSpace(sc.Bytes())
		if len(w) == 0 {
			continue
		}
		d.add(string(w), class)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w: %v", name, ErrDictionary, err)
	}
	return nil
}

// loadCities adds the gazetteer: each name as wCity (a name of several words under the hash of its
// space-joined words; wCityPlain for the lines marked "=", names made of ordinary words) and the first
// word of a longer name as wCityHead and its other words as wCityTail, so the detector tries a phrase
// lookup only where one can match.
func (d *dictionary) loadCities(name string) error {
	f, err := dataFS.Open(name)
	if err != nil {
		return fmt.Errorf("opening %s: %w: %v", name, ErrDictionary, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("decompressing %s: %w: %v", name, ErrDictionary, err)
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		class := wCity
		if plain, ok := strings.CutPrefix(line, "="); ok {
			line, class = plain, wCityPlain
		}
		d.add(line, class)
		if head, rest, ok := strings.Cut(line, " "); ok {
			d.add(head, wCityHead)
			for _, w := range strings.Fields(rest) {
				d.add(w, wCityTail)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w: %v", name, ErrDictionary, err)
	}
	return nil
}

// lookup returns the classes of w (any case); 0 when unknown.
func (d *dictionary) lookup(w string) uint32 { return d.lookupHash(hashLower(w)) }

// lookupHash returns the classes of the word with hash h (from hashLower).
func (d *dictionary) lookupHash(h uint64) uint32 {
	for i := (h ^ h>>29) & d.mask; ; i = (i + 1) & d.mask {
		switch d.keys[i] {
		case h:
			return d.vals[i]
		case 0:
			return 0
		}
	}
}

// Small closed word lists: facts of the language, written here rather than embedded.
var (
	months = []string{"january", "february", "march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
		"aug", "sep", "sept", "oct", "nov", "dec"}
	weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
	personTitles = []string{"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "doctor",
		"sr", "sra", "srta", "herr", "frau", "mme", "mlle", "madam", "sir", "dame", "rev", "fr", "nurse"}
	stopWords = []string{"a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for",
		"with", "by", "from", "as", "is", "was", "are", "were", "be", "been", "has", "had", "have",
		"he", "she", "his", "her", "him", "they", "them", "their", "we", "our", "you", "your", "i",
		"it", "its", "this", "that", "these", "those", "who", "whom", "which", "what", "when",
		"where", "why", "how", "not", "no", "yes", "if", "then", "than", "so", "also", "per",
		"via", "into", "onto", "upon", "after", "before", "during", "since", "until", "while",
		"my", "me", "mine", "us", "do", "does", "did", "will", "would", "can", "could", "should",
		"may", "might", "must", "shall", "all", "any", "some", "each", "every", "other", "such",
		"here", "there", "about", "over", "under", "again", "further", "once", "only", "own",
		"same", "too", "very", "just", "now", "pt", "patient", "hi", "hello", "dear", "thanks",
		"thank", "please", "re", "cc", "note", "notes"}
	usStates = []string{"alabama", "alaska", "arizona", "arkansas", "california", "colorado",
		"connecticut", "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana",
		"iowa", "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
		"minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada", "ohio", "oklahoma",
		"oregon", "pennsylvania", "tennessee", "texas", "utah", "vermont", "virginia", "washington",
		"wisconsin", "wyoming", "al", "ak", "az", "ar", "ca", "co", "ct", "de", "fl", "ga", "hi",
		"id", "il", "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne",
		"nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn",
		"tx", "ut", "vt", "va", "wa", "wv", "wi", "wy", "dc"}
	// Kinds of vehicle the common-word list lacks, said of a crash ("2014 sedan"): words, not names.
	vehicleBodies = []string{"sedan", "sedans", "coupe", "minivan", "minivans", "hatchbacks", "motorbike",
		"moped", "scooter", "snowmobile", "atv", "rv"}
	// Clinical words and abbreviations that name lists also contain; never a name alone.
	medicalNotNames = []string{"pt", "pts", "hx", "dx", "rx", "tx", "sx", "fx", "bp", "hr", "rr",
		"temp", "sob", "cp", "ekg", "ecg", "cxr", "ct", "mri", "er", "ed", "icu", "or", "pacu",
		"prn", "bid", "tid", "qid", "qd", "qhs", "po", "iv", "im", "sq", "sc", "mg", "mcg", "ml",
		"nkda", "nad", "wnl", "rrr", "ctab", "htn", "dm", "cad", "chf", "copd", "ckd", "esrd",
		"afib", "mi", "cva", "tia", "dvt", "pe", "uti", "gerd", "ams", "loc", "rom", "gi", "gu",
		"ent", "heent", "neuro", "psych", "cardio", "pulm", "renal", "abd", "ext", "labs", "lab",
		"wbc", "rbc", "hgb", "hct", "plt", "bmp", "cbc", "cmp", "inr", "ptt", "bun", "cr", "na",
		"k", "cl", "co2", "glu", "ca", "mg", "phos", "alt", "ast", "alk", "bili", "trop", "bnp",
		"a1c", "ldl", "hdl", "tsh", "ua", "us", "echo", "cath", "stat", "npo", "dnr", "dni",
		"md", "do", "rn", "np", "pa", "lpn", "cna", "phd", "dds", "pharmd", "msw", "lcsw", "pt.",
		"mrn", "dob", "ssn", "id", "acct", "fax", "tel", "ph", "cell", "home", "work", "mobile",
		"allergies", "meds", "plan", "assessment", "impression", "hpi", "ros", "pmh", "psh",
		"fh", "sh", "vitals", "exam", "follow", "discharge", "admission", "admit", "admitted",
		"signed", "electronically", "attending", "resident", "intern", "fellow", "consult",
		"service", "unit", "floor", "room", "bed", "clinic", "hospital", "center", "medical",
		"health", "care", "general", "memorial", "regional", "community", "university",
		"saint", "st", "mount", "mt", "north", "south", "east", "west", "new", "old", "great",
		// Payers and pharmacy chains: organizations, not persons or places.
		"cigna", "aetna", "humana", "kaiser", "permanente", "unitedhealthcare", "anthem", "tricare", "molina",
		"highmark", "wellcare", "medicare", "medicaid", "bcbs", "cvs", "walgreens", "walmart", "kroger",
		"costco", "centene", "ambetter", "optum", "pharmacy"}
)
