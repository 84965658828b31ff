package redact

import (
	"testing"
)

// benchRecord is a realistic inpatient record: a ~1.3 KB note with names,
// dates, phone, MRN, address and e-mail, plus structured fields.
const benchNote = `DISCHARGE SUMMARY. Patient: John Smith, MRN 00482913, DOB 03/04/1950. Admitted 04/12/2019 ` +
	`to Mercy General Hospital by Dr. Mary Jones for community-acquired pneumonia. Mr. Smith is a 69 year old ` +
	`man with COPD and hypertension who presented with 3 days of fever and productive cough. Chest X-ray showed ` +
	`right lower lobe consolidation. He was treated with ceftriaxone and azithromycin and improved. Wife Anna ` +
	`Smith was at the bedside and can be reached at 555-201-3344 or anna.smith@mail.com. He lives at 12 Oak ` +
	`Street, Boston MA 02134. Follow up with Dr. Jones on April 26, 2019 at the pulmonary clinic. Discharge ` +
	`medications: amoxicillin-clavulanate 875 mg twice daily for 5 days, albuterol inhaler as needed, ` +
	`lisinopril 10 mg daily. Code status full. Discharged home 04/16/2019 in stable condition, ambulating ` +
	`independently, tolerating a regular diet. Return precautions reviewed with patient and wife, who ` +
	`verbalized understanding. Signed electronically by Mary Jones MD on 04/16/2019 16:42.`

func benchRecord() map[string]any {
	return map[string]any{
		"patient_id": "P-0048291", "note": benchNote, "birth_date": "1950-03-04", "admit_date": "2019-04-12",
		"zip": "02134", "age": "69", "sex": "M", "ssn": "123-45-6789", "insurer": "dropped by default",
	}
}

// cpuLoop runs body b.N times and reports CPU nanoseconds per op.
func cpuLoop(b *testing.B, body func()) {
	start := processCPU()
	for b.Loop() {
		body()
	}
	if used := processCPU() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func benchProcessor(b *testing.B, mode Mode) *Processor {
	p, err := NewProcessor(Config{Secret: testSecret, DefaultMode: mode, Method: MethodDateShifting, Fields: []FieldPolicy{
		{Name: "patient_id", Action: ActionHash}, {Name: "note", Action: ActionScan},
		{Name: "birth_date", Action: ActionDateYear}, {Name: "admit_date", Action: ActionDateShift},
		{Name: "zip", Action: ActionZip3}, {Name: "age", Action: ActionAge}, {Name: "sex", Action: ActionKeep, Values: []string{"F", "M"}},
		{Name: "ssn", Action: ActionDrop},
	}}, realEngine(b))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkDetectOnly is the baseline: the detection engine alone on the note.
func BenchmarkDetectOnly(b *testing.B) {
	e := realEngine(b)
	b.SetBytes(int64(len(benchNote)))
	cpuLoop(b, func() { e.Detect(benchNote) })
}

// BenchmarkProcess is the whole record stage: detection plus the field policy and a mode.
func BenchmarkProcess(b *testing.B) {
	for _, mode := range []Mode{ModeRedact, ModeSurrogate, ModeHash} {
		b.Run(string(mode), func(b *testing.B) {
			p := benchProcessor(b, mode)
			rec := benchRecord()
			b.SetBytes(int64(len(benchNote)))
			b.ReportAllocs()
			cpuLoop(b, func() {
				if res, err := p.Process(rec); err != nil || res.Reject != "" {
					b.Fatal(err, res.Reject)
				}
			})
		})
	}
}

// BenchmarkTransform isolates this package's cost: the modes applied to
// precomputed spans, with no detection.
func BenchmarkTransform(b *testing.B) {
	spans := realEngine(b).Detect(benchNote)
	for _, mode := range []Mode{ModeRedact, ModeSurrogate, ModeHash} {
		b.Run(string(mode), func(b *testing.B) {
			p := benchProcessor(b, mode)
			b.SetBytes(int64(len(benchNote)))
			b.ReportAllocs()
			cpuLoop(b, func() { p.transform(p.newState("P-0048291"), benchNote, spans, p.modeFor) })
		})
	}
}
