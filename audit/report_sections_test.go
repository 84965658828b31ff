package audit

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/internal/testenv"
)

// securityRun is simulateRun followed by a window with residual findings, a
// key rotation, a budget refusal and one break-glass case, on a second log.
func securityRun(t *testing.T) (*Signer, []Message) {
	t.Helper()
	s := testSigner(t, "audit.test", 1)
	clock := fakeClock()
	l := NewLog(s, "worker-1", WithClock(clock))
	msgs := simulateRun(t, l, 6)
	app := func(l *Log, ev any) {
		m, err := l.Append(ev)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := l.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m, cp)
	}
	app(l, &WindowEvent{Window: 6, RecordsIn: 10, Published: 10, PolicyHash: "sha256:2c26b46b68ffc68ff99b453c1d304134",
		Residual: &deid.ResidualSummary{Inspected: 10, Findings: map[string]int64{"NAME": 2}, Canaries: 1}})
	app(l, &LifecycleEvent{Type: TypeKeyRotation, KeyIDs: []string{"research-2027+5e5e5e5e"}})
	app(l, &LifecycleEvent{Type: TypeBudgetRefused, Detail: map[string]string{"dataset": "notes-daily"}})
	bg := NewLog(s, "breakglass", WithClock(clock))
	for _, typ := range []string{TypeBreakGlassRequest, TypeBreakGlassApprove, TypeBreakGlassApprove, TypeBreakGlassOpen} {
		app(bg, &LifecycleEvent{Type: typ, Detail: map[string]string{"request": "bg-0011", "target_tag": "a1b2c3d4", "reason": "incidental_finding"}})
	}
	return s, msgs
}

func TestComplianceSections(t *testing.T) {
	s, msgs := securityRun(t)
	rep, err := Verify(msgs, s.Verifier())
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	c := NewCompliance(msgs, rep, time.Time{}, time.Time{})
	sec := c.Security
	if sec.KeyRotations != 1 || sec.BudgetRefusals != 1 || sec.BreakGlassRequests != 1 || sec.Approvals != 2 || sec.Openings != 1 {
		t.Errorf("security counts %+v", sec)
	}
	if sec.ResidualFindings != 2 || sec.Canaries != 1 || sec.ResidualInspected != 10 {
		t.Errorf("residual %d findings, %d canaries in %d, want 2, 1 in 10", sec.ResidualFindings, sec.Canaries, sec.ResidualInspected)
	}
	if len(sec.Events) != 6 || len(sec.QuarantineReasons) != 1 {
		t.Errorf("%d security events (want 6), quarantine reasons %v", len(sec.Events), sec.QuarantineReasons)
	}
	if len(c.WindowRows) != 7 || c.WindowRows[0].AchievedK != 5 || !c.WindowRows[0].HasDP || c.WindowRows[6].HasPrivacy {
		t.Errorf("window rows %+v", c.WindowRows)
	}
	var kinds []string
	for _, u := range c.Configs {
		kinds = append(kinds, u.Kind+":"+u.Hash)
	}
	if got := strings.Join(kinds, " "); got != "config:sha256:9f86d081884c7d659a2feaa0c55ad015 policy:sha256:2c26b46b68ffc68ff99b453c1d304134" {
		t.Errorf("configurations in force: %s", got)
	}
	var b bytes.Buffer
	if err := c.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Privacy guarantees per window", "Security events", "Configuration in force", "breakglass_open", "5 (5)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	// A period before the break-glass case leaves it out.
	c = NewCompliance(msgs, rep, time.Time{}, c.WindowRows[0].Time.Add(time.Nanosecond))
	if c.Security.BreakGlassRequests != 0 || len(c.WindowRows) != 1 {
		t.Errorf("period up to the first window: %d windows, %d break-glass requests", len(c.WindowRows), c.Security.BreakGlassRequests)
	}
}

// The PDF is looked at as a reader would: poppler renders every page, each
// page has ink, and its text holds every section and no planted PHI.
func TestCompliancePDF(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Unavailable(t, "%s is not on PATH (Debian package poppler-utils; scripts/setup.sh installs it)", tool)
		}
	}
	s, msgs := securityRun(t)
	rep, err := Verify(msgs, s.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	c := NewCompliance(msgs, rep, time.Time{}, time.Time{})
	// Enough windows for the table to run onto more pages, with its header again.
	for i := range 120 {
		c.WindowRows = append(c.WindowRows, c.WindowRows[i%6])
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.pdf")
	var b bytes.Buffer
	if err := c.WritePDF(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "40", "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) < 3 {
		t.Fatalf("%d pages rendered, want at least 3", len(pages))
	}
	for _, p := range pages {
		if ink := inkFraction(t, p); ink < 0.005 {
			t.Errorf("%s is blank (%.4f of its pixels dark)", filepath.Base(p), ink)
		}
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Verification", "Log verified", "Records processed", "PHI found by type", "Privacy guarantees",
		"Security events", "breakglass_approve", "Configuration in force", "sha256:2c26b46b68ffc68ff99b453c1d304134", "notes-daily",
		fmt.Sprintf("page 1 of %d", len(pages))} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if n := bytes.Count(text, []byte("k (req.)")); n < 2 {
		t.Errorf("the window table's header appears %d time(s), want it repeated on every page it runs onto", n)
	}
	for _, phi := range plantedPHI {
		if bytes.Contains(text, []byte(phi)) {
			t.Errorf("PDF contains planted PHI %q", phi)
		}
	}
	if keep := os.Getenv("DEID_KEEP_REPORT"); keep != "" { // a directory: to look at the pages by eye
		var html bytes.Buffer
		if err := c.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"report.pdf": b.Bytes(), "report.html": html.Bytes()} {
			if err := os.WriteFile(filepath.Join(keep, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// inkFraction is the share of a PNG's pixels darker than light grey.
func inkFraction(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var dark, all int
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if (r+g+b)/3 < 0xc000 {
				dark++
			}
			all++
		}
	}
	return float64(dark) / float64(all)
}
