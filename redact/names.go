package redact

// Built-in surrogate lists: common US given names, surnames, street names and
// cities, chosen to read naturally in clinical text. WithSurrogateNames and
// WithSurrogatePlaces replace them.

// Given names come in two lists so a surrogate keeps the apparent gender of
// a given name found in either list ("Anna" -> a female name).
var defaultMaleNames = []string{
	"James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Charles",
	"Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua",
	"Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan",
	"Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
	"Benjamin", "Samuel", "Gregory", "Alexander", "Frank", "Raymond", "Patrick", "Jack", "Dennis", "Jerry",
	"Tyler", "Aaron", "Jose", "Adam", "Nathan", "Henry", "Douglas", "Zachary", "Peter", "Kyle",
	"Noah", "Ethan", "Jeremy", "Walter", "Christian", "Keith", "Roger", "Terry", "Austin", "Sean",
	"Carlos", "Luis", "Wei", "Ahmed", "Raj",
}

var defaultFemaleNames = []string{
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
	"Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle",
	"Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen",
	"Amy", "Angela", "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen", "Samantha",
	"Katherine", "Christine", "Debra", "Rachel", "Carolyn", "Janet", "Catherine", "Maria", "Heather", "Diane",
	"Ruth", "Julie", "Olivia", "Joyce", "Virginia", "Victoria", "Kelly", "Lauren", "Christina", "Joan",
	"Evelyn", "Judith", "Megan", "Andrea", "Cheryl", "Hannah", "Jacqueline", "Martha", "Gloria", "Teresa",
	"Ana", "Sofia", "Mei", "Fatima", "Priya",
}

var defaultLastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
	"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
	"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
	"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
	"Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
	"Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
	"Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
	"Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson",
	"Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
	"Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
}

var defaultStreets = []string{
	"Maple", "Oak", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
	"Walnut", "Spruce", "Chestnut", "Lincoln", "Jackson", "Franklin", "Highland", "Sunset", "Ridge", "Meadow",
	"Willow", "Church", "Mill", "River", "Forest", "Spring", "Madison", "Jefferson", "Adams", "Cherry",
	"Birch", "Dogwood", "Hickory", "Magnolia", "Laurel", "Poplar", "Sycamore", "Valley", "Prospect", "Union",
}

var defaultCities = []string{
	"Springfield", "Riverside", "Fairview", "Franklin", "Greenville", "Bristol", "Clinton", "Salem", "Madison", "Georgetown",
	"Arlington", "Ashland", "Burlington", "Manchester", "Milton", "Oxford", "Dover", "Hudson", "Kingston", "Marion",
	"Newport", "Jackson", "Lexington", "Auburn", "Dayton", "Winchester", "Centerville", "Clayton", "Lebanon", "Florence",
	"Oakland", "Mount Vernon", "Lakewood", "Plymouth", "Cleveland", "Hamilton", "Glendale", "Chester", "Troy", "Shelby",
}

// locationKeep are words of addresses and facility names that are kept as
// written in a LOCATION surrogate: they carry the shape, not the identity.
var locationKeep = map[string]bool{
	"st": true, "street": true, "ave": true, "avenue": true, "rd": true, "road": true, "blvd": true,
	"boulevard": true, "dr": true, "drive": true, "ln": true, "lane": true, "ct": true, "court": true,
	"way": true, "pl": true, "place": true, "pkwy": true, "parkway": true, "hwy": true, "highway": true,
	"cir": true, "circle": true, "ter": true, "terrace": true, "sq": true, "square": true, "trl": true,
	"apt": true, "apartment": true, "suite": true, "ste": true, "unit": true, "floor": true, "fl": true,
	"po": true, "box": true, "n": true, "s": true, "e": true, "w": true, "ne": true, "nw": true, "se": true,
	"sw": true, "north": true, "south": true, "east": true, "west": true,
	"hospital": true, "medical": true, "center": true, "centre": true, "clinic": true, "health": true,
	"healthcare": true, "general": true, "memorial": true, "regional": true, "university": true,
	"community": true, "county": true, "saint": true, "of": true, "the": true, "and": true, "care": true,
	"nursing": true, "home": true, "rehabilitation": true, "rehab": true, "hospice": true, "children's": true,
}

// usStates are the USPS state abbreviations, kept in LOCATION surrogates:
// Safe Harbor allows the state, and "Boston MA" reads better as "Dover MA".
var usStates = map[string]bool{
	"AL": true, "AK": true, "AZ": true, "AR": true, "CA": true, "CO": true, "CT": true, "DE": true,
	"DC": true, "FL": true, "GA": true, "HI": true, "ID": true, "IL": true, "IN": true, "IA": true,
	"KS": true, "KY": true, "LA": true, "ME": true, "MD": true, "MA": true, "MI": true, "MN": true,
	"MS": true, "MO": true, "MT": true, "NE": true, "NV": true, "NH": true, "NJ": true, "NM": true,
	"NY": true, "NC": true, "ND": true, "OH": true, "OK": true, "OR": true, "PA": true, "RI": true,
	"SC": true, "SD": true, "TN": true, "TX": true, "UT": true, "VT": true, "VA": true, "WA": true,
	"WV": true, "WI": true, "WY": true, "PR": true,
}
