package detectors

import "math/bits"

// Context words: the labels that precede an identifier in clinical text
// ("MRN: 1234567", "Acct # 8830", "Member ID XKB88412", "fax (978) 555-0111").
// keyContext looks back a few tokens from a value for one of them.

// ctxWords maps a lower-case label word to the type of the value that follows.
// Two-word labels are resolved in keyContext ("record number", "license plate").
var ctxWords = map[string]Type{
	"mrn": MRN, "mr": MRN, "mrno": MRN, "chart": MRN, "medical": MRN, "hospital": MRN, "unit": MRN,
	"acct": Account, "account": Account, "acc": Account, "billing": Account, "iban": Account,
	"card": Account, "cc": Account, "visa": Account, "mastercard": Account, "amex": Account, "bank": Account,
	"routing": Account, "aba": Account,
	"member": HealthPlan, "policy": HealthPlan, "insurance": HealthPlan, "subscriber": HealthPlan,
	"beneficiary": HealthPlan, "medicaid": HealthPlan, "medicare": HealthPlan, "plan": HealthPlan,
	"group": HealthPlan, "payer": HealthPlan, "insurer": HealthPlan, "hicn": HealthPlan, "mbi": HealthPlan,
	"license": License, "driver": License, "drivers": License, "licence": License, "lic": License, "dl": License, "dea": License,
	"certificate": License, "cert": License, "permit": License, "registration": License,
	"vin": Vehicle, "plate": Vehicle, "plates": Vehicle, "tag": Vehicle, "vehicle": Vehicle,
	"serial": Device, "sn": Device, "udi": Device, "device": Device, "implant": Device, "lot": Device,
	"model": Device, "pacemaker": Device, "imei": Device,
	"ssn": SSN, "ss": SSN, "social": SSN, "ssa": SSN,
	"phone": Phone, "tel": Phone, "telephone": Phone, "cell": Phone, "mobile": Phone, "ph": Phone,
	"call": Phone, "pager": Phone, "contact": Phone, "home": Phone, "work": Phone, "cel": Phone,
	"phn": Phone, "tele": Phone, "callback": Phone, "beeper": Phone, "pgr": Phone, "ext": Phone,
	"extension": Phone, "at": Phone,
	"fax": Fax, "facsimile": Fax,
	"npi": ID, "id": ID, "identifier": ID, "accession": ID, "acc#": ID, "case": ID, "specimen": ID,
	"order": ID, "encounter": ID, "claim": ID, "passport": ID, "ref": ID, "reference": ID, "tracking": ID,
	"confirmation": ID, "batch": ID, "job": ID, "dictation": ID, "transcription": ID, "ticket": ID, "employee": ID, "badge": ID, "student": ID, "fin": ID, "csn": ID,
	"randomization": ID, "enrollment": ID, "participant": ID,
	"ip":        IP,
	"biometric": Biometric, "fingerprint": Biometric, "voiceprint": Biometric, "faceprint": Biometric,
	"retina": Biometric, "retinal": Biometric, "iris": Biometric, "palmprint": Biometric, "template": Biometric,
	"geometry": Biometric, "hash": Biometric,
	"zip": Location, "zipcode": Location, "postal": Location, "postcode": Location,
}

// Filler words skipped between a label and its value ("MRN number is: ...").
var ctxFiller = map[string]bool{"no": true, "num": true, "nbr": true, "number": true, "is": true, "of": true,
	"id": true, "code": true, "#": true, "was": true, "the": true, "s": true, "my": true, "his": true, "her": true,
	"their": true, "patient": true, "pt": true, "nr": true, "ending": true, "in": true, "and": true, "new": true,
	"old": true, "on": true, "file": true, "primary": true, "me": true, "us": true, "reach": true, "reached": true, "be": true, "can": true, "secondary": true, "security": true, "record": true}

// Weak labels name an identifier without saying which kind; a stronger label
// one or two words further back wins ("Member ID", "record number").
var ctxWeak = map[string]bool{"id": true, "number": true, "identifier": true}

// Labels that count only right next to the value ("call 555-0142", "at 617-...").
var ctxNearOnly = map[string]bool{"at": true, "home": true, "work": true, "call": true, "contact": true,
	"plan": true, "group": true, "order": true, "case": true, "model": true, "tag": true, "lot": true,
	"card": true, "cc": true, "bank": true}

// keyContext returns the label type found within the few words before token i,
// and whether one was found. The nearest specific label wins.
func (sc *scan) keyContext(i int) (Type, bool) {
	var fallback Type
	words, labels := 0, 0 // labels: weak labels passed; fillers between a label and its value are fine
	if i < len(sc.toks) && sc.toks[i].has(fNewline) {
		// A value starts its own line: "PLAN:\nCONTINUE ..." is a heading, not a label, but a
		// specific label and its colon ending the line above name what is under it ("Phone:\n0393 1144137").
		if i >= 2 && sc.isPunct(i-1, ':') && sc.toks[i-2].kind == tWord {
			w := sc.lw(i - 2)
			if typ, ok := ctxWords[w]; ok && !ctxWeak[w] && !ctxNearOnly[w] && typ != MRN {
				return typ, true
			}
		}
		return "", false
	}
	for j := i - 1; j >= 0 && words < 5; j-- {
		if sc.toks[j+1].has(fNewline) {
			break // labels and values share a line
		}
		t := sc.toks[j]
		if t.kind == tPunct {
			if sc.text[t.s] == '.' && sc.toks[j+1].has(fSpace) && j > 0 && sc.toks[j-1].kind == tNum {
				break // a sentence ended after another number
			}
			continue
		}
		words++
		w := sc.ltext[t.s:t.e]
		cls := sc.cls[j]
		var typ Type
		ok := false
		if cls&wLabel != 0 { // the class says whether the word is in ctxWords at all
			typ, ok = ctxWordsTable.at(sc, j)
		}
		if ok {
			switch {
			case ctxWeak[w]:
				if fallback == "" {
					fallback = typ
				}
				labels++
				continue
			case ctxNearOnly[w] && labels > 0:
				continue // "plan ID 2": a weak label's word, not the value's
			}
			return typ, true
		}
		if cls&wFiller == 0 || !ctxFillerTable.get(sc, j) {
			if typ, ok := misspeltLabel(w, cls); ok {
				return typ, true
			}
			break
		}
	}
	return fallback, fallback != ""
}

// fuzzyLabels are the labels long enough to be recognised misspelt, by one edit.
var fuzzyLabels = []string{"plate", "vehicle", "license", "licence", "serial", "device", "account", "member",
	"policy", "insurance", "medicaid", "medicare", "passport", "fingerprint", "biometric", "template", "pager"}

// misspeltLabel finds the label a word no dictionary knows is one typo away from ("plaate",
// "pate", "palte", "licnese"): charted in a hurry, a label still names what follows.
func misspeltLabel(w string, cls uint32) (Type, bool) {
	if !misspellable(w, cls) {
		return "", false
	}
	for near := fuzzyNear[min(len(w), len(fuzzyNear)-1)]; near != 0; near &= near - 1 {
		if l := fuzzyLabels[bits.TrailingZeros64(near)]; oneEdit(w, l) {
			return ctxWords[l], true
		}
	}
	return "", false
}

// fuzzyNear holds, by a word's length, the fuzzyLabels one edit may reach (one bit each, in list
// order): a word meets only the labels of its length or one off.
var fuzzyNear = func() (t [16]uint64) {
	if len(fuzzyLabels) > 64 {
		panic("detectors: more than 64 fuzzy labels")
	}
	for i, l := range fuzzyLabels {
		for n := len(l) - 1; n <= len(l)+1 && n < len(t)-1; n++ {
			t[n] |= 1 << i
		}
	}
	return t
}()

// misspellable reports a word misspeltLabel looks into: unknown, or a name list's only ("palte"),
// of four letters or more.
func misspellable(w string, cls uint32) bool { return cls&^(wFirst|wLast) == 0 && len(w) >= 4 }

// misspeltLabelAt reports token k a misspelt label.
func (sc *scan) misspeltLabelAt(k int) bool {
	w, cls := sc.lw(k), sc.cls[k]
	if !misspellable(w, cls) { // most words, without a call
		return false
	}
	_, ok := misspeltLabel(w, cls)
	return ok
}

// oneEdit reports a and b (ASCII) one insertion, deletion, substitution or transposition of
// neighbours apart.
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 || a == b {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) < len(b):
		return a[i:] == b[i+1:]
	case i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i]:
		return a[i+2:] == b[i+2:]
	default:
		return a[i+1:] == b[i+1:]
	}
}
