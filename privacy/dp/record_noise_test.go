package dp

import (
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPerturbRows(t *testing.T) {
	cfg := Config{RecordNoise: []RecordNoise{
		{Column: "age", Lower: 0, Upper: 100, Epsilon: 1},
		{Column: "bmi", Lower: 10, Upper: 60.5, Epsilon: 2},
	}}
	cols := []string{"id", "age", "bmi"}
	rows := make([][]string, 3000)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i), "50", "25.3"}
	}
	rows[0][1] = "SECRET"
	rep, err := Perturb(cfg, cols, rows, SeededSource(3))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(PerturbReport{Rows: 3000, Unparsed: map[string]int64{"age": 1}}, rep); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	var sum, sum2 float64
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d: unconfigured column changed to %q", i+1, r[0])
		}
		age, err := strconv.ParseInt(r[1], 10, 64)
		if err != nil {
			t.Fatalf("row %d: age %q is not an integer on the bounds' grid", i+1, r[1])
		}
		if dot := strings.IndexByte(r[2], '.'); dot < 0 || len(r[2])-dot != 2 {
			t.Fatalf("row %d: bmi %q does not have one decimal place", i+1, r[2])
		}
		z := float64(age - 50)
		sum += z
		sum2 += z * z
	}
	// Age: scale (100-0)/1 in units of 1.
	n := float64(len(rows) - 1)
	want := lapVariance(100)
	if mean, v := sum/n, sum2/n-(sum/n)*(sum/n); math.Abs(mean) > 5*math.Sqrt(want/n) || math.Abs(v/want-1) > 0.1 {
		t.Errorf("age noise mean %.2f, variance %.0f; want 0 and %.0f", mean, v, want)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestPerturbRowsErrorsLeaveRows(t *testing.T) {
	cfg := Config{RecordNoise: []RecordNoise{{Column: "age", Lower: 0, Upper: 100, Epsilon: 1}}}
	rows := [][]string{{"41"}, {"42"}}
	err := PerturbRows(cfg, []string{"age"}, rows, NewSource(failingReader{}))
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("got %v, want the source's error", err)
	}
	if diff := cmp.Diff([][]string{{"41"}, {"42"}}, rows); diff != "" {
		t.Errorf("rows changed by a failed perturbation:\n%s", diff)
	}
	if err := PerturbRows(cfg, []string{"weight"}, rows, SeededSource(1)); !errors.Is(err, ErrUnknownColumn) {
		t.Errorf("unknown column: got %v", err)
	}
	cfg.RecordNoise[0].Epsilon = 0
	if err := PerturbRows(cfg, []string{"age"}, rows, SeededSource(1)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("zero epsilon: got %v", err)
	}
}
