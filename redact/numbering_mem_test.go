package redact_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/redact"
	"github.com/deidstream/deidstream/synth"
)

// The memory a patient's numbering takes, measured on synthetic notes with the
// real detectors: the figure behind DefaultMaxPatients. It fails if a patient
// grows past the budget the default assumes, and checks the cap holds.
func TestNumberingBytesPerPatient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the detectors on thousands of notes")
	}
	eng, err := detectors.New(detectors.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	g := synth.NewGenerator(synth.Options{Seed: 11})
	var notes []string
	for len(notes) < 6000 {
		rec, _ := g.Next()
		var m map[string]any
		if json.Unmarshal(rec, &m) == nil {
			if s, ok := m["note"].(string); ok {
				notes = append(notes, s)
			}
		}
	}
	for _, notesPerPatient := range []int{1, 3} {
		cfg := redact.DefaultConfig()
		cfg.Secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		cfg.Fields = []redact.FieldPolicy{{Name: "note", Action: redact.ActionScan}}
		p, err := redact.NewProcessor(cfg, eng)
		if err != nil {
			t.Fatal(err)
		}
		patients := len(notes) / notesPerPatient
		before := heap()
		for i, n := range notes[:patients*notesPerPatient] {
			if _, err := p.Process(map[string]any{"patient_id": fmt.Sprint("P", i%patients), "note": n}); err != nil {
				t.Fatal(err)
			}
		}
		var size int
		for _, r := range p.Numbering().Changed() {
			size += len(r.Value)
		}
		p.Numbering().Commit()
		per := float64(heap()-before) / float64(p.Numbering().Patients())
		t.Logf("%d notes per patient: %d patients held, %.0f bytes of heap and %.0f encoded bytes per patient",
			notesPerPatient, p.Numbering().Patients(), per, float64(size)/float64(patients))
		// The default of 100000 patients assumes about 650 bytes for a patient
		// with one note (65 MB); each further note adds about 450.
		if budget := 700 + 500*float64(notesPerPatient-1); per > budget {
			t.Errorf("%.0f bytes per patient with %d notes each, over the %.0f the default cap assumes", per, notesPerPatient, budget)
		}
		runtime.KeepAlive(p)
	}
}

func heap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
