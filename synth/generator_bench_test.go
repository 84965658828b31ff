package synth

import (
	"encoding/json"
	"testing"
	"time"
)

// reportRate adds records/s by wall clock and by process CPU time (the
// latter is what one free core would give).
func reportRate(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "records/cpu-s")
	}
}

// BenchmarkNext measures generation of one record and its gold spans to
// memory, the figure behind the >= 50k records/s target.
func BenchmarkNext(b *testing.B) {
	g := NewGenerator(Options{Seed: 1})
	var bytes int64
	cpu0 := processCPU()
	for b.Loop() {
		rec, _ := g.Next()
		bytes += int64(len(rec))
	}
	b.SetBytes(bytes / int64(b.N))
	reportRate(b, cpu0)
}

// BenchmarkNextWithGold adds encoding the gold line, as `worker gen --gold` does.
func BenchmarkNextWithGold(b *testing.B) {
	g := NewGenerator(Options{Seed: 1})
	var line []byte
	cpu0 := processCPU()
	for b.Loop() {
		_, gold := g.Next()
		line = AppendGoldJSON(line[:0], gold)
	}
	reportRate(b, cpu0)
}

// BenchmarkBaselineMarshal is the baseline: encoding/json marshalling an
// already-built record of the same shape and size, with no generation at all.
func BenchmarkBaselineMarshal(b *testing.B) {
	g := NewGenerator(Options{Seed: 1})
	rec, _ := g.Next()
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		b.Fatal(err)
	}
	type record struct {
		PatientID     string `json:"patient_id"`
		Name          string `json:"name"`
		BirthDate     string `json:"birth_date"`
		Address       string `json:"address"`
		City          string `json:"city"`
		State         string `json:"state"`
		Zip           string `json:"zip"`
		Phone         string `json:"phone"`
		Email         string `json:"email"`
		SSN           string `json:"ssn"`
		MRN           string `json:"mrn"`
		InsuranceID   string `json:"insurance_id"`
		AdmissionDate string `json:"admission_date"`
		DischargeDate string `json:"discharge_date"`
		Age           int    `json:"age"`
		Sex           string `json:"sex"`
		Race          string `json:"race"`
		DiagnosisCode string `json:"diagnosis_code"`
		Note          string `json:"note"`
	}
	s := func(k string) string { return m[k].(string) }
	r := record{s("patient_id"), s("name"), s("birth_date"), s("address"), s("city"), s("state"), s("zip"),
		s("phone"), s("email"), s("ssn"), s("mrn"), s("insurance_id"), s("admission_date"), s("discharge_date"),
		int(m["age"].(float64)), s("sex"), s("race"), s("diagnosis_code"), s("note")}
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := json.Marshal(&r); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, cpu0)
}
