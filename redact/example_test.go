package redact_test

import (
	"fmt"
	"strings"

	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/redact"
)

// names is a toy Detector for the example; the pipeline passes *detectors.Engine.
type names []string

func (n names) Detect(text string) []detectors.Span {
	var spans []detectors.Span
	for i := 0; i < len(text); {
		hit := false
		for _, name := range n {
			if strings.HasPrefix(text[i:], name) {
				spans = append(spans, detectors.Span{Start: i, End: i + len(name), Type: detectors.Name, Score: 1})
				i += len(name)
				hit = true
				break
			}
		}
		if !hit {
			i++
		}
	}
	return spans // byte offsets equal code points here: the example text is ASCII
}

func Example() {
	cfg := redact.DefaultConfig()
	cfg.Secret = strings.Repeat("example-secret-", 3) // use ${DEID_SECRET} in a real config
	cfg.Fields = []redact.FieldPolicy{
		{Name: "patient_id", Action: redact.ActionHash},
		{Name: "note", Action: redact.ActionScan},
		{Name: "zip", Action: redact.ActionZip3},
		{Name: "age", Action: redact.ActionAge},
	}
	p, err := redact.NewProcessor(cfg, names{"Jane Roe", "Roe", "Dr. Ames"})
	if err != nil {
		panic(err)
	}
	res, _ := p.Process(map[string]any{
		"patient_id": "P-17", "note": "Jane Roe seen by Dr. Ames; Roe stable.",
		"zip": "03601", "age": 93, "phone": "555-0100",
	})
	fmt.Println(p.Columns())
	fmt.Println(res.Values[1:], res.Counts)
	// Output:
	// [patient_id note zip age]
	// [[NAME_1] seen by [NAME_2]; [NAME_1] stable. 000 90+] map[NAME:3]
}
