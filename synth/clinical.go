package synth

import (
	"math/rand/v2"
	"strconv"
)

// Clinical vocabulary: the non-PHI content a detector must leave alone.
// Codes and descriptions are ICD-10-CM facts.

type diagnosis struct{ code, text, abbr string }

var diagnoses = []diagnosis{
	{"E11.9", "type 2 diabetes mellitus without complications", "DM2"},
	{"E11.65", "type 2 diabetes mellitus with hyperglycemia", "uncontrolled DM2"},
	{"I10", "essential hypertension", "HTN"},
	{"J44.1", "COPD with acute exacerbation", "COPD exacerbation"},
	{"I50.9", "heart failure, unspecified", "CHF"},
	{"I50.23", "acute on chronic systolic heart failure", "acute on chronic HFrEF"},
	{"N17.9", "acute kidney injury", "AKI"},
	{"J18.9", "pneumonia, unspecified organism", "PNA"},
	{"A41.9", "sepsis, unspecified organism", "sepsis"},
	{"I21.4", "non-ST elevation myocardial infarction", "NSTEMI"},
	{"I48.91", "atrial fibrillation", "AFib"},
	{"N39.0", "urinary tract infection", "UTI"},
	{"K85.90", "acute pancreatitis", "pancreatitis"},
	{"K35.80", "acute appendicitis", "appendicitis"},
	{"S72.001A", "fracture of neck of right femur", "R hip fx"},
	{"I63.9", "cerebral infarction", "CVA"},
	{"E87.1", "hyponatremia", "hypoNa"},
	{"J45.901", "asthma with acute exacerbation", "asthma exacerbation"},
	{"L03.115", "cellulitis of right lower limb", "RLE cellulitis"},
	{"K92.2", "gastrointestinal hemorrhage", "GIB"},
	{"R07.9", "chest pain, unspecified", "CP"},
	{"R55", "syncope and collapse", "syncope"},
	{"G40.909", "epilepsy, not intractable", "seizure disorder"},
	{"C34.90", "malignant neoplasm of lung", "lung ca"},
	{"D64.9", "anemia, unspecified", "anemia"},
	{"E86.0", "dehydration", "dehydration"},
	{"M17.11", "primary osteoarthritis, right knee", "R knee OA"},
	{"K57.32", "diverticulitis of large intestine", "diverticulitis"},
	{"I26.99", "pulmonary embolism", "PE"},
	{"I82.401", "deep vein thrombosis of right lower extremity", "RLE DVT"},
	{"U07.1", "COVID-19", "COVID"},
	{"F32.9", "major depressive disorder, single episode", "MDD"},
	{"R41.82", "altered mental status", "AMS"},
	{"E03.9", "hypothyroidism", "hypothyroid"},
	{"N18.30", "chronic kidney disease, stage 3", "CKD 3"},
	{"I25.10", "coronary artery disease", "CAD"},
	{"F10.20", "alcohol dependence", "EtOH use d/o"},
	{"G30.9", "Alzheimer's disease", "dementia"},
	{"J96.01", "acute respiratory failure with hypoxia", "hypoxic resp failure"},
	{"K80.20", "cholelithiasis", "gallstones"},
}

var conditions = []string{"HTN", "hypertension", "DM2", "diabetes", "CAD", "CHF", "COPD", "asthma", "CKD",
	"afib", "hyperlipidemia", "HLD", "GERD", "OSA", "obesity", "hypothyroidism", "depression", "anxiety",
	"osteoarthritis", "BPH", "prior CVA", "PVD", "anemia", "gout", "migraine", "DVT", "breast cancer",
	"prostate cancer", "dementia", "Parkinson's disease", "seizure disorder", "cirrhosis", "HIV", "hepatitis C"}

var symptoms = []string{"chest pain", "shortness of breath", "abdominal pain", "nausea and vomiting",
	"fever", "chills", "productive cough", "dizziness", "headache", "back pain", "weakness", "fatigue",
	"confusion", "leg swelling", "palpitations", "dysuria", "diarrhea", "syncope", "fall", "rash",
	"brown sputum", "hemoptysis", "melena", "blurry vision", "numbness in the left arm", "poor appetite",
	"weight loss", "wheezing", "joint pain", "worsening knee pain", "epigastric pain", "hematuria"}

var meds = []struct{ name, dose, route, freq string }{
	{"metoprolol tartrate", "25 mg", "PO", "BID"}, {"lisinopril", "10 mg", "PO", "daily"},
	{"metformin", "500 mg", "PO", "BID"}, {"atorvastatin", "40 mg", "PO", "qHS"},
	{"aspirin", "81 mg", "PO", "daily"}, {"furosemide", "40 mg", "IV", "BID"},
	{"insulin glargine", "20 units", "SC", "qHS"}, {"insulin lispro", "4 units", "SC", "TID AC"},
	{"apixaban", "5 mg", "PO", "BID"}, {"warfarin", "5 mg", "PO", "daily"},
	{"levothyroxine", "75 mcg", "PO", "daily"}, {"amlodipine", "5 mg", "PO", "daily"},
	{"omeprazole", "20 mg", "PO", "daily"}, {"pantoprazole", "40 mg", "IV", "q12h"},
	{"acetaminophen", "650 mg", "PO", "q6h PRN"}, {"oxycodone", "5 mg", "PO", "q4h PRN"},
	{"ondansetron", "4 mg", "IV", "q8h PRN"}, {"ceftriaxone", "1 g", "IV", "q24h"},
	{"vancomycin", "1250 mg", "IV", "q12h"}, {"piperacillin-tazobactam", "4.5 g", "IV", "q8h"},
	{"prednisone", "40 mg", "PO", "daily x5 days"}, {"albuterol", "2.5 mg", "neb", "q4h PRN"},
	{"heparin", "5000 units", "SC", "q8h"}, {"enoxaparin", "40 mg", "SC", "daily"},
	{"gabapentin", "300 mg", "PO", "TID"}, {"sertraline", "50 mg", "PO", "daily"},
	{"tamsulosin", "0.4 mg", "PO", "qHS"}, {"donepezil", "10 mg", "PO", "qHS"},
	{"carvedilol", "12.5 mg", "PO", "BID"}, {"spironolactone", "25 mg", "PO", "daily"},
	{"potassium chloride", "20 mEq", "PO", "daily"}, {"ibuprofen", "600 mg", "PO", "TID PRN"},
	{"amoxicillin-clavulanate", "875 mg", "PO", "BID x7 days"}, {"hydralazine", "10 mg", "IV", "q6h PRN"},
	{"lorazepam", "0.5 mg", "PO", "qHS PRN"}, {"tramadol", "50 mg", "PO", "q6h PRN"},
}

func medLine(r *rand.Rand) string {
	m := meds[r.IntN(len(meds))]
	switch r.IntN(4) {
	case 0:
		return m.name + " " + m.dose
	case 1:
		return m.name + " " + m.dose + " " + m.freq
	default:
		return m.name + " " + m.dose + " " + m.route + " " + m.freq
	}
}

func vitals(r *rand.Rand) string {
	sys := 95 + r.IntN(80)
	dia := 50 + r.IntN(45)
	hr := 50 + r.IntN(70)
	rr := 12 + r.IntN(14)
	t := 970 + r.IntN(40)
	spo2 := 86 + r.IntN(14)
	temp := strconv.Itoa(t/10) + "." + strconv.Itoa(t%10)
	switch r.IntN(4) {
	case 0:
		return "BP " + strconv.Itoa(sys) + "/" + strconv.Itoa(dia) + " HR " + strconv.Itoa(hr) + " RR " +
			strconv.Itoa(rr) + " T " + temp + " SpO2 " + strconv.Itoa(spo2) + "% RA"
	case 1:
		return "T " + temp + ", P " + strconv.Itoa(hr) + ", BP " + strconv.Itoa(sys) + "/" + strconv.Itoa(dia) +
			", R " + strconv.Itoa(rr) + ", O2 sat " + strconv.Itoa(spo2) + "% on " + strconv.Itoa(1+r.IntN(4)) + "L NC"
	case 2:
		return "Vitals: temp " + temp + "°F, pulse " + strconv.Itoa(hr) + ", blood pressure " + strconv.Itoa(sys) +
			"/" + strconv.Itoa(dia) + ", respirations " + strconv.Itoa(rr)
	default:
		return "BP " + strconv.Itoa(sys) + "/" + strconv.Itoa(dia) + ", HR " + strconv.Itoa(hr) + ", afebrile, " +
			strconv.Itoa(spo2) + "% on room air, wt " + strconv.Itoa(45+r.IntN(90)) + " kg"
	}
}

var labNames = []struct {
	name     string
	lo, span float64
	dec      int
}{
	{"Na", 128, 16, 0}, {"K", 3.1, 2.2, 1}, {"Cl", 95, 15, 0}, {"HCO3", 18, 12, 0}, {"BUN", 8, 50, 0},
	{"Cr", 0.6, 2.8, 1}, {"glucose", 70, 300, 0}, {"WBC", 3.5, 16, 1}, {"Hgb", 7.2, 8, 1},
	{"Plt", 90, 350, 0}, {"INR", 0.9, 2.5, 1}, {"troponin", 0.01, 0.4, 2}, {"A1c", 5.4, 6, 1},
	{"lactate", 0.8, 4, 1}, {"BNP", 40, 2200, 0}, {"TSH", 0.3, 8, 2}, {"AST", 12, 120, 0},
	{"ALT", 10, 110, 0}, {"lipase", 20, 900, 0}, {"Mg", 1.4, 1.2, 1},
}

func labValue(r *rand.Rand) string {
	l := labNames[r.IntN(len(labNames))]
	v := l.lo + r.Float64()*l.span
	unit := ""
	if l.name == "A1c" {
		unit = "%"
	}
	return l.name + " " + strconv.FormatFloat(v, 'f', l.dec, 64) + unit
}

var examFindings = []string{
	"lungs with bibasilar crackles", "no JVD", "RRR, no murmurs, rubs or gallops",
	"grade 2/6 systolic murmur at the LUSB", "abdomen soft, NT/ND, +BS", "2+ pitting edema bilateral LE",
	"strength 5/5 in all extremities", "strength 4/5 in the left upper extremity", "CN II-XII intact",
	"A&O x3", "oriented x1, pleasantly confused", "skin warm and dry", "no focal deficits",
	"mild wheezing bilaterally", "erythema and warmth over the right shin", "tender to palpation in the RLQ",
	"pupils equal, round and reactive", "Mark on left forearm from prior IV, healing well",
	"pain 7/10", "pain 3/10 after analgesia", "GCS 15", "capillary refill < 2 sec",
}

var procedures = []string{"CT head w/o contrast", "CXR PA and lateral", "CTA chest", "MRI L-spine",
	"RUQ ultrasound", "TTE", "EGD", "colonoscopy", "lap chole", "cardiac cath", "PICC placement",
	"thoracentesis", "paracentesis", "bronchoscopy", "ORIF right hip", "total knee arthroplasty"}

var imagingFindings = []string{"no acute intracranial hemorrhage", "no acute cardiopulmonary process",
	"small left pleural effusion", "right lower lobe consolidation", "cholelithiasis without cholecystitis",
	"no evidence of pulmonary embolism", "mild degenerative changes at L4-L5",
	"EF 35-40% with global hypokinesis", "moderate cardiomegaly", "3 mm nonobstructing renal calculus",
	"stable 6 mm nodule in the RUL, unchanged", "displaced femoral neck fracture"}

var allergies = []string{"NKDA", "penicillin (hives)", "sulfa drugs", "codeine (nausea)", "latex",
	"shellfish", "no known drug allergies", "iodinated contrast", "morphine (itching)"}

var socialBits = []string{"Former smoker, 30 pack-years", "Never smoker", "Quit tobacco", "Occasional EtOH",
	"Denies illicit drug use", "Drinks 2-3 beers daily", "Retired machinist", "Works as a teacher",
	"Uses a walker at baseline", "Independent in ADLs", "Lives alone", "Lives with family",
	"Worked in construction for 20 years", "Retired Army veteran"}

// traps are non-PHI numbers that look like identifiers or dates.
var traps = []string{"BP 120/80", "pain 7/10", "5/5 strength", "grade 2/6 murmur", "x3 days",
	"EF 55%", "A1c 7.2%", "Cr 1.1", "K 4.1", "GCS 15", "24/7 supervision", "1/2 tab", "3-4 times a week",
	"NYHA class II", "G2P1", "T 38.2 °C", "Hgb ≥ 7", "levothyroxine 75 µg", "SpO₂ 94%", "2–3 days", "BMI 31.4", "PHQ-9 score 12", "CHA2DS2-VASc 4", "10-15 lbs", "2 L NC",
	"20 mg", "T 98.6", "ASA class 3", "Mallampati 2", "4-6 weeks", "q4-6h", "x2 weeks", "0/10 pain"}

var durations = []string{"3 days", "x3 days", "2 weeks", "x2 wks", "1 month", "several hours", "48 hours",
	"5 days", "x1 week", "6 months", "10 days", "since yesterday", "x 2 days", "2-3 days"}

var insurers = []string{"BCBS", "Blue Cross Blue Shield", "Aetna", "Cigna", "UnitedHealthcare", "Humana",
	"Medicare", "Medicaid", "Kaiser Permanente", "Tricare", "Harvard Pilgrim", "Anthem"}

// eponyms are person names that are medical terms, not PHI.
var eponyms = []string{"Parkinson's disease", "Alzheimer's dementia", "Crohn's disease", "Bell's palsy",
	"Hodgkin lymphoma", "Cushing syndrome", "Graves disease", "Hashimoto thyroiditis", "Foley catheter",
	"Murphy's sign", "Babinski sign", "Glasgow Coma Scale", "Wells score", "Apgar score", "Down syndrome",
	"Guillain-Barre syndrome", "Barrett's esophagus", "Addison's disease", "Swan-Ganz catheter",
	"Whipple procedure", "Nissen fundoplication", "Kussmaul respirations", "Cheyne-Stokes breathing",
	"Homans sign", "McBurney's point", "Tinel's sign", "Raynaud phenomenon", "Sjogren syndrome",
	"Wolff-Parkinson-White", "Brugada pattern", "Mallory-Weiss tear", "Roux-en-Y bypass", "Jackson-Pratt drain"}

// Places allowed under Safe Harbor: states and countries are not PHI.
var (
	countries = []string{"Mexico", "India", "Haiti", "the Dominican Republic", "Vietnam", "China", "Brazil",
		"Guatemala", "Nigeria", "Canada", "Puerto Rico", "the Philippines", "Ireland", "Italy", "Ghana"}
	stateNames = []string{"Massachusetts", "Texas", "Florida", "California", "Ohio", "New York", "Georgia",
		"Arizona", "Maine", "Oregon", "Illinois", "Michigan", "Virginia", "Colorado", "Alabama"}
)

// wordSenses use words that are also names ("will", "Hope", "Grant",
// "Brown", "Rose") in their ordinary sense.
var wordSenses = []string{"BP rose to 168/94 overnight.", "Will need repeat CXR in AM.",
	"Hope to transition to PO abx tomorrow.", "Brown stool, guaiac negative.", "Young adult with no PMH.",
	"White count trending down.", "Green sputum x2 days.", "Faith-based hospice discussed.",
	"Bill to secondary insurance.", "Mark improvement in edema.", "Grant for home modifications pending.",
	"Frank blood per rectum, now resolved.", "Patience with slow wean advised.", "Summer camp clearance form done.",
	"May discharge tomorrow if stable.", "Pt will call if sx worsen.", "Long-term care placement discussed.",
	"Family expressed joy after the visit.", "Sharp pain on inspiration.", "Gross hematuria resolved.",
	"Art therapy group attended.", "Black tarry stools denied.",
	"Little change from prior.", "Strong cough, able to clear secretions.", "Wade through options with family."}
