package privacy

import "fmt"

// Class is what a model sees of a group of rows: an equivalence class of a
// release, or one side of a cut the anonymizer considers.
type Class struct {
	Size int
	// Hist counts the class's rows per sensitive value code. Codes number the
	// input's distinct sensitive values (in ascending order when the column
	// is numeric); empty without a sensitive column, and possibly all zero
	// when no configured model reads it.
	Hist []int32
	// Global is the input's sensitive distribution by the same codes.
	Global []float64
}

// Model is one privacy model: a condition every equivalence class of a
// release must meet. The anonymizer calls Holds on every side of every cut it
// considers, so Holds must be cheap, and both methods pure (they depend on
// their arguments and the model's parameters only).
type Model interface {
	// Holds reports whether c meets the model.
	Holds(c Class) bool
	// Check returns the figure of a release's (non-empty) classes under the
	// model, its worst class's, and an error wrapping the model's sentinel
	// when a class does not hold it.
	Check(classes []Class) (float64, error)
}

// Named is a model given in code (Config.Models) that names itself: the
// verifier records its figure under that name in Metrics.Models, and so the
// audit event of every window it guards. The built-in models' figures have
// fields of their own (K, L, T).
type Named interface {
	Model
	Name() string
}

// MinSizer is a model that reads a class's size alone: a class holds it
// when it has at least MinSize rows (k-anonymity). The anonymizer checks it
// by size, without a call, and needs no sensitive histogram when every
// model is one.
type MinSizer interface {
	Model
	MinSize() int
}

// builtin are the models Config's fields configure, in the order they are
// checked: each builds its model from cfg, nil when it is off, or an error
// wrapping ErrInvalidConfig. A new model adds its file, its line here and
// its Config field.
var builtin = []func(cfg Config) (Model, error){
	newKAnonymity,
	newLDiversity,
	newTCloseness,
}

// models returns cfg's models (cfg with its defaults): the builtin ones that
// are on, then cfg.Models.
func (c Config) models() ([]Model, error) {
	var out []Model
	for _, build := range builtin {
		m, err := build(c)
		if err != nil {
			return nil, err
		}
		if m != nil {
			out = append(out, m)
		}
	}
	return append(out, c.Models...), nil
}

// invalid is a configuration error, as Validate reports it.
func invalid(format string, a ...any) error {
	return fmt.Errorf("validating privacy config: %s: %w", fmt.Sprintf(format, a...), ErrInvalidConfig)
}

// tolerance absorbs floating-point error in the l and t comparisons.
const tolerance = 1e-9

// worst is the smallest (or, with largest, the largest) of f over classes.
func worst(classes []Class, largest bool, f func(Class) float64) float64 {
	w := f(classes[0])
	for _, c := range classes[1:] {
		if v := f(c); (largest && v > w) || (!largest && v < w) {
			w = v
		}
	}
	return w
}

// predicate is the anonymizer's view of the models: the smallest class size
// any of them allows, then the models that read the sensitive histogram.
type predicate struct {
	k      int
	rest   []Model
	global []float64 // the input's sensitive distribution, per Anonymize call
}

func newPredicate(ms []Model) predicate {
	p := predicate{k: 1}
	for _, m := range ms {
		if s, ok := m.(MinSizer); ok {
			p.k = max(p.k, s.MinSize())
			continue
		}
		p.rest = append(p.rest, m)
	}
	return p
}

// distinctL is l when every model besides k is distinct l-diversity (the
// largest l), else 0.
func (p predicate) distinctL() int {
	l := 0
	for _, m := range p.rest {
		d, ok := m.(lDiversity)
		if !ok || d.kind != LDistinct {
			return 0
		}
		l = max(l, int(d.l))
	}
	return l
}

// readsSensitive reports whether validity depends on the sensitive values.
func (p predicate) readsSensitive() bool { return len(p.rest) > 0 }

func (p *predicate) ok(size int, hist []int32) bool {
	if size < p.k || size == 0 {
		return false
	}
	if len(p.rest) == 0 {
		return true
	}
	c := Class{Size: size, Hist: hist, Global: p.global}
	for _, m := range p.rest {
		if !m.Holds(c) {
			return false
		}
	}
	return true
}
