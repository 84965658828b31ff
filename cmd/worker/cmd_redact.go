package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/deidstream/deidstream/detectors"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/redact"
)

func init() {
	register(command{name: "redact", summary: "redact, surrogate or hash PHI in JSONL {id,text} records on stdin", run: runRedact})
}

// secretEnv is read when the config has no secret (or there is no config).
const secretEnv = "DEID_SECRET"

func runRedact(ctx context.Context, s stdio, args []string) int {
	fs := newFlags(s, "redact", "[--mode redact|surrogate|hash|detect] [-c config.yaml] < in.jsonl > out.jsonl",
		"Reads {\"id\",\"text\"} lines; prints {\"id\",\"text\"} per line with PHI transformed, in order.\n"+
			"The secret is redaction.secret, else $"+secretEnv+", else a random per-run secret (surrogates and hashes\n"+
			"then differ from run to run). A patient key is read from redaction.patient_field when present: lines of\n"+
			"one patient share placeholder numbers ([NAME_1] is one person in all of them), in memory for the run.")
	mode := fs.String("mode", "", "`mode` for every PHI type: redact, surrogate, hash or detect (default: the config's per-type modes)")
	var cfgPath string
	fs.configFlag(&cfgPath, "", "config `file` with detection: and redaction: sections (default: built-in defaults)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	switch redact.Mode(*mode) {
	case "", redact.ModeRedact, redact.ModeSurrogate, redact.ModeHash, redact.ModeDetect:
	default:
		fmt.Fprintf(s.Stderr, "worker redact: --mode %q: want redact, surrogate, hash or detect\n", *mode)
		return 2
	}
	dcfg, rcfg := detectors.DefaultConfig(), redact.DefaultConfig()
	if cfgPath != "" {
		var err error
		if dcfg, err = loadDetectionConfig(cfgPath); err == nil {
			rcfg, err = loadRedactionConfig(cfgPath)
		}
		if err != nil {
			fmt.Fprintf(s.Stderr, "worker redact: %v\n", err)
			return 2
		}
	}
	if rcfg.Secret == "" {
		rcfg.Secret = os.Getenv(secretEnv)
	}
	if rcfg.Secret == "" {
		var b [32]byte
		rand.Read(b[:])
		rcfg.Secret = hex.EncodeToString(b[:])
		fmt.Fprintf(s.Stderr, "worker redact: warning: no secret in config or $%s; using a random per-run secret\n", secretEnv)
	}
	eng, err := detectors.New(dcfg)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker redact: %v\n", err)
		return 2
	}
	proc, err := redact.NewProcessor(rcfg, eng)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker redact: %v\n", err)
		return 2
	}
	failed, err := redactStream(ctx, proc, rcfg.PatientField, redact.Mode(*mode), s.Stdin, s.Stdout)
	if err != nil {
		fmt.Fprintf(s.Stderr, "worker redact: %v\n", err)
		return 1
	}
	if failed > 0 {
		fmt.Fprintf(s.Stderr, "worker redact: %d unreadable line(s)\n", failed)
		return 1
	}
	return 0
}

// loadRedactionConfig reads the `redaction:` section of a worker config file.
// An empty secret is left for the caller to fill from the environment.
func loadRedactionConfig(path string) (redact.Config, error) {
	c, err := config.LoadSections(path, "detection", "redaction")
	if err != nil {
		return redact.Config{}, err
	}
	if c.Redaction.Secret == "" {
		return c.Redaction, nil
	}
	if err := c.Redaction.Validate(); err != nil {
		return c.Redaction, fmt.Errorf("validating config %s: redaction: %w", path, err)
	}
	return c.Redaction, nil
}

type redactOut struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// redactStream transforms JSONL records in order and returns the number of
// unreadable lines; the error is for failures of the streams themselves.
// Messages never quote record content.
func redactStream(ctx context.Context, p *redact.Processor, patientField string, mode redact.Mode,
	in io.Reader, out io.Writer) (int, error) {
	nb := p.Numbering() // placeholder numbers per patient, across lines
	return eachJSONLine(ctx, in, out, func(lineNo int, line []byte) any {
		id, text, patient, msg := decodeRedactLine(line, patientField)
		if msg != "" {
			return lineError{Line: lineNo, Error: msg}
		}
		t, _ := p.RedactText(patient, text, mode)
		if nb != nil {
			// No transaction here: a line's numbers are kept at once, in memory
			// only, and the patients' tables become evictable (max_patients).
			nb.Commit()
		}
		return redactOut{ID: id, Text: t}
	})
}

// decodeRedactLine reads "id" and "text" (strings, required) and the patient
// key (a string or number under patientField, optional). msg says why a line
// is unreadable, without quoting it.
func decodeRedactLine(line []byte, patientField string) (id, text, patient, msg string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return "", "", "", "decoding JSON: " + jsonErrorKind(err)
	}
	if !jsonString(fields["id"], &id) || !jsonString(fields["text"], &text) {
		return "", "", "", "missing \"id\" or \"text\" string field"
	}
	if raw, ok := fields[patientField]; ok {
		var n json.Number
		if json.Unmarshal(raw, &patient) != nil && json.Unmarshal(raw, &n) == nil {
			patient = n.String()
		}
	}
	return id, text, patient, ""
}

// jsonString decodes a JSON string; absent, null or any other type is false.
func jsonString(raw json.RawMessage, dst *string) bool {
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, dst) == nil
}
