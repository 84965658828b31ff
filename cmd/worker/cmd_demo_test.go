package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/privacy/dp"
	"github.com/deidstream/deidstream/synth"
)

// summaryCase is one window of 10 records, 9 published and 1 quarantined at
// decode, out of a generator that made 2 poison records.
func summaryCase(achievedK int, accounting string) (*config.Config, *outputs, synth.Stats) {
	cfg, err := config.Demo()
	if err != nil {
		panic(err)
	}
	cfg.DP.Accounting = accounting
	o := &outputs{
		quarantined: map[string]int{"invalid_json": 1},
		report:      &audit.Report{OK: true, Messages: 2},
		windows: []*audit.WindowEvent{{RecordsIn: 10, Published: 9, Quarantined: 1,
			Privacy: &audit.Privacy{AchievedK: achievedK, K: cfg.Privacy.K},
			DP:      &audit.DP{Accounting: accounting, Spent: 0.25, Budget: 1}}},
	}
	for i := range 9 {
		o.rows = append(o.rows, arrowbatch.Row{Offset: int64(i)})
	}
	gen := synth.Stats{Records: 10, Poison: 2}
	gen.PoisonByKind[0], gen.PoisonByKind[3] = 1, 1
	return cfg, o, gen
}

func TestDemoSummary(t *testing.T) {
	tests := []struct {
		name       string
		achievedK  int
		accounting string
		wantErr    bool
		want       []string
		notWant    []string
	}{
		{"k met, zCDP", 5, dp.ZCDP, false, []string{"privacy               ok: achieved k >= 5", "rho spent 0.25 of 1.00"}, []string{"epsilon"}},
		{"k met, pure DP", 7, dp.Pure, false, []string{"epsilon spent 0.25 of 1.00 (pure accounting)"}, []string{"rho"}},
		{"k below the configured k", 3, dp.ZCDP, true, []string{"privacy               FAILED: achieved k >= 3 in every window (configured k=5)"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, o, gen := summaryCase(tc.achievedK, tc.accounting)
			var out bytes.Buffer
			err := printSummary(&out, cfg, o, gen, time.Second)
			if (err != nil) != tc.wantErr {
				t.Fatalf("printSummary error %v, want error %v\n%s", err, tc.wantErr, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("summary says %q:\n%s", w, out.String())
				}
			}
			// The quarantine line explains itself against the generator's poison.
			if w := "the generator made 2 poison records (bad_json 1, bad_utf8 0, oversized 0, wrong_type 1); 1 failed the input schema; readable and published: 1"; !strings.Contains(out.String(), w) {
				t.Errorf("summary lacks %q:\n%s", w, out.String())
			}
		})
	}
}
