package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deidstream/deidstream/envelope"
)

// quarantinedPart is one opened record of the quarantine topic: a whole
// quarantined input record, or part i of n of one that was split to fit.
type quarantinedPart struct {
	prov         envelope.Provenance
	reason, part string // from the Kafka headers; empty for a file
	plain        []byte
}

// source is the quarantined record's input position, from the authenticated provenance.
func (q quarantinedPart) source() string {
	if len(q.prov.Ranges) == 0 {
		return ""
	}
	r := q.prov.Ranges[0]
	return fmt.Sprintf("%s/%d/%d", r.Topic, r.Partition, r.First)
}

// joinParts puts split records back together: parts "i/n" of one source are
// consecutive on the topic (one transaction produced them in order).
func joinParts(parts []quarantinedPart) ([]quarantinedPart, error) {
	var out []quarantinedPart
	for i := 0; i < len(parts); {
		p := parts[i]
		n := 1
		if p.part != "" {
			a, b, ok := strings.Cut(p.part, "/")
			first, err1 := strconv.Atoi(a)
			total, err2 := strconv.Atoi(b)
			if !ok || err1 != nil || err2 != nil || first != 1 || total < 1 {
				return nil, fmt.Errorf("joining quarantined record %s: part header %q is not the first of i/n", p.source(), p.part)
			}
			n = total
		}
		if i+n > len(parts) {
			return nil, fmt.Errorf("joining quarantined record %s: %d parts announced, %d left", p.source(), n, len(parts)-i)
		}
		whole := p
		var b bytes.Buffer
		for k := range n {
			q := parts[i+k]
			if q.source() != p.source() || (q.part != "" && q.part != fmt.Sprintf("%d/%d", k+1, n)) {
				return nil, fmt.Errorf("joining quarantined record %s: part %d of %d is missing", p.source(), k+1, n)
			}
			b.Write(q.plain)
		}
		whole.plain, whole.part = b.Bytes(), ""
		out = append(out, whole)
		i += n
	}
	return out, nil
}

// quarantineLine is one jsonl line of decrypted quarantine: where the record
// came from, why it was quarantined, and the record as it arrived.
type quarantineLine struct {
	Source       string `json:"source"`
	Reason       string `json:"reason"`
	Record       string `json:"record,omitempty"`
	RecordBase64 string `json:"record_base64,omitempty"`
}

// writeQuarantine writes quarantined records one per jsonl line, or raw with a
// header line before each so that records (which may hold newlines) stay apart.
func writeQuarantine(w *bytes.Buffer, parts []quarantinedPart, format string) error {
	recs, err := joinParts(parts)
	if err != nil {
		return err
	}
	reason := func(q quarantinedPart) string {
		if q.reason == "" {
			return "unknown"
		}
		return q.reason
	}
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, q := range recs {
			l := quarantineLine{Source: q.source(), Reason: reason(q)}
			if utf8.Valid(q.plain) {
				l.Record = string(q.plain)
			} else {
				l.RecordBase64 = base64.StdEncoding.EncodeToString(q.plain)
			}
			if err := enc.Encode(l); err != nil {
				return fmt.Errorf("encoding quarantined record %s: %w", q.source(), err)
			}
		}
	case formatRaw:
		for _, q := range recs {
			fmt.Fprintf(w, "# quarantine %s %s %d\n", q.source(), reason(q), len(q.plain))
			w.Write(q.plain)
			w.WriteByte('\n')
		}
	default:
		return fmt.Errorf("choosing format: quarantined records are raw input, not Arrow batches: %q does not apply; use --format jsonl or raw", format)
	}
	return nil
}
