package redact

// Spec describes one configuration key, mode or field action of the
// `redaction:` section, for `worker validate` and the generated config
// reference (DESIGN convention 2).
type Spec struct {
	Kind        string // "key", "mode" or "action"
	Name        string // YAML key, or the value written for a mode or action
	Default     string // as written in YAML; "" for modes and actions
	Description string
}

// Specs lists every key, mode and action, in reference order.
func Specs() []Spec {
	return []Spec{
		{"key", "method", string(MethodSafeHarbor), "safe_harbor: dates released as years only (date_shift fields and surrogate dates refused); date_shifting: full dates moved per patient, NOT Safe Harbor (an expert determination or a limited data set)"},
		{"key", "secret", "(required)", "HMAC key, 64+ hex digits or 32+ raw bytes; \"${NAME}\" reads the environment"},
		{"key", "patient_field", DefaultPatientField, "record key naming the patient: surrogates and date offsets are per patient"},
		{"key", "default_mode", string(ModeRedact), "mode for PHI types not listed in modes"},
		{"key", "modes", "{}", "per-type mode, e.g. {SSN: reject, DATE: surrogate}"},
		{"key", "default_action", string(ActionDrop), "fields not in fields: drop or reject"},
		{"key", "fields", "[]", "ordered list of {name, action}; output columns follow it"},
		{"key", "fields[].values", "", "keep: the closed vocabulary, compared exactly; its values are released even if the detector reads them as PHI"},
		{"key", "fields[].pattern", "", "keep: an RE2 expression the whole value must match"},
		{"key", "fields[].code_system", "", "keep: icd10 or loinc; the value must be a well-formed code"},
		{"key", "fields[].min, fields[].max", "", "keep: inclusive numeric bounds"},
		{"key", "fields[].on_invalid", OnInvalidQuarantine, "keep: a value outside the domain, or (outside a vocabulary) with detected PHI: quarantine the record (reason field_invalid:<field> or field_phi:<field>) or withhold (release it empty, counted by reason)"},
		{"key", "max_shift_days", "365", "date offsets are non-zero days within ±max_shift_days"},
		{"key", "numbering.scope", string(ScopePatient), "patient: placeholders numbered per patient across records (records without a patient key alone); record: per record"},
		{"key", "numbering.max_patients", "100000", "patients whose numbering is held in memory (~650 bytes for one note, ~450 per further note); the least recently used is evicted and restarts at 1 if it returns"},
		{"key", "numbering.max_values", "1024", "values remembered per patient; later new values get new numbers but are not remembered"},
		{"mode", string(ModeDetect), "", "report the span, leave the text unchanged"},
		{"mode", string(ModeRedact), "", "typed placeholder numbered per distinct value of the patient (or record): [NAME_1]"},
		{"mode", string(ModeSurrogate), "", "realistic value of the same shape, stable per patient and value; dates shifted per patient"},
		{"mode", string(ModeHash), "", "keyed HMAC-SHA256 token, stable across records: [NAME:3f2a9c1b0d4e5f60]"},
		{"mode", string(ModeReject), "", "quarantine the record: reason phi_rejected_type:<TYPE>"},
		{"action", string(ActionDrop), "", "no column"},
		{"action", string(ActionKeep), "", "the scalar as written, if it is in the field's declared domain (values, pattern, code_system, min/max; one is required) and, outside a vocabulary, the detector finds no PHI in it"},
		{"action", string(ActionHash), "", "keyed HMAC-SHA256 of the value, 32 hex digits: a join key"},
		{"action", string(ActionScan), "", "free text: detection, then the mode of each type; must be a string"},
		{"action", string(ActionDateYear), "", "the year; years 90+ years ago become \"<=YYYY\""},
		{"action", string(ActionDateShift), "", "the date moved by the patient's offset, in its written format; only with method: date_shifting (not Safe Harbor)"},
		{"action", string(ActionZip3), "", "first 3 ZIP digits; 000 for the 17 restricted prefixes"},
		{"action", string(ActionAge), "", "whole years; 90+ above 89"},
		{"action", string(ActionReject), "", "quarantine the record when the field is present and not empty"},
	}
}
