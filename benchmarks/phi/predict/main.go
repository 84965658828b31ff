// Command predict runs detectors.Engine over a gold JSONL file and prints the
// predictions eval_phi.py reads ({"id","spans"} per line). It depends on the
// detectors package only, so the evaluation does not need the whole worker.
//
// Usage: go run ./benchmarks/phi/predict [-c config.yaml] < gold.jsonl > pred.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/detectors"
)

func main() {
	cfgPath := flag.String("c", "", "YAML file whose detection: section configures the engine (default: built-in defaults)")
	flag.Parse()
	cfg := detectors.DefaultConfig()
	if *cfgPath != "" {
		raw, err := os.ReadFile(*cfgPath)
		if err != nil {
			fail(fmt.Errorf("reading config: %w", err))
		}
		var doc struct {
			Detection yaml.Node `yaml:"detection"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			fail(fmt.Errorf("parsing config %s: %w", *cfgPath, err))
		}
		if doc.Detection.Kind != 0 {
			if err := doc.Detection.Decode(&cfg); err != nil {
				fail(fmt.Errorf("parsing config %s: detection: %w", *cfgPath, err))
			}
		}
	}
	eng, err := detectors.New(cfg)
	if err != nil {
		fail(err)
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for n := 1; sc.Scan(); n++ {
		var rec struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			fail(fmt.Errorf("decoding gold line %d: %w", n, err))
		}
		spans := eng.Detect(rec.Text)
		if spans == nil {
			spans = []detectors.Span{}
		}
		enc.Encode(struct {
			ID    string           `json:"id"`
			Spans []detectors.Span `json:"spans"`
		}{rec.ID, spans})
	}
	if err := sc.Err(); err != nil {
		fail(fmt.Errorf("reading gold: %w", err))
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "predict: %v\n", err)
	os.Exit(1)
}
