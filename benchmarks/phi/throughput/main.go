// Command throughput measures detectors.Engine throughput in MB/s on one core
// (GOMAXPROCS=1), its allocations per Detect call (the spans it returns are one),
// the memory held by the loaded dictionaries, and, in the same
// run, a baseline: the regular-expression approach of Presidio-style recognizers
// (one Go RE2 pattern per type, each scanning the whole text).
//
// Usage: go run ./benchmarks/phi/throughput [-corpus file.jsonl] [-mb 20]
// The corpus is JSONL with a "text" field (default: the real nursing notes of
// detectors/testdata); it is repeated until -mb megabytes have been scanned.
//
// Instructions per MB inside Detect, a figure the shared VM's load does not move:
//
//	go build -o /tmp/throughput ./benchmarks/phi/throughput
//	GODEBUG=asyncpreemptoff=1 GOGC=off valgrind --tool=callgrind --toggle-collect='*Engine*.Detect' \
//	    /tmp/throughput -passes 1 -corpus file.jsonl
//
// then divide the "Collected" count by the megabytes it prints.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/deidstream/deidstream/detectors"
)

func main() {
	corpus := flag.String("corpus", "", "JSONL corpus with a text field (default: the real nursing notes of detectors/testdata/physionet_dev.jsonl)")
	mb := flag.Float64("mb", 20, "megabytes to scan per measurement")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the engine measurement to this file (default: none)")
	passes := flag.Int("passes", 0, "only run the engine over the corpus this many times and print the megabytes scanned: "+
		"for counting instructions under valgrind, which the machine's load does not change (default: 0, measure time)")
	flag.Parse()
	runtime.GOMAXPROCS(1)

	files := []string{"detectors/testdata/physionet_dev.jsonl"}
	if *corpus != "" {
		files = []string{*corpus}
	}
	var texts []string
	size := 0
	for _, f := range files {
		ts, err := readTexts(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "throughput: %v\n", err)
			os.Exit(1)
		}
		for _, t := range ts {
			texts = append(texts, t)
			size += len(t)
		}
	}
	if size == 0 {
		fmt.Fprintln(os.Stderr, "throughput: empty corpus")
		os.Exit(1)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	eng, err := detectors.New(detectors.DefaultConfig())
	if err != nil {
		fmt.Fprintf(os.Stderr, "throughput: %v\n", err)
		os.Exit(1)
	}
	load := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("corpus: %d records, %.2f MB; GOMAXPROCS=1; %s/%s %s\n", len(texts), float64(size)/1e6, runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("dictionaries: load %v, heap %.1f MB\n", load.Round(time.Millisecond), float64(after.HeapAlloc-before.HeapAlloc)/1e6)

	spans := 0
	if *passes > 0 {
		for range *passes {
			for _, t := range texts {
				spans += len(eng.Detect(t))
			}
		}
		fmt.Printf("engine only: %d passes, %.3f MB scanned, %d spans\n", *passes, float64(size**passes)/1e6, spans)
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "throughput: creating profile: %v\n", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
	}
	calls := 0
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	engine, engineWall := measure(texts, size, *mb, func(s string) { spans += len(eng.Detect(s)); calls++ })
	runtime.ReadMemStats(&m1)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	base := baseline()
	regex, regexWall := measure(texts, size, *mb/4, func(s string) {
		for _, re := range base {
			spans += len(re.FindAllStringIndex(s, -1))
		}
	})
	fmt.Printf("engine (all detectors):     %7.1f MB per CPU-second (%.1f MB/s wall), %.2f allocations per Detect\n",
		engine, engineWall, float64(m1.Mallocs-m0.Mallocs)/float64(calls))
	fmt.Printf("baseline (%d RE2 patterns): %7.1f MB per CPU-second (%.1f MB/s wall)\n", len(base), regex, regexWall)
	fmt.Printf("ratio engine/baseline (CPU): %.1fx\n", engine/regex)
	_ = spans
}

// cpuTime is the process's user+system CPU time. On a shared VM, wall time
// includes waiting for the CPU; MB per CPU-second is the per-core figure.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn over the corpus until mb megabytes are scanned and returns
// MB per CPU-second and MB per wall-second.
func measure(texts []string, size int, mb float64, fn func(string)) (cpu, wall float64) {
	for _, t := range texts[:min(len(texts), 200)] { // warm up pools and caches
		fn(t)
	}
	target := int(mb * 1e6)
	done := 0
	start, c0 := time.Now(), cpuTime()
	for done < target {
		for _, t := range texts {
			fn(t)
		}
		done += size
	}
	c := cpuTime() - c0
	return float64(done) / 1e6 / c.Seconds(), float64(done) / 1e6 / time.Since(start).Seconds()
}

// baseline is a typical recognizer set: one regular expression per PHI type.
func baseline() []*regexp.Regexp {
	pats := []string{
		`\b\d{3}-\d{2}-\d{4}\b`,                              // SSN
		`(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}\b`, // phone
		`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,     // e-mail
		`\b\d{1,2}/\d{1,2}/\d{2,4}\b`,                        // date
		`\b(?:\d[ -]?){13,19}\b`,                             // card
		`https?://[^\s]+`,                                    // URL
		`\b(?:\d{1,3}\.){3}\d{1,3}\b`,                        // IPv4
		`\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b`, // month day
		`\b(?:Dr|Mr|Mrs|Ms)\.? [A-Z][a-z]+\b`,                                                      // titled name
		`\b\d+ [A-Z][a-z]+ (?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd)\b`,     // street
	}
	out := make([]*regexp.Regexp, len(pats))
	for i, p := range pats {
		out[i] = regexp.MustCompile(p)
	}
	return out
}

func readTexts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening corpus: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("decoding corpus %s line %d: %w", path, n, err)
		}
		out = append(out, r.Text)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading corpus %s: %w", path, err)
	}
	return out, nil
}
