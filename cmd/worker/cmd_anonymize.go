package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/deidstream/deidstream/privacy"
)

func init() {
	register(command{name: "anonymize", summary: "k-anonymize a CSV file (l-diversity, t-closeness)", run: runAnonymize})
}

// anonymizeReport is the --report JSON: the achieved models and utility.
type anonymizeReport struct {
	privacy.Metrics
	Rows      int   `json:"rows"`
	ElapsedMS int64 `json:"elapsed_ms"`
}

func runAnonymize(ctx context.Context, s stdio, args []string) int {
	start := time.Now()
	fs := newFlags(s, "anonymize", "--in IN.csv --out OUT.csv --qi age:numeric,sex,... [flags]",
		"k-anonymizes a CSV file with a header (Mondrian), with optional l-diversity and t-closeness on a\n"+
			"sensitive column, and writes the achieved models and utility as a JSON report. The CSV and hierarchy\n"+
			"files are ';'-separated unless --sep says otherwise.")
	def := privacy.DefaultConfig()
	in := fs.String("in", "", "input CSV `file` with a header (required)")
	out := fs.String("out", "", "output CSV `file` (required)")
	sep := fs.String("sep", ";", "field separator of the CSV and hierarchy files")
	qi := fs.String("qi", "", "quasi-identifiers `name[:numeric|date],...` (kind default categorical; required)")
	hdir := fs.String("hierarchies", "", "`dir` holding *_hierarchy_<column>.csv files (missing: flat hierarchy)")
	sensitive := fs.String("sensitive", "", "sensitive `column` for l-diversity and t-closeness")
	k := fs.Int("k", def.K, "minimum class size (0 or 1 disables)")
	l := fs.Float64("l", 0, "l-diversity (0 = off)")
	lkind := fs.String("l-kind", def.LKind, "l-diversity kind: distinct, entropy or recursive")
	// Not -c: that is the config file in every command that reads one.
	c := fs.Float64("recursive-c", 0, "c of recursive (c,l)-diversity, with --l-kind recursive")
	t := fs.Float64("t", 0, "t-closeness bound (0 = off)")
	maxSupp := fs.Float64("max-suppression", def.MaxSuppression, "fraction of rows that may be suppressed")
	search := fs.Bool("local-search", false, "tighten the classes with a local search: lower NCP for several times the time")
	report := fs.String("report", "", "write the JSON report to this `file` (default: stderr)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if *in == "" || *out == "" || *qi == "" {
		return fs.usageError("--in, --out and --qi are required")
	}
	fail := func(err error) int {
		fmt.Fprintf(s.Stderr, "worker anonymize: %v\n", err)
		return 1
	}
	qis, err := privacy.ParseQuasiIdentifiers(*qi, *hdir)
	if err != nil {
		return fail(err)
	}
	cfg := def
	cfg.QuasiIdentifiers, cfg.Sensitive, cfg.K, cfg.L, cfg.LKind = qis, *sensitive, *k, *l, *lkind
	cfg.C, cfg.T, cfg.MaxSuppression, cfg.Separator = *c, *t, *maxSupp, *sep
	if *search {
		cfg.LocalSearch = privacy.LocalSearchOn
	}
	a, err := privacy.NewAnonymizer(cfg)
	if err != nil {
		return fail(err)
	}
	f, err := os.Open(*in)
	if err != nil {
		return fail(fmt.Errorf("opening input: %w", err))
	}
	table, err := privacy.ReadCSV(f, *sep)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("reading %s: %w", *in, err))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	res, err := a.Anonymize(table)
	if err != nil {
		return fail(fmt.Errorf("anonymizing %s: %w%s", *in, err, separatorHint(table, *sep)))
	}
	if err := writeAnonymized(*out, privacy.Table{Columns: table.Columns, Rows: res.Rows}, *sep); err != nil {
		return fail(err)
	}
	rep, _ := json.MarshalIndent(anonymizeReport{Metrics: res.Metrics, Rows: len(res.Rows),
		ElapsedMS: time.Since(start).Milliseconds()}, "", "  ")
	if *report == "" {
		fmt.Fprintln(s.Stderr, string(rep))
		return 0
	}
	if err := os.WriteFile(*report, append(rep, '\n'), 0o644); err != nil {
		return fail(fmt.Errorf("writing report: %w", err))
	}
	return 0
}

func writeAnonymized(path string, t privacy.Table, sep string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating output: %w", err)
	}
	if err := privacy.WriteCSV(f, t, sep); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	return nil
}

// separatorHint explains a missing column when the header looks split on
// another separator: a one-column header holding ',' or a tab is a CSV read
// with the wrong --sep, not a file without the column.
func separatorHint(t privacy.Table, sep string) string {
	if len(t.Columns) != 1 {
		return ""
	}
	for _, other := range []string{",", "\t", ";", "|"} {
		if other != sep && strings.Contains(t.Columns[0], other) {
			return fmt.Sprintf(" (the header was read as one column with --sep %q, and it holds %q: is the file %q-separated? pass --sep %q)",
				sep, other, other, other)
		}
	}
	return ""
}
