package redact

import (
	"strconv"
	"testing"
)

// BenchmarkTransformNumbering is the redact mode's cost per record with
// placeholders numbered per record (the baseline), per patient for a patient
// already known (every value a lookup), and per patient for a new patient
// each record (every value an insert, tables evicted past the cap).
func BenchmarkTransformNumbering(b *testing.B) {
	spans := realEngine(b).Detect(benchNote)
	for _, c := range []struct {
		name  string
		scope NumberingScope
		fresh bool
	}{{"record", ScopeRecord, false}, {"patient_known", ScopePatient, false}, {"patient_new", ScopePatient, true}} {
		b.Run(c.name, func(b *testing.B) {
			p := benchProcessor(b, ModeRedact)
			if c.scope == ScopeRecord {
				p.numbers = nil
			} else {
				p.numbers = NewNumbering([]byte(testSecret), 10_000, 0)
			}
			b.SetBytes(int64(len(benchNote)))
			b.ReportAllocs()
			i := 0
			cpuLoop(b, func() {
				patient := "P-0048291"
				if c.fresh {
					i++
					patient = strconv.Itoa(i)
				}
				p.transform(p.newState(patient), benchNote, spans, p.modeFor)
				if p.numbers != nil {
					p.numbers.Commit()
				}
			})
		})
	}
}
