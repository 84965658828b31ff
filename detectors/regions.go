package detectors

import "strings"

// States and countries (LOCATION):
//
//	country   Estonia; the Czech Republic; United Kingdom; SWITZERLAND; "originally from norway"
//	state     Massachusetts; New Mexico; North Carolina (names; "MA" only inside an address, locations.go)
//
// Safe Harbor lets a release keep both, but the i2b2/n2c2 and Presidio annotations count them as
// locations, and in a small cohort a country of origin ("moved here from Estonia") narrows who a
// patient is far more than its share of the text. So they are reported by default, and inside an
// address block the whole block is one span; detection.safe_harbor_places_only: true keeps them.
func init() {
	register(Spec{Name: "regions", Types: []Type{Location},
		Description: "country and US state names (Safe Harbor allows both: off with safe_harbor_places_only)",
		Fields: []Field{{Name: "safe_harbor_places_only", Kind: "bool", Default: "false",
			Description: "true: report only places smaller than a state; country and state names are kept"}}},
		detectRegions)
}

// countryNames are written as they are usually spelled out; every word of them gets the
// wCountry class, which address blocks also use.
var countryNames = []string{"afghanistan", "albania", "algeria", "andorra", "angola", "argentina", "armenia",
	"australia", "austria", "azerbaijan", "bahamas", "bahrain", "bangladesh", "barbados", "belarus", "belgium",
	"belize", "benin", "bhutan", "bolivia", "bosnia", "bosnia and herzegovina", "botswana", "brazil", "brunei",
	"bulgaria", "burkina faso", "burundi", "cambodia", "cameroon", "canada", "cape verde", "chad", "chile",
	"china", "colombia", "comoros", "congo", "costa rica", "croatia", "cuba", "cyprus", "czech republic",
	"czechia", "denmark", "djibouti", "dominica", "dominican republic", "east timor", "ecuador", "egypt",
	"el salvador", "england", "eritrea", "estonia", "eswatini", "ethiopia", "fiji", "finland", "france",
	"gabon", "gambia", "germany", "ghana", "great britain", "greece", "greenland", "grenada", "guatemala",
	"guinea", "guyana", "haiti", "honduras", "hong kong", "hungary", "iceland", "india", "indonesia", "iran",
	"iraq", "ireland", "israel", "italy", "ivory coast", "jamaica", "japan", "jordan", "kazakhstan", "kenya",
	"kiribati", "korea", "kosovo", "kuwait", "kyrgyzstan", "laos", "latvia", "lebanon", "lesotho", "liberia",
	"libya", "liechtenstein", "lithuania", "luxembourg", "madagascar", "malawi", "malaysia", "maldives", "mali",
	"malta", "mauritania", "mauritius", "mexico", "micronesia", "moldova", "monaco", "mongolia", "montenegro",
	"morocco", "mozambique", "myanmar", "namibia", "nauru", "nepal", "netherlands", "new zealand", "nicaragua",
	"niger", "nigeria", "north korea", "north macedonia", "northern ireland", "norway", "oman", "pakistan",
	"palau", "palestine", "panama", "papua new guinea", "paraguay", "peru", "philippines", "poland",
	"portugal", "puerto rico", "qatar", "romania", "russia", "rwanda", "samoa", "saudi arabia", "scotland",
	"senegal", "serbia", "seychelles", "sierra leone", "singapore", "slovakia", "slovenia", "somalia",
	"south africa", "south korea", "south sudan", "spain", "sri lanka", "sudan", "suriname", "sweden",
	"switzerland", "syria", "taiwan", "tajikistan", "tanzania", "thailand", "togo", "tonga",
	"trinidad and tobago", "tunisia", "turkey", "turkmenistan", "tuvalu", "uganda", "ukraine",
	"united arab emirates", "united kingdom", "united states", "united states of america", "uruguay",
	"uzbekistan", "vanuatu", "venezuela", "vietnam", "wales", "yemen", "zambia", "zimbabwe", "usa", "uk", "uae"}

// stateNames of more than one word; one-word names are in usStates.
var stateNames = []string{"new hampshire", "new jersey", "new mexico", "new york", "north carolina",
	"north dakota", "south carolina", "south dakota", "west virginia", "rhode island", "district of columbia"}

// regionPhrases maps the first word of a country or state name to the names starting with it, as words.
var regionPhrases = func() map[string][][]string {
	m := make(map[string][][]string, len(countryNames)+len(usStates))
	add := func(name string) {
		w := strings.Fields(name)
		m[w[0]] = append(m[w[0]], w)
	}
	for _, n := range countryNames {
		add(n)
	}
	for _, n := range stateNames {
		add(n)
	}
	for _, n := range usStates {
		if len(n) > 2 { // "MA", "OR", "IN" alone are abbreviations of much else
			add(n)
		}
	}
	return m
}()

// Words after a country name that make it part of a medical term: "India ink", "Congo red",
// "Brazil nuts", "guinea pig", "Malta fever".
var regionCompound = map[string]bool{"ink": true, "red": true, "nut": true, "nuts": true, "pig": true,
	"pigs": true, "fever": true, "flu": true, "worm": true, "ginger": true, "tea": true, "virus": true}

// Names that are also ordinary words: reported only after a place cue or mid-sentence in title case.
var regionOrdinary = map[string]bool{"turkey": true, "china": true, "chile": true, "guinea": true, "wales": true}

func detectRegions(sc *scan) {
	keep := sc.e.cfg.SafeHarborPlacesOnly
	if keep && sc.veto == nil {
		return
	}
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		if toks[i].kind != tWord || sc.cls[i]&wRegion == 0 {
			continue
		}
		last := sc.regionPhrase(i)
		if last < 0 {
			continue
		}
		if score := sc.regionScore(i, last); score > 0 && keep {
			sc.vetoTokens(toks[i].s, toks[last].e) // kept on purpose: the scorer may not report it either
		} else if score > 0 {
			sc.addSure(toks[i].s, toks[last].e, Location, score)
		}
		i = last
	}
}

// regionPhrase returns the last token of the longest country or state name starting at token i, or -1.
// The words of a name are consecutive word tokens on one line ("Guinea-Bissau" matches "guinea" only).
func (sc *scan) regionPhrase(i int) int {
	best := -1
	for _, p := range regionPhrases[sc.lw(i)] {
		k, ok := i, true
		for j := 1; j < len(p) && ok; j++ {
			k++
			ok = k < len(sc.toks) && sc.toks[k].kind == tWord && !sc.toks[k].has(fNewline) && sc.lw(k) == p[j]
		}
		if ok && k > best {
			best = k
		}
	}
	return best
}

// regionScore scores the name in tokens i..last, or returns 0 where it is not a place:
// lower case without a place cue ("chronic turkey intolerance"), a word that is also ordinary
// ("turkey", "china") without a cue, or part of a medical term ("India ink").
func (sc *scan) regionScore(i, last int) float64 {
	toks := sc.toks
	capital := true
	for k := i; k <= last; k++ {
		if !(toks[k].has(fCap) || toks[k].has(fUpper)) && !placeConnector[sc.lw(k)] {
			capital = false
		}
	}
	if i == last && toks[i].e-toks[i].s <= 3 {
		if !toks[i].has(fUpper) || sc.lineUpper(i) {
			return 0 // "usa", "Uk", or "UK" in a line of capitals: not clearly the abbreviation
		}
		capital = true // "USA", "UK"
	}
	if n := sc.nextWordIdx(last, 0); n >= 0 && regionCompound[sc.lw(n)] {
		return 0
	}
	p := sc.prevWordIdx(i, 0)
	if p > 0 && sc.isWord(p, "of") && sc.isWord(p-1, "balsam") {
		return 0 // "Balsam of Peru", a contact allergen
	}
	cued := false
	if p >= 0 {
		if _, ok := placeCue[sc.lw(p)]; ok {
			cued = true
		} else if sc.isWord(p, "the") {
			if q := sc.prevWordIdx(p, 0); q >= 0 {
				_, cued = placeCue[sc.lw(q)]
			}
		}
	}
	ordinary := i == last && regionOrdinary[sc.lw(i)]
	switch {
	case !capital && (!cued || ordinary):
		return 0
	case ordinary && !cued && (sc.sentenceStart(i) || sc.lineUpper(i)):
		return 0 // "Turkey sandwich at lunch", "CHINA" in a heading
	case cued:
		return 0.75
	}
	return 0.6
}
