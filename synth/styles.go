package synth

// Note styles. Each style picks its sections, their headings, order and
// sentences at random from shared pools, so two notes of one style rarely
// share a skeleton. Slots are documented in slots.go.

var styles = []func(n *noteGen){
	styleAdmission, styleDischarge, styleNursing, styleProgress, styleRadiology, styleTelephone,
	styleMedRec, styleReferral, styleED, styleProcedure, styleCaseMgmt, stylePortal, styleConsult,
	styleInstructions, stylePathology, styleHomeVisit, styleDeath, stylePeds, styleLetter, stylePsych,
	styleFlowsheet,
}

// idLines are header lines of identifiers, as EHR note templates print them,
// grouped by field so a header names each field once.
var idLines = [][]tmpl{
	parseAll("Patient: {name}", "Name: {name}", "Pt Name: {name}", "PATIENT NAME: {name}", "Re: {name}",
		"Patient Name........ {name}"),
	parseAll("MRN: {mrn}", "MR#: {mrn}", "Med Rec No. {mrn}", "Medical record number {mrn}", "MRN {mrn}"),
	parseAll("DOB: {dob}", "D.O.B. {dob}", "Date of Birth: {dob}", "Birth date {dob}"),
	parseAll("Admit Date: {admit}", "Admission date: {admit}", "Date of admission: {admit}"),
	parseAll("Attending: {attending}, MD", "PCP: {dr}", "Referring: {dr}"),
	parseAll("{acct}"),
	parseAll("Insurance: {ins} ID {hp}", "Member ID: {hp}", "Policy #{hp} ({ins})"),
	parseAll("SSN: {ssn}", "SS# {ssn}"),
	parseAll("Address: {addr}"),
	parseAll("Phone: {phone}", "Home phone {phone}", "Cell: {phone}"),
	parseAll("Email: {email}"),
	parseAll("Location: {fac}", "Facility: {fac}"),
	parseAll("Encounter date: {date}", "Service date {date}"),
	parseAll("{oid}"),
	parseAll("Sex: {sex}", "Gender: {sexl}"),
	parseAll("Dx: {icd} {dxa}"),
	parseAll("Age: {age}"),
}

func (n *noteGen) idBlock(lo, hi int) {
	sep := "\n"
	switch n.r.IntN(7) {
	case 0:
		sep = "   "
	case 1:
		sep = " | "
	case 2:
		sep = "\t"
	case 3:
		sep = "; "
	}
	k := lo + n.r.IntN(hi-lo+1)
	var used [32]bool
	for i := 0; i < k; i++ {
		g := n.r.IntN(len(idLines))
		for tries := 0; used[g] && tries < 8; tries++ {
			g = n.r.IntN(len(idLines))
		}
		if used[g] {
			continue
		}
		used[g] = true
		if i > 0 {
			n.b.lit(sep)
		}
		n.pick(idLines[g])
	}
	n.b.lit("\n")
}

// heading writes one of the variants followed by ":" and a space or a newline.
func (n *noteGen) heading(variants ...string) {
	n.word(variants...)
	if n.chance(65) {
		n.b.lit(": ")
	} else {
		n.b.lit(":\n")
	}
}

func (n *noteGen) para() {
	if n.chance(50) {
		n.b.lit("\n\n")
	} else {
		n.b.lit("\n")
	}
}

var ccPool = parseAll("{sym} x {dur}", "{sym}", "\"{sym}\"", "{sym} and {sym}", "fall at home",
	"{dxa}", "{sym} since {date}", "transfer from {fac2} for {dxa}", "\"I can't breathe\"", "abnormal labs")

var hpiPool = parseAll(
	"{Pt} is a {age} {sexw} with a history of {pmh} who presents with {sym} x{dur}.",
	"{age} {sex} w/ PMH of {pmh} presenting with {sym}.",
	"{Pt} is a {age} {sexl} with {pmh}, admitted {admit} with {dx}.",
	"{He} reports {sym} that started on {date} and has been getting worse.",
	"{His} {rel} brought {him} to the {fac} ED after {he} was found on the floor.",
	"Pt was transferred from {fac2} on {date} for further management of {dxa}.",
	"{He} was last admitted to {fac} in {year} for {sym}.",
	"Of note, {he} was seen by {dr} on {pdate} and started on {med}.",
	"Denies {sym}, {sym}. Endorses {sym}.",
	"Symptoms began {dur} ago while {he} was at home in {city}.",
	"{He} was diagnosed with {dxa} in {year} and has been followed by {dr} at {fac2}.",
	"Per {his} {rel}, {he} has been more confused since {date}.",
	"Pt c/o {sym} x{dur}, associated with {sym}. {He} took {med} without relief.",
	"Family reports {he} will not eat and has lost 10-15 lbs since {date}.",
	"ED course: received {med} and {med}. {vit}.",
	"EMS was called by {his} {rel} ({relphone}).",
	"{He} recently returned from a trip to {ocity} on {date}.",
	"{He} will bill the visit to {his} {ins} plan, member ID {hp}.",
	"Hope is that {he} can return home. Mark improvement noted per family.",
	"Grant application for home O2 pending. Will reassess.",
	"{He} was in {his} usual state of health until {date}, when {he} developed {sym}.",
	"Last seen in clinic by {clin} on {pdate}; at that time {trap}.",
	"Recently traveled to {country}; returned {date}.", "Originally from {country}, moved to {city} in {year}.",
	"Hx of {epo}.", "{ws}", "Seen at an outside hospital in {state} in {year}.", "{ws} {ws}",
	"{He} has known {epo}, followed by {dr}.", "Moved here from {state} to live with {his} {rel}.",
)

var pmhPool = parseAll("{pmh}", "{pmh}. Hx of {icd2}", "s/p {proc} in {year}", "{dxa} dx'd {year}",
	"{pmh}; s/p {proc} ({year})", "{pmh}, {dxa}")

var socialPool = parseAll(
	"{social}. Lives with {his} {rel} at {addr}.", "{social}. {social}.", "Lives in {city} with {his} {rel}.",
	"Lives alone in {county}; {his} {rel2} checks on {him} daily.", "{social}. Drives; plate {plate}.",
	"Works at {fac2}. {social}.", "{social}. Quit in {year}.", "Resides at {fac2} since {pdate}.",
	"{social}. Emergency contact: {rel}, {relphone}.", "{social}.",
	"Lives with {his} mother, age {relage}.", "Cares for {his} {relage} yo father at home.",
)

var familyPool = parseAll("Mother died at {relage} of stroke.", "Father with {pmh}.",
	"Brother with CAD, deceased at age {relage}.", "Noncontributory.", "Sister with breast cancer dx {year}.",
	"Mother alive at {relage}, has dementia.", "FHx of {pmh}.")

var examPool = parseAll("{vit}. Gen: NAD. {exam}. {exam}.", "{vit}\n{exam}; {exam}; {exam}.",
	"General: alert, in mild distress. {exam}. {exam}.", "{exam}. {exam}. {trap}.",
	"{vit}. {exam}. {epo} negative. {ws}")

var labsPool = parseAll("{labs}", "Labs on {date}: {labs}.", "{labs}. Repeat {lab} on {date}.",
	"Notable for {lab} and {lab}.", "{labs}. UA pos for nitrites.")

var planPool = parseAll("continue {med}", "start {med}", "f/u with {dr} in {n} weeks", "{trap}",
	"consult cardiology", "PT/OT eval", "will monitor", "hope to discharge home tomorrow",
	"recheck {lab} in AM", "dispo: home with {rel} when stable", "hold {med} for now",
	"will discuss with {his} {rel} at {relphone}", "goals of care discussed with {his} {rel}; {he} will remain full code",
	"{proc} today", "titrate {med}", "transfer to {fac2} when bed available", "renal dosing of {med}",
	"{ws}", "{epo} - stable", "monitor {epo}", "may go home to {city} with {rel2}")

var signPool = parseAll(
	"Electronically signed by {clin}, MD on {date} {time}", "{clin}, RN", "Dictated by: {clin}, MD  D: {date}  T: {date}",
	"Attending: {attending}, MD. NPI {npi}.", "-- {clin}, PA-C", "Cosigned: {dr}", "{clin}, MD\n{fac}",
	"Signed {clin} {date} {time}", "{clinrev} MD", "{clinrev}, M.D. ({date})", "I saw and examined the patient with the resident. {clin}, MD",
)

var followPool = parseAll("Follow up with {dr} on {fdate} at {time}.", "Call {ophone} to schedule.",
	"Questions: call {fac} at {ophone}, fax {fax}.", "F/u in {n} weeks with PCP {dr}.",
	"Return to ED for {sym}.", "Appointment with {dr} at {fac2}, {fdate}.", "F/U {fdate}.",
	"Records faxed to {dr} at {fax}.", "Portal: {url}", "Will call {rel} with results.",
	"{fac2} P: {ophone} F: {fax}", "Clinic tel {ophone}, fax {fax}.")

func (n *noteGen) plan() {
	n.heading("Assessment and Plan", "A/P", "ASSESSMENT/PLAN", "Plan", "Impression and plan")
	n.b.lit("\n")
	k := 1 + n.r.IntN(3)
	for i := range k {
		if n.chance(60) {
			n.b.lit(string(rune('1'+i)) + ". ")
		} else {
			n.b.lit("# ")
		}
		if i == 0 {
			n.expand(parse1dx)
		} else {
			n.slot("icd2")
		}
		n.b.lit(": ")
		n.some(planPool, 1, 3, "; ")
		n.b.lit("\n")
	}
}

var parse1dx = parse("{dxa} ({icd})")

func (n *noteGen) slot(name string) { slots[name](n) }

func styleAdmission(n *noteGen) {
	n.word("ADMISSION HISTORY AND PHYSICAL", "H&P", "History & Physical", "Admission Note",
		"Admit H&P", "Medicine Admission Note")
	n.b.lit("\n")
	n.idBlock(2, 5)
	n.heading("CC", "Chief Complaint", "CHIEF COMPLAINT", "Reason for admission")
	n.pick(ccPool)
	n.para()
	n.heading("HPI", "History of Present Illness", "HISTORY")
	n.some(hpiPool, 3, 7, " ")
	n.para()
	n.heading("PMH", "Past Medical History", "PMHx")
	n.pick(pmhPool)
	n.para()
	if n.chance(70) {
		n.heading("Meds", "Medications", "Home medications")
		n.slot("meds")
		n.para()
	}
	if n.chance(60) {
		n.heading("Allergies", "ALL")
		n.slot("allergy")
		n.para()
	}
	if n.chance(70) {
		n.heading("Social Hx", "SH", "Social History")
		n.pick(socialPool)
		n.para()
	}
	if n.chance(40) {
		n.heading("FHx", "Family History", "FH")
		n.some(familyPool, 1, 2, " ")
		n.para()
	}
	n.heading("Exam", "PE", "Physical Exam", "PHYSICAL EXAMINATION")
	n.pick(examPool)
	n.para()
	if n.chance(70) {
		n.heading("Labs", "Data", "Labs/Imaging")
		n.pick(labsPool)
		n.para()
	}
	n.plan()
	n.pick(signPool)
}

var hospCoursePool = parseAll(
	"{Pt} was admitted on {admit} with {dx} and treated with {med}.",
	"Hospital course was complicated by {dxa} on hospital day {n}.",
	"{He} was seen in consultation by {dr}, who recommended {proc}.",
	"{proc} on {date} showed {img}.",
	"{He} improved and was weaned to room air by {date}.",
	"Discussed with {his} {rel}, who agrees with the plan.",
	"Pt was transferred to the ICU on {date} for {sym} and returned to the floor on {date}.",
	"{He} remained hemodynamically stable; {vit}.",
	"Length of stay {los} days. {trap}.", "Hospitalized {admit} - {disch} at {fac}.",
	"{He} was discharged on {disch} to {fac2} in stable condition.",
	"Case management arranged home services with {fac2} ({ophone}).",
	"Will follow up with {dr} on {fdate}.",
)

func styleDischarge(n *noteGen) {
	n.word("DISCHARGE SUMMARY", "Discharge Summary", "D/C SUMMARY", "Hospital Discharge Summary")
	n.b.lit("\n")
	n.idBlock(3, 6)
	if n.chance(60) {
		n.b.lit("Admission Date: ")
		n.slot("admit")
		n.b.lit("   Discharge Date: ")
		n.slot("disch")
		n.b.lit("\n")
	}
	n.heading("Admitting diagnosis", "Principal diagnosis", "Dx")
	n.expand(parse1dx)
	n.para()
	n.heading("Hospital Course", "HOSPITAL COURSE", "Brief hospital course")
	n.some(hospCoursePool, 4, 8, " ")
	n.para()
	n.heading("Discharge Medications", "D/C meds", "Medications on discharge")
	n.slot("meds")
	n.para()
	n.heading("Follow-up", "Follow up", "Instructions", "Disposition")
	n.some(followPool, 2, 5, " ")
	n.para()
	n.pick(signPool)
}

var nursingPool = parseAll(
	"{time} Pt resting in bed, {exam}. {vit}.",
	"{time} Pt's {rel} called at {relphone}, updated on plan of care.",
	"{time} Pt c/o {sym}; {med} given per order. Reassessed at {time}: {trap}.",
	"Turned q2h. Skin intact. Fall precautions in place.", "{age} {sex} admitted with {dxa}.",
	"{rel} at bedside, asked about discharge to {fac2}.",
	"{time} Paged {dr} re: {lab}. New order for {med}.",
	"Pt ambulated in hall with walker x{n} laps, tolerated well.",
	"Pt states \"{sym}\". {exam}.",
	"{time} Pt found attempting to get OOB without assistance; bed alarm on.",
	"Will continue to monitor. Report given to {nurse}, RN at {time}.",
	"IV site L forearm c/d/i. I&O: {n}00/{n}00.",
	"Pt's {rel2} ({relphone}) is HCP; will visit {date}.",
	"Hope to wean O2 tonight. Pt will try IS x10 q1h.",
)

func styleNursing(n *noteGen) {
	n.word("Nursing Note", "NURSING PROGRESS NOTE", "RN Shift Note", "Nursing Assessment", "Nsg note")
	if n.chance(50) {
		n.b.lit(" ")
		n.slot("date")
	}
	n.b.lit("\n")
	if n.chance(50) {
		n.idBlock(1, 3)
	}
	n.some(nursingPool, 4, 8, "\n")
	n.b.lit("\n")
	n.slot("nurse")
	n.b.lit(", RN")
}

var subjPool = parseAll("Pt c/o {sym}. Slept poorly.", "{He} feels better today, {sym} improved.",
	"No acute events overnight.", "Reports {sym} x{dur}.", "{rel} at bedside reports {he} is eating better.",
	"Pt denies {sym}. Tolerating diet.", "\"I want to go home.\" Wants to see {his} {rel}.")

func styleProgress(n *noteGen) {
	n.word("Progress Note", "PROGRESS NOTE", "Daily Progress Note", "Hospitalist Progress Note", "SOAP note")
	n.b.lit(" ")
	n.slot("date")
	n.b.lit("\n")
	if n.chance(60) {
		n.idBlock(1, 3)
	}
	n.heading("S", "Subjective", "SUBJECTIVE", "Interval history")
	n.some(subjPool, 1, 3, " ")
	n.para()
	n.heading("O", "Objective", "OBJECTIVE")
	n.pick(examPool)
	if n.chance(60) {
		n.b.lit(" ")
		n.pick(labsPool)
	}
	n.para()
	n.plan()
	n.pick(signPool)
}

var radHistPool = parseAll("{sym}, r/o {dxa}", "{dxa}", "{age} {sex} with {sym}", "f/u nodule, prior study {pdate}",
	"s/p fall, eval for fracture", "{sym} x{dur}")

func styleRadiology(n *noteGen) {
	n.word("RADIOLOGY REPORT", "Radiology Report", "IMAGING REPORT", "Diagnostic Imaging")
	n.b.lit("\n")
	n.slot("oid")
	n.b.lit("\n")
	n.idBlock(1, 4)
	n.heading("Exam", "EXAM", "Study", "Procedure")
	n.slot("proc")
	n.b.lit(" on ")
	n.slot("date")
	n.para()
	n.heading("Clinical history", "Indication", "HISTORY")
	n.pick(radHistPool)
	n.para()
	n.heading("Comparison", "COMPARISON")
	if n.chance(50) {
		n.b.lit("None.")
	} else {
		n.b.lit("Prior exam from ")
		n.slot("pdate")
		n.b.lit(" at ")
		n.slot("fac2")
		n.b.lit(".")
	}
	n.para()
	n.heading("Findings", "FINDINGS")
	n.slot("img")
	n.b.lit(". ")
	n.slot("img")
	n.b.lit(".")
	n.para()
	n.heading("Impression", "IMPRESSION")
	n.slot("img")
	n.b.lit(". Results communicated to ")
	n.slot("dr")
	n.b.lit(" by phone at ")
	n.slot("time")
	n.b.lit(" on ")
	n.slot("date")
	n.b.lit(".\n")
	n.b.lit("Read by ")
	n.slot("clin")
	n.b.lit(", MD")
	if n.chance(30) {
		n.b.lit(". Images viewed at workstation ")
		n.slot("ip")
	}
}

var phonePool = parseAll(
	"Spoke with pt's {rel} at {relphone}. Reports pt {sym} since {date}.",
	"Pt called c/o {sym} x{dur}. Advised ED eval at {fac}.",
	"Returned call to {pt} at {phone}; left VM.",
	"Pharmacy called re: {med}; clarified dose.",
	"Fax records to {fax} per {dr}.",
	"Pt requests refill of {med}. Last seen {pdate}.",
	"Pt's {rel2} asks that results be sent to {email}.",
	"Pt verified identity with DOB {dob} and address {street}.",
	"Will route to {dr} for review. Pt aware.", "Caller is pt's mother, {relage} years old.",
	"Pt is a {age} {sexw} known to {dr}.",
	"Triage RN {nurse} advised {him} to call 911 for {sym}.",
	"{He} will call back after {his} appointment on {fdate}.",
)

func styleTelephone(n *noteGen) {
	n.word("Telephone encounter", "TELEPHONE ENCOUNTER", "Phone note", "Telephone Call", "Tel enc")
	if n.chance(60) {
		n.b.lit(" ")
		n.slot("date")
		n.b.lit(" ")
		n.slot("time")
	}
	n.b.lit("\n")
	if n.chance(50) {
		n.idBlock(1, 3)
	}
	n.some(phonePool, 3, 7, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

var pharmacyNames = []string{"CVS Pharmacy", "Walgreens", "Rite Aid", "Walmart Pharmacy", "Costco Pharmacy",
	"Kroger Pharmacy", "Publix Pharmacy", "Express Scripts mail order"}

var medRecPool = parseAll(
	"Source: pt and {rel}; pill bottles reviewed.", "Preferred pharmacy: {pharmacy} in {ocity}, ph {ophone}, fax {fax}.",
	"Prescriber: {dr}, DEA {dea}.", "Pt reports nonadherence to {med} since {date}.",
	"Discontinued {med} on {date} 2/2 {sym}.", "Allergies: {allergy}.", "Insurance: {ins}, ID {hp}.",
	"{med} - taking as prescribed.", "{med} - not taking.", "Prior auth submitted {date}, ref {oid}.",
)

func styleMedRec(n *noteGen) {
	n.word("Medication Reconciliation", "MEDICATION RECONCILIATION", "Med Rec", "Pharmacy Medication History")
	n.b.lit("\n")
	n.idBlock(1, 4)
	n.heading("Home medications", "Current meds", "Medication list")
	n.slot("meds")
	n.para()
	n.some(medRecPool, 3, 7, "\n")
	n.b.lit("\n")
	n.pick(signPool)
}

var referralBody = parseAll(
	"Thank you for seeing {name}, a {age} {sexw} with {dx}, whom I follow at {fac}.",
	"{He} was admitted to {fac2} from {admit} to {disch} for {dxa}.",
	"{His} current medications include {med} and {med}.",
	"I would appreciate your evaluation of {his} {sym}.",
	"{He} lives at {addr}; best contact {phone} or {email}.",
	"DOB {dob}; MRN {mrn}; insurance {ins} {hp}.",
	"Recent labs: {labs}.",
	"Please send your recommendations to my office fax {fax}.",
	"{His} {rel} will accompany {him} to the visit.",
)

func styleReferral(n *noteGen) {
	if n.chance(60) {
		n.slot("fac")
		n.b.lit("\n")
	}
	n.slot("date")
	n.b.lit("\n\n")
	n.word("Dear ", "Dear Dr. ", "To: Dr. ")
	c := n.clinicians[1]
	n.b.phi(c.last, tName)
	n.b.lit(",\n\n")
	if n.chance(50) {
		n.b.lit("Re: ")
		n.slot("name")
		n.b.lit(", DOB ")
		n.slot("dob")
		n.b.lit("\n\n")
	}
	n.some(referralBody, 4, 8, " ")
	n.b.lit("\n\n")
	n.word("Sincerely,\n", "Best regards,\n", "Thank you,\n")
	n.slot("attending")
	n.b.lit(", MD\n")
	if n.chance(50) {
		n.b.lit("NPI ")
		n.slot("npi")
		n.b.lit("  Tel ")
		n.slot("ophone")
	}
}

var edPool = parseAll(
	"{age} {sex} s/p MVC, restrained driver, airbag deployed.",
	"Vehicle VIN {vin}, plate {plate}, towed to {ocity}.",
	"Pt arrived by EMS from {street} at {time}.",
	"Police officer requested pt's driver license {dl}.",
	"GCS 15. {vit}. FAST negative.",
	"{proc}: {img}.",
	"Seen by {dr} and {dr}. Trauma activation at {time}.",
	"Pt's {rel} notified at {relphone}.",
	"Pt c/o {sym}; {trap}.",
	"Disposition: admit to {fac} for observation.",
	"Tdap given. Laceration repaired with {n} sutures.",
	"{He} reports {he} was wearing a seatbelt; {his} {rel2} was the passenger.",
)

func styleED(n *noteGen) {
	n.word("ED Note", "EMERGENCY DEPARTMENT NOTE", "ED Provider Note", "Triage note")
	n.b.lit(" ")
	n.slot("admit")
	n.b.lit("\n")
	if n.chance(60) {
		n.idBlock(1, 3)
	}
	n.some(edPool, 4, 9, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

var procPool = parseAll(
	"Date of surgery: {date}.", "Surgeon: {clin}, MD. Assistant: {clin}, MD.",
	"Procedure: {proc}. EBL {n}0 mL.", "Pacemaker serial {serial} implanted.", "Implant UDI {serial}.",
	"Anesthesia: general, ASA class 3.", "Findings: {img}.", "Specimens sent to pathology, {oid}.",
	"Pt tolerated procedure well and was taken to PACU in stable condition.",
	"Device interrogation: {serial}, battery OK, paced 12%.", "Consent signed by pt and {rel}.",
	"Insulin pump SN {serial} removed prior to MRI.",
)

func styleProcedure(n *noteGen) {
	n.word("OPERATIVE NOTE", "Operative Note", "Procedure Note", "Brief Op Note")
	n.b.lit("\n")
	n.idBlock(1, 3)
	n.some(procPool, 4, 8, "\n")
	n.b.lit("\n")
	n.pick(signPool)
}

var cmPool = parseAll(
	"Met with pt and {rel} to discuss discharge plan.", "Pt lives at {addr}.", "Insurance {ins}, member ID {hp}.",
	"Medicaid ID {hp} verified.", "Referral faxed to {fac2} at {fax}.", "Pt's {rel2} can be reached at {relphone} or {relemail}.",
	"Bank acct for copay assistance on file, {acct}.", "Pt's {rel} will drive; vehicle plate {plate}.",
	"Home health agency {fac2} accepted; start of care {fdate}.", "SSN {ssn} confirmed for benefits application.",
	"Pt enrolled in portal {url}.", "Driver license {dl} copied to chart.", "Anticipated d/c {disch}.",
	"Biometric enrollment for pharmacy kiosk: {bio}.", "{He} has a POA, {rel}.",
)

func styleCaseMgmt(n *noteGen) {
	n.word("Case Management Note", "SOCIAL WORK NOTE", "CM/SW Note", "Discharge Planning")
	n.b.lit(" ")
	n.slot("date")
	n.b.lit("\n")
	n.some(cmPool, 4, 9, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

var portalPool = parseAll(
	"Message received via patient portal from {email} (IP {ip}) at {time}.",
	"Pt writes: \"{sym} since {date}, should I come in?\"",
	"Login from {ip} flagged; account locked and reset link sent to {email}.",
	"Replied with instructions; link {url}.",
	"Pt asks to update address to {addr} and phone to {phone}.",
	"Pt uploaded photo of rash; {exam}.",
	"Forwarded to {dr}. Will f/u {fdate}.",
	"Audit: record accessed by {clin} from {ip}.",
)

func stylePortal(n *noteGen) {
	n.word("Patient Portal Message", "MyChart message", "E-visit", "Secure message")
	n.b.lit("\n")
	if n.chance(50) {
		n.idBlock(1, 2)
	}
	n.some(portalPool, 3, 7, "\n")
	n.b.lit("\n")
	n.pick(signPool)
}

var consultPool = parseAll(
	"Asked by {dr} to evaluate {pt} for {sym}.", "{Pt} is a {age} {sexw} with {pmh}.",
	"Hx obtained from pt and {his} {rel}.", "{He} was seen at {fac2} on {pdate} for similar sx.",
	"ECG: NSR, no acute ST changes. {trap}.", "Recommendations: {med}; {proc}; f/u with {dr} in clinic {fdate}.",
	"Thank you for this consult. Will follow.", "{vit}. {exam}.", "Labs: {labs}.",
)

func styleConsult(n *noteGen) {
	n.word("CONSULT NOTE", "Consultation", "Cardiology Consult", "Nephrology consult note", "GI Consult")
	n.b.lit(" ")
	n.slot("date")
	n.b.lit("\n")
	if n.chance(60) {
		n.idBlock(1, 3)
	}
	n.some(consultPool, 4, 8, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

var instructionPool = parseAll(
	"You were in {fac} from {admit} to {disch} for {dx}.", "Your doctor in the hospital was {dr}.",
	"Please take {med} as directed.", "Your next appointment is with {dr} on {fdate} at {time}.",
	"If you have {sym} or {sym}, call {ophone} or go to the nearest emergency department.",
	"Questions about your bill? Call {ophone} and have your account number ready ({acct}).",
	"Sign up for the patient portal at {url}.", "Do not drive for {dur}.", "{ws}",
	"Your {rel} was given a copy of these instructions.", "We sent your prescriptions to {pharmacy} in {ocity}.",
	"Weigh yourself daily; call if you gain more than 3 lbs in 2 days.",
)

func styleInstructions(n *noteGen) {
	n.word("DISCHARGE INSTRUCTIONS", "Patient Instructions", "After Visit Summary", "Going Home Instructions")
	n.b.lit("\n")
	n.b.lit("Dear ")
	if n.chance(50) {
		n.slot("first")
	} else {
		n.slot("name")
	}
	n.b.lit(",\n")
	n.some(instructionPool, 4, 8, "\n")
	n.b.lit("\n")
	if n.chance(50) {
		n.idBlock(1, 3)
	}
}

var pathPool = parseAll(
	"Received in formalin labeled with the patient's name ({name}) and MRN ({mrn}).",
	"Specimen: {proc} specimen, collected {date}.", "Gross: tan-pink tissue, 3.2 x 1.1 x 0.8 cm.",
	"Microscopic: chronic inflammation; no dysplasia or malignancy identified.",
	"Diagnosis: {dx}.", "Clinical history: {sym}, {epo}.", "Submitting physician: {dr}.",
	"Intraoperative consultation called to {dr} at {time}.", "Block A1-A{n} submitted.",
	"Comment: compared with prior specimen from {pdate} ({fac2}).",
)

func stylePathology(n *noteGen) {
	n.word("SURGICAL PATHOLOGY REPORT", "Pathology Report", "CYTOLOGY REPORT")
	n.b.lit("\n")
	n.slot("oid")
	n.b.lit("\n")
	n.some(pathPool, 4, 8, "\n")
	n.b.lit("\nPathologist: ")
	n.slot("clin")
	n.b.lit(", MD")
}

var homePool = parseAll(
	"Home visit at {addr} on {date}.", "Pt lives with {his} {rel} in a 2-story home.",
	"{vit}.", "Med review: {meds}.", "Pt's {rel2} ({relphone}) present for teaching.",
	"Wound to L heel 2 x 3 cm, granulating.", "Next visit {fdate}.", "Caregiver email {relemail}.",
	"Gate code given by {rel}; dog in yard.", "{ws}", "Home safety eval: grab bars in bathroom, {trap}.",
	"Directions: from {county} line take Rt 9, house on the left past {fac2}.",
)

func styleHomeVisit(n *noteGen) {
	n.word("Home Health Visit Note", "HOME CARE NOTE", "VNA Skilled Nursing Visit", "Home visit")
	n.b.lit("\n")
	n.some(homePool, 4, 8, " ")
	n.b.lit("\n")
	n.slot("nurse")
	n.b.lit(", RN, ")
	n.slot("fac2")
}

var deathPool = parseAll(
	"Called to bedside by RN at {time} for pt without respirations.", "No heart sounds, no breath sounds, pupils fixed.",
	"Pt pronounced dead at {time} on {disch}.", "Family ({rel}) at bedside and notified.",
	"{His} {rel2} was called at {relphone}.", "Autopsy declined by family.", "Medical examiner notified; {oid}.",
	"Organ bank ({fac2}) notified per protocol, ref {oid}.", "Attending {dr} notified.",
	"Cause of death: {dx}. Contributing: {pmh}.",
)

func styleDeath(n *noteGen) {
	n.word("DEATH NOTE", "Pronouncement Note", "Expiration Note")
	n.b.lit("\n")
	n.idBlock(1, 3)
	n.some(deathPool, 4, 8, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

var pedsPool = parseAll(
	"{first} is here with {his} {rel} for a well child check.", "Born at {fac2} on {dob}, term, uncomplicated.",
	"Immunizations up to date per state registry.", "Growth: weight 50th %ile, height 60th %ile.",
	"Attends daycare in {city}.", "{His} {rel} asks about {sym}.", "School nurse fax {fax}.",
	"{ws}", "Next WCC at 4 years.", "Development on track: {n} words, walks independently.",
	"Mom can be reached at {relphone}.", "Vision screen normal, 20/20 OU.", "Hearing screen pass.",
)

func stylePeds(n *noteGen) {
	if n.p.age >= 18 {
		styleProgress(n)
		return
	}
	n.word("Well Child Visit", "PEDIATRIC NOTE", "Peds clinic note", "WCC")
	n.b.lit(" ")
	n.slot("date")
	n.b.lit("\n")
	if n.chance(60) {
		n.idBlock(1, 3)
	}
	n.some(pedsPool, 4, 8, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

var letterPool = parseAll(
	"{name} was seen in our clinic on {date} and may return to work on {fdate}.",
	"Please excuse {name} from school from {date} through {fdate}.",
	"{Pt} is under my care for {dxa} and should avoid lifting over 10 lbs for {dur}.",
	"This letter confirms that {name} (DOB {dob}) is a patient at {fac}.",
	"{He} is cleared to travel to {country} on {fdate}.",
	"For questions please call {ophone} or write to {dremail}.",
)

func styleLetter(n *noteGen) {
	n.slot("fac")
	n.b.lit("\n")
	n.slot("street")
	n.b.lit(", ")
	n.slot("city")
	n.b.lit("\n")
	n.slot("date")
	n.b.lit("\n\n")
	n.word("To whom it may concern:\n", "To Whom It May Concern,\n", "Re: work status\n")
	n.some(letterPool, 3, 6, " ")
	n.b.lit("\n\nSincerely,\n")
	n.slot("attending")
	n.b.lit(", MD")
	if n.chance(40) {
		n.b.lit("\nLicense ")
		n.slot("dl")
	}
}

var psychPool = parseAll(
	"MSE: alert, casually dressed, good eye contact, speech normal rate.", "Mood \"okay\", affect constricted.",
	"Denies SI/HI. PHQ-9 score 14, GAD-7 9.", "{He} reports stressors including {his} job at {fac2}.",
	"{His} {rel} is supportive.", "Started on {med} on {date}; tolerating.", "Sleep 5-6 hrs, appetite fair.",
	"Safety plan reviewed; crisis line given, and {he} has {his} therapist {clin}'s number {ophone}.",
	"Hx of {epo}.", "{ws}", "Follow up in {n} weeks, {fdate}.", "Collateral from {rel2} at {relphone}.",
)

func stylePsych(n *noteGen) {
	n.word("Psychiatry Progress Note", "BEHAVIORAL HEALTH NOTE", "Outpt psych f/u", "Psychiatric Evaluation")
	n.b.lit(" ")
	n.slot("date")
	n.b.lit("\n")
	if n.chance(60) {
		n.idBlock(1, 3)
	}
	n.some(psychPool, 4, 9, " ")
	n.b.lit("\n")
	n.pick(signPool)
}

// styleFlowsheet prints rows of vitals as EHR flowsheets export them.
func styleFlowsheet(n *noteGen) {
	n.word("VITAL SIGNS FLOWSHEET", "Flowsheet", "I&O / Vitals")
	n.b.lit("\n")
	n.idBlock(1, 3)
	rows := 2 + n.r.IntN(4)
	for range rows {
		n.slot("date")
		n.b.lit(" ")
		n.slot("time")
		n.b.lit("  ")
		n.slot("vit")
		n.b.lit("  ")
		n.slot("nurse")
		n.b.lit("\n")
	}
	if n.chance(50) {
		n.pick(signPool)
	}
}
