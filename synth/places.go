package synth

import (
	"math/rand/v2"
	"strconv"
)

// city is a real US city with its state, a ZIP prefix and an area code used
// there (public facts). Several are also English words ("Mobile", "Hope",
// "Reading", "Normal") on purpose.
type city struct {
	name, state, zip3, area string
}

var cities = []city{
	{"Boston", "MA", "021", "617"}, {"Worcester", "MA", "016", "508"}, {"Springfield", "IL", "627", "217"},
	{"Springfield", "MO", "658", "417"}, {"Quincy", "MA", "021", "617"}, {"Brockton", "MA", "023", "508"},
	{"Chicago", "IL", "606", "312"}, {"Houston", "TX", "770", "713"}, {"Dallas", "TX", "752", "214"},
	{"San Antonio", "TX", "782", "210"}, {"Phoenix", "AZ", "850", "602"}, {"Philadelphia", "PA", "191", "215"},
	{"Pittsburgh", "PA", "152", "412"}, {"Reading", "PA", "196", "610"}, {"Columbus", "OH", "432", "614"},
	{"Cleveland", "OH", "441", "216"}, {"Detroit", "MI", "482", "313"}, {"Warren", "MI", "480", "586"},
	{"Atlanta", "GA", "303", "404"}, {"Savannah", "GA", "314", "912"}, {"Miami", "FL", "331", "305"},
	{"Tampa", "FL", "336", "813"}, {"Orlando", "FL", "328", "407"}, {"Jacksonville", "FL", "322", "904"},
	{"Charlotte", "NC", "282", "704"}, {"Durham", "NC", "277", "919"}, {"Nashville", "TN", "372", "615"},
	{"Memphis", "TN", "381", "901"}, {"Louisville", "KY", "402", "502"}, {"Lexington", "KY", "405", "859"},
	{"Mobile", "AL", "366", "251"}, {"Birmingham", "AL", "352", "205"}, {"Jackson", "MS", "392", "601"},
	{"New Orleans", "LA", "701", "504"}, {"Hope", "AR", "718", "870"}, {"Little Rock", "AR", "722", "501"},
	{"Normal", "IL", "617", "309"}, {"Peoria", "IL", "616", "309"}, {"Independence", "MO", "640", "816"},
	{"Omaha", "NE", "681", "402"}, {"Lincoln", "NE", "685", "402"}, {"Denver", "CO", "802", "303"},
	{"Aurora", "CO", "800", "720"}, {"Salt Lake City", "UT", "841", "801"}, {"Boise", "ID", "837", "208"},
	{"Eugene", "OR", "974", "541"}, {"Portland", "OR", "972", "503"}, {"Salem", "OR", "973", "503"},
	{"Seattle", "WA", "981", "206"}, {"Spokane", "WA", "992", "509"}, {"Sacramento", "CA", "958", "916"},
	{"Fresno", "CA", "937", "559"}, {"Orange", "CA", "928", "714"}, {"San Diego", "CA", "921", "619"},
	{"Oakland", "CA", "946", "510"}, {"Los Angeles", "CA", "900", "213"}, {"Albuquerque", "NM", "871", "505"},
	{"Tucson", "AZ", "857", "520"}, {"Las Vegas", "NV", "891", "702"}, {"Minneapolis", "MN", "554", "612"},
	{"Rochester", "MN", "559", "507"}, {"Rochester", "NY", "146", "585"}, {"Buffalo", "NY", "142", "716"},
	{"Albany", "NY", "122", "518"}, {"Yonkers", "NY", "107", "914"}, {"Newark", "NJ", "071", "973"},
	{"Trenton", "NJ", "086", "609"}, {"Hartford", "CT", "061", "860"}, {"Providence", "RI", "029", "401"},
	{"Concord", "NH", "033", "603"}, {"Burlington", "VT", "054", "802"}, {"Portland", "ME", "041", "207"},
	{"Baltimore", "MD", "212", "410"}, {"Richmond", "VA", "232", "804"}, {"Norfolk", "VA", "235", "757"},
	{"Charleston", "SC", "294", "843"}, {"Columbia", "SC", "292", "803"}, {"Madison", "WI", "537", "608"},
	{"Milwaukee", "WI", "532", "414"}, {"Des Moines", "IA", "503", "515"}, {"Wichita", "KS", "672", "316"},
	{"Tulsa", "OK", "741", "918"}, {"Anchorage", "AK", "995", "907"}, {"Honolulu", "HI", "968", "808"},
	{"Billings", "MT", "591", "406"}, {"Fargo", "ND", "581", "701"}, {"Sioux Falls", "SD", "571", "605"},
	{"Cheyenne", "WY", "820", "307"}, {"Dover", "DE", "199", "302"}, {"Marion", "OH", "433", "740"},
	{"Troy", "NY", "121", "518"}, {"Florence", "AL", "356", "256"}, {"Victoria", "TX", "779", "361"},
}

// Counties, smaller than a state: Safe Harbor treats them as identifiers.
var counties = []string{"Suffolk County", "Cook County", "Harris County", "Maricopa County", "Kings County",
	"Middlesex County", "Orange County", "Wayne County", "Fulton County", "Travis County", "Essex County",
	"Franklin County", "Jefferson County", "Hamilton County", "Dade County", "Worcester County"}

// zip returns a 5-digit ZIP code in the city's 3-digit area.
func (c city) zip(r *rand.Rand) string {
	return c.zip3 + twoDigits(r.IntN(100))
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10%10), byte('0' + n%10)})
}

// Facility names are composed so that detectors cannot memorise a short list.
var (
	facilityHeads = []string{"Mercy", "St. Luke's", "Saint Anne's", "St. Mary's", "Good Samaritan",
		"Riverside", "Lakeview", "Baptist", "Presbyterian", "Providence", "Sacred Heart", "Holy Cross",
		"Beth Israel", "Kaiser", "Hillcrest", "Sunrise", "Valley", "Northside", "Fairview", "Brookside",
		"Cedar Ridge", "Oak Park", "Pine Grove", "Maplewood", "Harborview", "Bayside", "Summit",
		"St. Joseph's", "St. Vincent's", "Methodist", "Shriners", "Lutheran", "Children's", "Eastern Maine"}
	facilityMiddles = []string{"", "", "", "General", "Memorial", "Regional", "Community", "University",
		"County", "Medical", "Specialty"}
	facilityTails = []string{"Hospital", "Hospital", "Medical Center", "Medical Center", "Clinic",
		"Health Center", "Rehabilitation Center", "Nursing Home", "Manor", "Cardiology Associates",
		"Family Practice", "Urgent Care", "Dialysis Center", "Cancer Institute", "Behavioral Health",
		"Skilled Nursing Facility", "Imaging Center", "Pediatrics", "Surgical Center", "Hospice"}
)

// facility returns a facility name such as "Mercy General Hospital",
// "Boston Medical Center" or "Carter Memorial Hospital".
func facility(r *rand.Rand) string {
	var head string
	switch r.IntN(5) {
	case 0:
		head = cities[r.IntN(len(cities))].name
	case 1:
		head = surnames[r.IntN(len(surnames))]
	default:
		head = facilityHeads[r.IntN(len(facilityHeads))]
	}
	mid := facilityMiddles[r.IntN(len(facilityMiddles))]
	tail := facilityTails[r.IntN(len(facilityTails))]
	if mid == "" {
		return head + " " + tail
	}
	return head + " " + mid + " " + tail
}

// common suffix abbreviations, weighted ahead of the full USPS list.
var commonSuffixes = []string{"St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Pl", "Ter", "Cir",
	"Street", "Avenue", "Road", "Drive", "Lane", "Boulevard", "Court", "Place", "Pkwy", "Hwy"}

// streetLine returns "221 Maple Ave", sometimes with a unit ("Apt 3B").
func streetLine(r *rand.Rand) string {
	var b []byte
	if r.IntN(25) == 0 {
		b = append(b, []string{"PO Box ", "P.O. Box ", "POB "}[r.IntN(3)]...)
		return string(strconv.AppendInt(b, int64(1+r.IntN(9999)), 10))
	}
	switch r.IntN(10) {
	case 0:
		b = strconv.AppendInt(b, int64(1+r.IntN(9)), 10)
	case 1, 2, 3:
		b = strconv.AppendInt(b, int64(10+r.IntN(990)), 10)
	default:
		b = strconv.AppendInt(b, int64(100+r.IntN(19900)), 10)
	}
	if r.IntN(12) == 0 {
		b = append(b, ' ', "NSEW"[r.IntN(4)])
	}
	b = append(b, ' ')
	b = append(b, streetNames[r.IntN(len(streetNames))]...)
	b = append(b, ' ')
	switch n := r.IntN(10); {
	case n < 7:
		b = append(b, commonSuffixes[r.IntN(len(commonSuffixes))]...)
	case n < 9:
		b = append(b, streetSuffixes[r.IntN(len(streetSuffixes))]...)
	default:
		b = append(b, streetSuffixWords[r.IntN(len(streetSuffixWords))]...)
	}
	if r.IntN(4) == 0 {
		b = append(b, ' ')
		switch r.IntN(3) {
		case 0:
			b = append(b, "Apt "...)
		case 1:
			b = append(b, '#')
		default:
			b = append(b, unitDesignators[r.IntN(len(unitDesignators))]...)
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(1+r.IntN(40)), 10)
		if r.IntN(3) == 0 {
			b = append(b, byte('A'+r.IntN(6)))
		}
	}
	return string(b)
}
