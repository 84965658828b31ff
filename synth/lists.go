package synth

import (
	_ "embed"
	"strings"
)

// Public-domain lists (SSA, Census, USPS); see data/ATTRIBUTION.md.
var (
	//go:embed data/first_names.csv
	firstNamesCSV string
	//go:embed data/surnames.txt
	surnamesTXT string
	//go:embed data/streets.txt
	streetsTXT string
	//go:embed data/street_suffixes.csv
	suffixesCSV string
	//go:embed data/secondary_designators.csv
	designatorsCSV string
)

var (
	femaleNames, maleNames []string
	surnames               []string
	streetNames            []string
	streetSuffixes         []string // USPS abbreviations, title case ("Ave")
	streetSuffixWords      []string // full words, title case ("Avenue")
)

// Older-generation given names: the 2010 baby-name list alone would make every
// 80-year-old patient a "Jayden".
var (
	olderFemale = []string{"Mary", "Patricia", "Linda", "Barbara", "Elizabeth", "Dorothy", "Margaret",
		"Betty", "Helen", "Shirley", "Carol", "Judith", "Joan", "Frances", "Evelyn", "Gloria", "Doris",
		"Mildred", "Ruth", "Virginia", "Delores", "Bernice", "Gladys", "Irene", "Marjorie", "Lorraine",
		"Edna", "Agnes", "Thelma", "Beverly", "Janet", "Sandra", "Donna", "Deborah", "Brenda", "Cheryl"}
	olderMale = []string{"Robert", "John", "James", "William", "Richard", "Charles", "Donald", "George",
		"Kenneth", "Raymond", "Harold", "Walter", "Arthur", "Ralph", "Eugene", "Howard", "Carl", "Gerald",
		"Roger", "Lawrence", "Wayne", "Harry", "Leonard", "Herbert", "Stanley", "Clarence", "Earl",
		"Norman", "Frank", "Dennis", "Gary", "Larry", "Douglas", "Terry", "Bruce", "Glenn"}
)

// Names that are also ordinary English words: the hard cases for detectors
// that lean on dictionaries and capitalisation.
var (
	wordFemale = []string{"Rose", "Hope", "Faith", "Grace", "Joy", "June", "April", "May", "Dawn",
		"Summer", "Iris", "Ivy", "Penny", "Crystal", "Amber", "Holly", "Pearl", "Ruby", "Olive",
		"Violet", "Daisy", "Autumn", "Charity", "Patience", "Sunny", "Star", "Sue", "Pat", "Jewel", "Honey"}
	wordMale = []string{"Will", "Grant", "Mark", "Bill", "Jack", "Frank", "Art", "Guy", "Rich", "Bob",
		"Hunter", "Chase", "Wade", "Miles", "Dean", "Drew", "Gene", "Earl", "Ray", "Pat", "Sonny",
		"Rusty", "Cliff", "Lance", "Bud", "Buck", "Duke", "Sterling", "Royal", "Hardy"}
	wordSurnames = []string{"Brown", "Young", "White", "Black", "Green", "King", "Hill", "Wood", "Stone",
		"Rice", "Hope", "Bell", "Moody", "Long", "Short", "Sharp", "Price", "Church", "Cook", "Baker",
		"Hunter", "Fisher", "Mason", "Bush", "Frost", "Snow", "Rose", "Lane", "Banks", "Wells", "Love",
		"Little", "Strong", "Cross", "Means", "Best", "Story", "Gross", "Hale", "Savage", "Small",
		"Sweet", "Swift", "Wise", "Ward", "Parks", "Marsh", "Field", "Rivers", "Hardy", "Walker", "Page"}
)

// Names with letters outside ASCII, so code-point offsets differ from byte
// offsets and detectors meet accented text.
var (
	accentFemale   = []string{"María", "Zoë", "Renée", "Chloé", "Inés", "Ana Lucía", "Małgorzata", "Björk", "Nguyệt", "Siobhán"}
	accentMale     = []string{"José", "Jesús", "André", "Raúl", "Joël", "Søren", "Łukasz", "Ramón", "Đức", "Seán"}
	accentSurnames = []string{"Ramírez", "Peña", "Müller", "Núñez", "Gómez", "Hernández", "Øster", "Nguyễn",
		"Wójcik", "O'Brien", "Ramírez-Ochoa", "Da Silva", "Côté", "Jiménez", "Saint-Pierre"}
)

func init() {
	for _, line := range lines(firstNamesCSV) {
		name, sex, _ := strings.Cut(line, ",")
		if sex == "F" {
			femaleNames = append(femaleNames, name)
		} else {
			maleNames = append(maleNames, name)
		}
	}
	surnames = lines(surnamesTXT)
	streetNames = lines(streetsTXT)
	for _, line := range lines(suffixesCSV) {
		word, abbr, _ := strings.Cut(line, ",")
		streetSuffixWords = append(streetSuffixWords, titleCase(word))
		streetSuffixes = append(streetSuffixes, titleCase(abbr))
	}
	for _, line := range lines(designatorsCSV) {
		word, abbr, _ := strings.Cut(line, ",")
		unitDesignators = append(unitDesignators, titleCase(word), strings.ToUpper(abbr))
	}
}

// unitDesignators holds "Apartment" and "APT" style secondary unit words.
var unitDesignators []string

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}
