package detectors

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// benchTexts loads the hand-made clinical notes (and the presidio dev set when present).
func benchTexts(b *testing.B) ([]string, int) {
	var texts []string
	size := 0
	for _, path := range []string{"testdata/clinical_gold.jsonl", "/work/shared/data/phi/presidio_synth_v2.jsonl"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &r) == nil {
				texts = append(texts, r.Text)
				size += len(r.Text)
			}
		}
		f.Close()
	}
	if size == 0 {
		b.Skip("no corpus")
	}
	return texts, size
}

// BenchmarkDetect reports throughput (MB/s) of the whole engine on one goroutine.
func BenchmarkDetect(b *testing.B) {
	texts, size := benchTexts(b)
	e := newEngine(b, DefaultConfig())
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			e.Detect(t)
		}
	}
}

// BenchmarkTokenize is the floor: one pass of the tokenizer and dictionary lookups.
func BenchmarkTokenize(b *testing.B) {
	texts, size := benchTexts(b)
	e := newEngine(b, DefaultConfig())
	sc := &scan{e: e}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, t := range texts {
			sc.reset(t)
		}
	}
}
