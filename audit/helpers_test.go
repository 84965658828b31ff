package audit

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testSigner returns a deterministic signer named name.
func testSigner(t testing.TB, name string, seed byte) *Signer {
	t.Helper()
	s, err := GenerateSigner(name, rand.NewChaCha8([32]byte{seed}))
	if err != nil {
		t.Fatalf("GenerateSigner: %v", err)
	}
	return s
}

// fakeClock ticks one second per call from a fixed instant.
func fakeClock() func() time.Time {
	t := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

// plantedPHI are values placed in the simulated input records; none may
// ever appear in an audit message.
var plantedPHI = []string{
	"Jonathan Q. Smithfield", "123-45-6789", "1980-02-03", "555-867-5309",
	"jsmith@example.org", "MRN-00424242", "42 Wallaby Way", "02138",
}

// simRecord is one simulated input record.
type simRecord struct {
	topic     string
	partition int32
	offset    int64
	value     string
}

var simDetectors = []struct {
	typ string
	re  *regexp.Regexp
}{
	{"SSN", regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)},
	{"PHONE", regexp.MustCompile(`\b\d{3}-\d{3}-\d{4}\b`)},
	{"EMAIL", regexp.MustCompile(`\b\S+@\S+\.\w+\b`)},
	{"DATE", regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)},
	{"MRN", regexp.MustCompile(`\bMRN-\d+\b`)},
	{"NAME", regexp.MustCompile(`Jonathan Q\. Smithfield`)},
}

// simulateRun runs a small worker life: start, config, windows of records
// carrying planted PHI (counted, quarantined or published as a worker
// would), checkpoints after every second window, stop. It returns the
// messages the worker would have published.
func simulateRun(t testing.TB, l *Log, windows int) []Message {
	t.Helper()
	var msgs []Message
	app := func(ev any) {
		m, err := l.Append(ev)
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		msgs = append(msgs, m)
	}
	cp := func() {
		m, err := l.Checkpoint()
		if err != nil {
			t.Fatalf("Checkpoint: %v", err)
		}
		msgs = append(msgs, m)
	}
	app(&LifecycleEvent{Type: TypeStart, KeyIDs: []string{"research-2026+1a2b3c4d"}})
	app(&LifecycleEvent{Type: TypeConfigLoaded, ConfigHash: "sha256:9f86d081884c7d659a2feaa0c55ad015"})
	cp()
	off := int64(0)
	for w := range windows {
		var recs []simRecord
		for i := range 6 {
			v := fmt.Sprintf(`{"note":"patient %s seen, ssn %s, dob %s, call %s, mail %s, %s, lives at %s %s"}`,
				plantedPHI[0], plantedPHI[1], plantedPHI[2], plantedPHI[3], plantedPHI[4], plantedPHI[5], plantedPHI[6], plantedPHI[7])
			if i == 5 {
				v = `{"note": "` + plantedPHI[1] // truncated JSON: quarantined
			}
			recs = append(recs, simRecord{"ehr.notes", int32(w % 2), off, v})
			off++
		}
		ev := &WindowEvent{Window: uint64(w), PolicyHash: "sha256:2c26b46b68ffc68ff99b453c1d304134",
			QuarantineReasons: map[string]int64{}, PHICounts: map[string]int64{},
			KeyIDs: []string{"research-2026+1a2b3c4d", "security+99aa00bb"}}
		for _, r := range recs {
			ev.RecordsIn++
			ev.Inputs = mergeRange(ev.Inputs, r)
			if !strings.HasSuffix(r.value, "}") {
				ev.Quarantined++
				ev.QuarantineReasons["decode_json"]++
				continue
			}
			for _, d := range simDetectors {
				if n := len(d.re.FindAllString(r.value, -1)); n > 0 {
					ev.PHICounts[d.typ] += int64(n)
				}
			}
			ev.Published++
		}
		ev.Published--
		ev.Suppressed++ // k-anonymity suppressed one record
		ev.Privacy = &Privacy{K: 5, L: 2, LKind: "distinct", T: 0.2, AchievedK: 5, AchievedL: 2, AchievedT: 0.15, NCP: 0.31, Classes: 1}
		ev.DP = &DP{Dataset: "notes-daily", Accounting: "zcdp-rho", Spent: 0.05 * float64(w+1), Remaining: 1 - 0.05*float64(w+1), Budget: 1}
		ev.BatchIDs = []string{fmt.Sprintf("b-%04d-0", w)}
		app(ev)
		if w%2 == 1 {
			cp()
		}
	}
	app(&LifecycleEvent{Type: TypeStop, Detail: map[string]string{"reason": "sigterm"}})
	cp()
	l.Commit()
	return msgs
}

func mergeRange(rs []InputRange, r simRecord) []InputRange {
	for i := range rs {
		if rs[i].Topic == r.topic && rs[i].Partition == r.partition {
			rs[i].Last = r.offset
			return rs
		}
	}
	return append(rs, InputRange{Topic: r.topic, Partition: r.partition, First: r.offset, Last: r.offset})
}

// positions lists the positions of findings with the given check.
func positions(rep *Report, check string) []int {
	var out []int
	for _, f := range rep.Findings {
		if f.Check == check {
			out = append(out, f.Position)
		}
	}
	return out
}
