package deploy

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/deidstream/deidstream/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite prometheus/alerts_test.yml from the cases in alerts_test.go")

const (
	alertsFile     = "prometheus/alerts.yml"
	alertTestsFile = "prometheus/alerts_test.yml"
)

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func loadRules(t *testing.T) map[string]rule {
	t.Helper()
	b, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("parsing %s: %v", alertsFile, err)
	}
	rules := map[string]rule{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			rules[r.Alert] = r
		}
	}
	return rules
}

// An alertCase is one promtool unit test: input series, then at each eval
// time the alerts expected to fire (labels beyond alertname and the rule's
// own; none: the alert must be silent).
type alertCase struct {
	name   string
	series [][2]string // series, values
	evals  []alertEval
}

type alertEval struct {
	at    string
	alert string
	fire  []map[string]string
}

const w = `instance="w1:9464",job="deidstream"`

func lbl(kv ...string) map[string]string {
	m := map[string]string{"instance": "w1:9464", "job": "deidstream"}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// instanceOnly is the labels of an alert aggregated by instance.
var instanceOnly = map[string]string{"instance": "w1:9464"}

var alertCases = []alertCase{
	{"a canary seen fires at once", [][2]string{{`deid_canary_hits_total{` + w + `}`, "0 0 1 1"}},
		[]alertEval{{"1m", "DeidCanarySeen", nil}, {"3m", "DeidCanarySeen", []map[string]string{lbl()}}}},
	{"residual findings above 5% of inspected records", [][2]string{
		{`deid_residual_phi_findings_total{type="PHONE",` + w + `}`, "0+2x40"},
		{`deid_residual_records_inspected_total{` + w + `}`, "0+10x40"}},
		[]alertEval{{"35m", "DeidResidualPHI", []map[string]string{instanceOnly}}}},
	{"residual findings under the tolerance, or too few inspected", [][2]string{
		{`deid_residual_phi_findings_total{type="NAME",` + w + `}`, "0+0.1x40"},
		{`deid_residual_records_inspected_total{` + w + `}`, "0+10x40"},
		{`deid_residual_phi_findings_total{type="NAME",instance="w2:9464",job="deidstream"}`, "0+1x40"},
		{`deid_residual_records_inspected_total{instance="w2:9464",job="deidstream"}`, "0+0.2x40"}},
		[]alertEval{{"35m", "DeidResidualPHI", nil}}},
	{"a worker halted on residual PHI", [][2]string{{`deid_worker_stops_total{cause="residual_phi",` + w + `}`, "0 0 1 _ _"}},
		[]alertEval{{"1m", "DeidHaltedOnResidualPHI", nil}, {"4m", "DeidHaltedOnResidualPHI", []map[string]string{lbl("cause", "residual_phi")}}}},
	{"quarantine at 10% of the input for 10 minutes", [][2]string{
		{`deid_records_quarantined_total{reason="invalid_json",` + w + `}`, "0+10x40"},
		{`deid_records_in_total{topic="raw",` + w + `}`, "0+100x40"}},
		[]alertEval{{"5m", "DeidQuarantineRateHigh", nil}, {"25m", "DeidQuarantineRateHigh", []map[string]string{instanceOnly}}}},
	{"quarantine at 1% of the input", [][2]string{
		{`deid_records_quarantined_total{reason="invalid_json",` + w + `}`, "0+1x40"},
		{`deid_records_in_total{topic="raw",` + w + `}`, "0+100x40"}},
		[]alertEval{{"25m", "DeidQuarantineRateHigh", nil}}},
	{"a quarantine reason not seen an hour ago", [][2]string{
		{`deid_records_quarantined_total{reason="invalid_json",` + w + `}`, "1+1x120"},
		{`deid_records_quarantined_total{reason="oversized",` + w + `}`, "_x70 1+1x50"}},
		[]alertEval{{"65m", "DeidNewQuarantineReason", nil},
			{"80m", "DeidNewQuarantineReason", []map[string]string{lbl("reason", "oversized")}}}},
	{"a DP release refused", [][2]string{{`deid_dp_refusals_total{` + w + `}`, "0 0 1 1"}},
		[]alertEval{{"1m", "DeidDPBudgetRefused", nil}, {"3m", "DeidDPBudgetRefused", []map[string]string{lbl()}}}},
	{"DP budget under 10%", [][2]string{{`deid_dp_budget_remaining_ratio{dataset="demo",` + w + `}`, "0.5 0.2 0.08"}},
		[]alertEval{{"1m", "DeidDPBudgetLow", nil}, {"2m", "DeidDPBudgetLow", []map[string]string{lbl("dataset", "demo")}}}},
	{"windows aborting", [][2]string{{`deid_windows_total{result="aborted",` + w + `}`, "0 1 2 3 4 5"}},
		[]alertEval{{"1m", "DeidWindowsAborting", nil}, {"5m", "DeidWindowsAborting", []map[string]string{lbl("result", "aborted")}}}},
	{"Kafka unreachable for over 2 minutes", [][2]string{{`deid_kafka_unreachable_seconds{` + w + `}`, "0 0 60 120 180 0"}},
		[]alertEval{{"3m", "DeidKafkaUnreachable", nil}, {"4m", "DeidKafkaUnreachable", []map[string]string{lbl()}}, {"5m", "DeidKafkaUnreachable", nil}}},
	{"consumer lag growing for 15 minutes", [][2]string{{`deid_consumer_lag{topic="raw",` + w + `}`, "2000+100x40"}},
		[]alertEval{{"10m", "DeidConsumerLagGrowing", nil}, {"30m", "DeidConsumerLagGrowing", []map[string]string{lbl("topic", "raw")}}}},
	{"consumer lag high but steady", [][2]string{{`deid_consumer_lag{topic="raw",` + w + `}`, "5000x40"}},
		[]alertEval{{"30m", "DeidConsumerLagGrowing", nil}}},
	{"no window committed while input waits", [][2]string{
		{`deid_windows_total{result="committed",` + w + `}`, "5x40"},
		{`deid_consumer_lag{topic="raw",` + w + `}`, "100x40"}},
		[]alertEval{{"3m", "DeidNoWindowCommitted", nil}, {"20m", "DeidNoWindowCommitted", []map[string]string{lbl("result", "committed")}}}},
	{"windows committing, or no input", [][2]string{
		{`deid_windows_total{result="committed",` + w + `}`, "0+1x40"},
		{`deid_consumer_lag{topic="raw",` + w + `}`, "100x40"},
		{`deid_windows_total{result="committed",instance="w2:9464",job="deidstream"}`, "5x40"},
		{`deid_consumer_lag{topic="raw",instance="w2:9464",job="deidstream"}`, "0x40"}},
		[]alertEval{{"20m", "DeidNoWindowCommitted", nil}}},
	{"the audit log did not verify at start", [][2]string{{`deid_worker_stops_total{cause="audit_verify",` + w + `}`, "0 1 _ _"}},
		[]alertEval{{"0m", "DeidAuditVerificationFailed", nil}, {"3m", "DeidAuditVerificationFailed", []map[string]string{lbl("cause", "audit_verify")}},
			{"3m", "DeidCheckpointSigningFailed", nil}}},
	{"a checkpoint could not be signed", [][2]string{{`deid_worker_stops_total{cause="audit_sign",` + w + `}`, "0 0 1"}},
		[]alertEval{{"1m", "DeidCheckpointSigningFailed", nil}, {"2m", "DeidCheckpointSigningFailed", []map[string]string{lbl("cause", "audit_sign")}}}},
	{"a key file older than the rotation period", [][2]string{
		{`deid_key_file_age_seconds{kind="research",` + w + `}`, "8000000x5"},
		{`deid_key_file_age_seconds{kind="quarantine",` + w + `}`, "100x5"},
		{`deid_key_rotation_period_seconds{` + w + `}`, "7776000x5"}},
		[]alertEval{{"2m", "DeidKeyFileTooOld", []map[string]string{lbl("kind", "research")}}}},
	{"key files younger than the rotation period", [][2]string{
		{`deid_key_file_age_seconds{kind="audit_signer",` + w + `}`, "7000000x5"},
		{`deid_key_rotation_period_seconds{` + w + `}`, "7776000x5"}},
		[]alertEval{{"2m", "DeidKeyFileTooOld", nil}}},
	{"a worker down for 2 minutes", [][2]string{{`up{` + w + `}`, "1 0 0 0 0"}},
		[]alertEval{{"2m", "DeidWorkerDown", nil}, {"4m", "DeidWorkerDown", []map[string]string{lbl()}}}},
}

var labelRef = regexp.MustCompile(`\{\{ \$labels\.([a-z_]+) \}\}`)

// render is the promtool test file for the cases: expected annotations are
// the rule's with {{ $labels.X }} filled in (the rules use no other template).
func render(t *testing.T, rules map[string]rule) []byte {
	t.Helper()
	type expAlert struct {
		ExpLabels      map[string]string `yaml:"exp_labels"`
		ExpAnnotations map[string]string `yaml:"exp_annotations"`
	}
	type ruleTest struct {
		EvalTime  string     `yaml:"eval_time"`
		Alertname string     `yaml:"alertname"`
		ExpAlerts []expAlert `yaml:"exp_alerts"`
	}
	type series struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	type test struct {
		Name        string     `yaml:"name"`
		Interval    string     `yaml:"interval"`
		InputSeries []series   `yaml:"input_series"`
		Tests       []ruleTest `yaml:"alert_rule_test"`
	}
	doc := struct {
		RuleFiles          []string `yaml:"rule_files"`
		EvaluationInterval string   `yaml:"evaluation_interval"`
		Tests              []test   `yaml:"tests"`
	}{RuleFiles: []string{"alerts.yml"}, EvaluationInterval: "1m"}
	for _, c := range alertCases {
		tc := test{Name: c.name, Interval: "1m"}
		for _, s := range c.series {
			tc.InputSeries = append(tc.InputSeries, series{s[0], s[1]})
		}
		for _, e := range c.evals {
			r, ok := rules[e.alert]
			if !ok {
				t.Fatalf("case %q: no alert %s in %s", c.name, e.alert, alertsFile)
			}
			rt := ruleTest{EvalTime: e.at, Alertname: e.alert, ExpAlerts: []expAlert{}}
			for _, fl := range e.fire {
				labels := map[string]string{}
				for k, v := range r.Labels {
					labels[k] = v
				}
				for k, v := range fl {
					labels[k] = v
				}
				ann := map[string]string{}
				for k, v := range r.Annotations {
					v = labelRef.ReplaceAllStringFunc(v, func(ref string) string {
						name := labelRef.FindStringSubmatch(ref)[1]
						if _, ok := labels[name]; !ok {
							t.Errorf("%s: annotation %s names label %s, which the alert does not carry", e.alert, k, name)
						}
						return labels[name]
					})
					ann[k] = v
				}
				rt.ExpAlerts = append(rt.ExpAlerts, expAlert{labels, ann})
			}
			tc.Tests = append(tc.Tests, rt)
		}
		doc.Tests = append(doc.Tests, tc)
	}
	var buf bytes.Buffer
	buf.WriteString("# Unit tests of alerts.yml for `promtool test rules alerts_test.yml`. Generated from the cases in\n" +
		"# deploy/alerts_test.go: edit those and run `go test ./deploy -run TestAlertRules -update`.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAlertRules: every alert has a summary, a description, a runbook section
// in docs/operations.md, and promtool unit tests where it fires and where it
// stays silent; promtool checks the rules and runs the tests (in CI it must
// be installed: scripts/setup.sh installs Debian's prometheus package).
func TestAlertRules(t *testing.T) {
	rules := loadRules(t)
	docs, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, c := range alertCases {
		for _, e := range c.evals {
			if len(e.fire) > 0 {
				fires[e.alert] = true
			} else {
				silent[e.alert] = true
			}
		}
	}
	for name, r := range rules {
		if r.Annotations["summary"] == "" || len(r.Annotations["description"]) < 80 {
			t.Errorf("%s: needs a summary and a description an on-call person can act on", name)
		}
		if strings.Contains(labelRef.ReplaceAllString(r.Annotations["summary"]+r.Annotations["description"], ""), "{{") {
			t.Errorf("%s: annotations may use {{ $labels.X }} only (the tests render them)", name)
		}
		anchor := strings.ToLower(name)
		if r.Annotations["runbook_url"] != "docs/operations.md#"+anchor {
			t.Errorf("%s: runbook_url %q, want docs/operations.md#%s", name, r.Annotations["runbook_url"], anchor)
		}
		if !regexp.MustCompile(`(?m)^### ` + name + `$`).Match(docs) {
			t.Errorf("%s: no runbook section \"### %s\" in docs/operations.md", name, name)
		}
		if r.Labels["severity"] != "critical" && r.Labels["severity"] != "warning" {
			t.Errorf("%s: severity %q, want critical or warning", name, r.Labels["severity"])
		}
		if !fires[name] || !silent[name] {
			t.Errorf("%s: needs a test where it fires and one where it stays silent (fires %v, silent %v)", name, fires[name], silent[name])
		}
	}
	want := render(t, rules)
	if *update {
		if err := os.WriteFile(alertTestsFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(alertTestsFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./deploy -run TestAlertRules -update", alertTestsFile)
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		testenv.Unavailable(t, "promtool not on PATH (scripts/setup.sh installs Debian's prometheus package)")
	}
	for _, args := range [][]string{{"check", "rules", alertsFile}, {"test", "rules", alertTestsFile}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range rules {
			if !yield(n) {
				return
			}
		}
	})
	t.Logf("%d alerts tested: %s", len(names), fmt.Sprint(names))
}

// TestComposeMountsAlertsAndDashboards: the stack's Prometheus loads the alert
// rules and its Grafana the dashboards, from the files the tests check.
func TestComposeMountsAlertsAndDashboards(t *testing.T) {
	c := loadCompose(t)
	want := map[string][]string{
		"prometheus": {"./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
			"./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"},
		"grafana": {"./deploy/grafana/dashboards.yml:/etc/grafana/provisioning/dashboards/dashboards.yml:ro",
			"./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro"},
	}
	for svc, vols := range want {
		for _, v := range vols {
			if !slices.Contains(c.Services[svc].Volumes, v) {
				t.Errorf("%s does not mount %s", svc, v)
			}
		}
	}
	prom, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^rule_files:\n  - alerts\.yml$`).Match(prom) {
		t.Error("prometheus.yml does not load alerts.yml")
	}
	prov, err := os.ReadFile("grafana/dashboards.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(prov), "path: /var/lib/grafana/dashboards") {
		t.Error("grafana/dashboards.yml does not read the mounted dashboards")
	}
}
