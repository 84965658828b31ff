package detectors

import "slices"

// Spec describes one detector for `worker validate` and the generated config
// reference (DESIGN convention 2).
type Spec struct {
	Name        string  // stable detector name, also the metrics label
	Types       []Type  // PHI types it reports
	Description string  // what it finds, with examples
	Fields      []Field // configuration keys it reads (under `detection:`)
}

// Field is one configuration key of a detector.
type Field struct {
	Name        string // YAML key
	Kind        string // YAML kind: string, float, int, []string, map
	Default     string // default, as written in YAML
	Description string
}

// builtin is a registered detector: its spec and the function that appends candidates.
type builtin struct {
	spec Spec
	run  func(*scan)
	last bool // runs after the others: it reads their candidates
}

// builtins is the registry of built-in detectors, in the order they run.
// Each detector file registers itself in init.
var builtins []builtin

func register(s Spec, run func(*scan)) { insertBuiltin(builtin{spec: s, run: run}) }

// registerLast registers a detector that runs after every register one, whatever the file order.
func registerLast(s Spec, run func(*scan)) { insertBuiltin(builtin{spec: s, run: run, last: true}) }

func insertBuiltin(b builtin) {
	at := len(builtins)
	for !b.last && at > 0 && builtins[at-1].last {
		at--
	}
	builtins = slices.Insert(builtins, at, b)
}

// engineSpecs are the configuration keys that apply to every detector.
var engineSpecs = []Spec{
	{
		Name:        "thresholds",
		Types:       AllTypes,
		Description: "per-type minimum score; a span below its type's threshold is not reported",
		Fields: []Field{{Name: "thresholds", Kind: "map[type]float", Default: "0.5 for each type",
			Description: "e.g. {NAME: 0.6, DATE: 0.4}"}},
	},
	{
		Name:        "allow",
		Description: "terms never flagged (case-insensitive): a span equal to a term, or a single word in names/places",
		Fields:      []Field{{Name: "allow", Kind: "[]string", Default: "[]"}},
	},
	{
		Name:        "deny",
		Types:       AllTypes,
		Description: "terms always flagged on word boundaries with score 1",
		Fields: []Field{
			{Name: "deny[].term", Kind: "string", Description: "the term (required)"},
			{Name: "deny[].type", Kind: "string", Default: "ID", Description: "PHI type reported"},
		},
	},
	{
		Name:        "custom",
		Types:       AllTypes,
		Description: "user-defined detectors: RE2 pattern + validator + context words + score",
		Fields: []Field{
			{Name: "custom[].name", Kind: "string", Description: "detector name (required)"},
			{Name: "custom[].type", Kind: "string", Default: "ID", Description: "PHI type reported"},
			{Name: "custom[].pattern", Kind: "string", Description: "RE2 regular expression (required)"},
			{Name: "custom[].validator", Kind: "string", Default: "none", Description: "luhn | mod97 | none"},
			{Name: "custom[].context", Kind: "[]string", Default: "[]", Description: "words expected before a match; without one the score is halved"},
			{Name: "custom[].context_window", Kind: "int", Default: "4", Description: "words searched before a match for context"},
			{Name: "custom[].score", Kind: "float", Default: "0.9", Description: "score of a match"},
		},
	},
	{
		Name:        "disabled",
		Types:       AllTypes,
		Description: "types not detected at all",
		Fields:      []Field{{Name: "disabled", Kind: "[]string", Default: "[]"}},
	},
}

// Specs lists the built-in detectors followed by the engine-wide configuration keys.
func Specs() []Spec {
	out := make([]Spec, 0, len(builtins)+len(engineSpecs))
	for _, b := range builtins {
		out = append(out, b.spec)
	}
	return append(out, engineSpecs...)
}
