package redact

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deidstream/deidstream/detectors"
)

// Detector finds PHI spans: sorted, non-overlapping, code-point offsets, end
// exclusive. *detectors.Engine satisfies it. It must be safe for concurrent
// use when the Processor is.
type Detector interface {
	Detect(text string) []detectors.Span
}

// Reject reason prefixes. A reason is "<prefix>:<PHI type or configured field
// name>", never record content.
const (
	ReasonRejectedType    = "phi_rejected_type" // a detected type whose mode is reject
	ReasonRejectedField   = "field_rejected"    // a field whose action is reject is present
	ReasonUnexpectedField = "unexpected_field"  // default_action reject and a field not in the policy
	ReasonNotString       = "field_not_string"  // a scanned field is not a string
	ReasonNotScalar       = "field_not_scalar"  // a kept, hashed or generalized field is an object or array
	ReasonBadDate         = "field_bad_date"    // a date field is not a date we can read
	ReasonBadZip          = "field_bad_zip"     // a zip3 field has fewer than 3 leading digits
	ReasonBadAge          = "field_bad_age"     // an age field is not a non-negative number
)

// Result is one record after the field policy and the modes.
type Result struct {
	// Values are aligned with Columns(); "" for an absent, null or empty field.
	Values []string
	// Counts are detections by type in the scanned fields (counts only).
	Counts map[detectors.Type]int
	// Reject is "" or a reason code such as "phi_rejected_type:SSN" or
	// "field_not_string:note"; when set, Values is nil and the record goes to quarantine.
	Reject string
	// Withheld counts values released empty (keep fields with on_invalid:
	// withhold) by reason code, such as "field_invalid:state"; nil when none.
	Withheld map[string]int
}

// Option configures a Processor beyond its Config.
type Option func(*options)

type options struct {
	male, female    []string
	last            []string
	streets, cities []string
	now             func() time.Time
}

// WithClock sets the clock that date_year uses to tell which years reveal an
// age over 89. Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithSurrogateNames replaces the built-in given names and surnames that NAME
// surrogates are drawn from. Empty lists keep the built-in ones. The built-in
// given names keep the apparent gender of a known given name; a list given
// here has no gender.
func WithSurrogateNames(first, last []string) Option {
	return func(o *options) {
		if len(first) > 0 {
			o.male, o.female = first, nil
		}
		if len(last) > 0 {
			o.last = last
		}
	}
}

// WithSurrogatePlaces replaces the built-in street names (addresses with a
// number) and city names (other places) of LOCATION surrogates.
func WithSurrogatePlaces(streets, cities []string) Option {
	return func(o *options) {
		if len(streets) > 0 {
			o.streets = streets
		}
		if len(cities) > 0 {
			o.cities = cities
		}
	}
}

// Processor applies the field policy and the per-type modes to records. It is
// immutable after NewProcessor and safe for concurrent use (if its Detector is).
type Processor struct {
	cfg      Config
	det      Detector
	modes    map[detectors.Type]Mode
	named    map[string]bool
	columns  []string
	policy   []FieldPolicy // the fields whose action is not drop, in column order
	domains  []*domain     // aligned with policy: the keep fields' checks, nil for other actions
	hashKey  *keyed
	fieldKey *keyed
	sur      *surrogator
	now      func() time.Time
	numbers  *Numbering   // nil with numbering scope record
	known    []knownField // the fields whose value the scanned fields are searched for
}

// NewProcessor validates cfg (zero values take their defaults) and builds a Processor.
func NewProcessor(cfg Config, det Detector, opts ...Option) (*Processor, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("creating redaction processor: %w", err)
	}
	if det == nil {
		return nil, fmt.Errorf("creating redaction processor: %w", ErrNoDetector)
	}
	o := options{male: defaultMaleNames, female: defaultFemaleNames, last: defaultLastNames,
		streets: defaultStreets, cities: defaultCities, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	secret, _ := cfg.secretKey() // checked by Validate
	p := &Processor{
		cfg:      cfg,
		det:      det,
		modes:    make(map[detectors.Type]Mode, len(detectors.AllTypes)),
		named:    make(map[string]bool, len(cfg.Fields)),
		hashKey:  newKeyed(secret, labelHash),
		fieldKey: newKeyed(secret, labelField),
		now:      o.now,
		sur:      newSurrogator(newKeyed(secret, labelSurrogate), newKeyed(secret, labelShift), o, cfg.MaxShiftDays),
	}
	if cfg.Numbering.Scope == ScopePatient {
		p.numbers = NewNumbering(secret, cfg.Numbering.MaxPatients, cfg.Numbering.MaxValues)
	}
	for _, t := range detectors.AllTypes {
		p.modes[t] = cfg.DefaultMode
	}
	for t, m := range cfg.Modes {
		p.modes[t] = m
	}
	for _, f := range cfg.Fields {
		p.named[f.Name] = true
		if f.Identifies != "" {
			p.known = append(p.known, knownField{name: f.Name, typ: f.Identifies})
		}
		if f.Action != ActionDrop && f.Action != ActionReject {
			d, _ := compileDomain(f.Name, f) // checked by Validate
			p.columns = append(p.columns, f.Name)
			p.policy = append(p.policy, f)
			p.domains = append(p.domains, d)
		}
	}
	return p, nil
}

// Numbering is the patient-scoped placeholder numbering that Process and
// RedactText share, nil with numbering scope record. Its state follows the
// caller's transactions: see Numbering.
func (p *Processor) Numbering() *Numbering { return p.numbers }

// Columns returns the output columns in policy order: the fields whose action
// releases a value (not drop, not reject). The caller must not modify it.
func (p *Processor) Columns() []string { return p.columns }

// modeFor is the configured mode of t; unknown types (a custom detector's) take the default.
func (p *Processor) modeFor(t detectors.Type) Mode {
	if m, ok := p.modes[t]; ok {
		return m
	}
	return p.cfg.DefaultMode
}

// RedactText detects PHI in text and applies mode to every type; mode ""
// applies the configured per-type modes. patientKey scopes surrogates and the
// date offset. The spans returned are in the returned text's code-point
// offsets and cover each replacement. RedactText cannot reject: a reject mode
// replaces the span with its placeholder, like redact.
func (p *Processor) RedactText(patientKey, text string, mode Mode) (string, []detectors.Span) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	modeFor := p.modeFor
	if mode != "" {
		modeFor = func(detectors.Type) Mode { return mode }
	}
	return p.transform(p.newState(patientKey), text, p.det.Detect(text), modeFor)
}

// Process applies the field policy to one decoded JSON record (as produced by
// encoding/json, with or without UseNumber). A record that must be
// quarantined comes back with Reject set and a nil error; the error is for
// failures of the processor itself, of which there are none today.
func (p *Processor) Process(rec map[string]any) (Result, error) {
	if p.cfg.DefaultAction == ActionReject {
		for k := range rec {
			if !p.named[k] {
				// The key is not configured, and a key can itself be PHI: name no key.
				return Result{Reject: ReasonUnexpectedField}, nil
			}
		}
	}
	for _, f := range p.cfg.Fields {
		if f.Action == ActionReject && !isEmpty(rec[f.Name]) {
			return Result{Reject: ReasonRejectedField + ":" + f.Name}, nil
		}
	}
	patient, _ := scalarString(rec[p.cfg.PatientField])
	var st *recordState
	var withheld map[string]int
	var needles []needle // the record's known identifiers, read at its first scanned field
	needlesRead := false
	values := make([]string, len(p.policy))
	for i, f := range p.policy {
		v, present := rec[f.Name]
		if !present || v == nil {
			continue
		}
		if f.Action == ActionScan {
			s, ok := v.(string)
			if !ok {
				return p.rejected(st, ReasonNotString+":"+f.Name), nil
			}
			if st == nil {
				st = p.newState(patient)
			}
			if !utf8.ValidString(s) {
				s = strings.ToValidUTF8(s, "\uFFFD")
			}
			if !needlesRead {
				needles, needlesRead = p.knownNeedles(rec), true
			}
			values[i], _ = p.transform(st, s, withKnown(p.det.Detect(s), findKnown(s, needles)), p.modeFor)
			if st.reject != "" {
				return p.rejected(st, ReasonRejectedType+":"+string(st.reject)), nil
			}
			continue
		}
		s, ok := scalarString(v)
		if !ok {
			return p.rejected(st, ReasonNotScalar+":"+f.Name), nil
		}
		if strings.TrimSpace(s) == "" {
			continue // an empty value is an absent one: nothing to hash or generalize
		}
		if d := p.domains[i]; d != nil {
			if st == nil {
				st = p.newState(patient)
			}
			if reason := p.checkKept(d, s, st); reason != "" {
				if !d.withhold {
					return p.rejected(st, reason+":"+f.Name), nil
				}
				if withheld == nil {
					withheld = map[string]int{}
				}
				withheld[reason+":"+f.Name]++
				continue
			}
		}
		_, isString := v.(string)
		out, reason := p.applyField(f.Action, patient, s, !isString)
		if reason != "" {
			return p.rejected(st, reason+":"+f.Name), nil
		}
		values[i] = out
	}
	res := Result{Values: values, Withheld: withheld}
	if st != nil {
		res.Counts = st.counts
	}
	return res, nil
}

// rejected keeps the counts found so far: the audit event counts PHI in
// quarantined records too.
func (p *Processor) rejected(st *recordState, reason string) Result {
	r := Result{Reject: reason}
	if st != nil {
		r.Counts = st.counts
	}
	return r
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}
