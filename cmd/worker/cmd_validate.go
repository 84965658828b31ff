package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/deidstream/deidstream/access"
	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/internal/app"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/privacy"
)

func init() {
	register(command{name: "validate", summary: "check a config file and everything it names (keys, hierarchies); no Kafka needed", run: runValidate})
}

func runValidate(_ context.Context, s stdio, args []string) int {
	fs := newFlags(s, "validate", "[-c config.yaml] [--detectors]",
		"Checks a config and everything it names (key files, the secret, hierarchies, columns) without Kafka.\n"+
			"Exit 0 if worker run can use it, 1 with file, line, key and reason otherwise.")
	var cfgPath string
	fs.configFlag(&cfgPath, "config.yaml", "config `file` to check")
	list := fs.Bool("detectors", false, "also list the built-in detectors and their settings")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(s.Stderr, "worker validate:", err)
		return 1
	}
	cfg, _, err := loadRunConfig(cfgPath)
	if err != nil {
		return fail(err)
	}
	red, err := app.NewRedaction(cfg)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", cfgPath, err))
	}
	cols := red.Columns()
	if cfg.PrivacyEnabled() {
		if _, err := privacy.NewAnonymizer(cfg.Privacy); err != nil {
			return fail(fmt.Errorf("%s: privacy: %w", cfgPath, err))
		}
	}
	if err := app.CheckColumns(cfg, cols); err != nil {
		return fail(fmt.Errorf("%s: %w", cfgPath, err))
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(s.Stderr, "worker validate: warning:", w)
	}
	fmt.Fprintf(s.Stdout, "%s: valid\n  input topics: %s\n  output columns: %s\n  privacy models: %s\n  DP statistics: %s\n"+
		"  roles: %s\n  break-glass: %s\n",
		cfgPath, strings.Join(cfg.Topics.Input, ", "), strings.Join(cols, ", "), privacySummary(cfg), dpSummary(cfg),
		rolesSummary(cfg), breakGlassSummary(cfg))
	if *list {
		for _, sp := range detectors.Specs() {
			fmt.Fprintf(s.Stdout, "\n%s %v\n  %s\n", sp.Name, sp.Types, sp.Description)
		}
	}
	return 0
}

func privacySummary(cfg *config.Config) string {
	if !cfg.PrivacyEnabled() {
		return "off (no privacy.quasi_identifiers)"
	}
	p := cfg.Privacy
	out := fmt.Sprintf("k=%d over %d quasi-identifiers", p.K, len(p.QuasiIdentifiers))
	if p.L > 0 {
		out += fmt.Sprintf(", %s l=%g on %s", p.LKind, p.L, p.Sensitive)
	}
	if p.T > 0 {
		out += fmt.Sprintf(", t=%g on %s", p.T, p.Sensitive)
	}
	return out
}

func dpSummary(cfg *config.Config) string {
	if !cfg.DPEnabled() {
		return "off (no dp.dataset)"
	}
	d := cfg.DP.WithDefaults()
	return fmt.Sprintf("dataset %s, %s budget %g, %g per window", d.Dataset, d.Accounting, d.Budget, d.PerRelease)
}

func rolesSummary(cfg *config.Config) string {
	if !cfg.Roles.Enabled() {
		return "off (no roles principals): no ACLs planned"
	}
	return fmt.Sprintf("%d ACLs planned (worker acl plan), separation of duties holds", len(access.Plan(cfg.Roles, cfg.AccessResources())))
}

func breakGlassSummary(cfg *config.Config) string {
	bg := cfg.BreakGlass
	if !bg.Enabled() {
		return "off (no breakglass.officers)"
	}
	escrow := "no escrow file yet (worker breakglass init): nothing is escrowed"
	if bg.Escrow != "" {
		escrow = "published records escrowed to " + bg.Topic
	}
	return fmt.Sprintf("%d of %d officers, grants last %v; %s", bg.Threshold, len(bg.Officers), bg.AccessDuration, escrow)
}
