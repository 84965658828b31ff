package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/privacy/dp"
)

func TestCheckColumns(t *testing.T) {
	cols := []string{"patient_id", "age", "sex", "race", "zip", "note"}
	for _, tc := range []struct {
		name string
		mod  func(*config.Config)
		want string // "" = valid
	}{
		{"demo", func(*config.Config) {}, ""},
		{"qi not released", func(c *config.Config) { c.Privacy.QuasiIdentifiers[0].Name = "agee" }, "privacy.quasi_identifiers"},
		{"sensitive not released", func(c *config.Config) { c.Privacy.Sensitive = "diagnosis" }, "privacy.sensitive"},
		{"group_by pair", func(c *config.Config) { c.DP.GroupBy = []string{"sex, race"} }, ""},
		{"group_by typo", func(c *config.Config) { c.DP.GroupBy = []string{"sex,rase"} }, "dp.group_by"},
		{"sum typo", func(c *config.Config) { c.DP.Sums = []dp.Bounded{{Column: "ag", Upper: 1}} }, "dp.sums"},
		{"noise on a qi", func(c *config.Config) { c.DP.RecordNoise = []dp.RecordNoise{{Column: "age", Upper: 1, Epsilon: 1}} }, "quasi-identifier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Demo()
			if err != nil {
				t.Fatal(err)
			}
			tc.mod(cfg)
			err = CheckColumns(cfg, cols)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrColumns) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrColumns naming %s", err, tc.want)
			}
		})
	}
}
