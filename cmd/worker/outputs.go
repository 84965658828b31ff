package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/deidstream/deidstream/arrowbatch"
	"github.com/deidstream/deidstream/audit"
	"github.com/deidstream/deidstream/deid"
	"github.com/deidstream/deidstream/envelope"
	"github.com/deidstream/deidstream/internal/config"
	"github.com/deidstream/deidstream/kafkaconn"
)

// outputs is what a worker published, read back read_committed, decrypted
// and verified the way a research consumer and an auditor would.
type outputs struct {
	columns       []string
	rows          []arrowbatch.Row
	batches       int
	quarantined   map[string]int   // reason -> records (split records counted once)
	quarantinedAt []audit.Position // the source of each quarantined record (split records once)
	stats         int              // sealed DP releases
	windows       []*audit.WindowEvent
	report        *audit.Report
}

func readOutputs(ctx context.Context, cfg *config.Config, conn []kgo.Opt, key *envelope.PrivateKey, v *audit.Verifier) (*outputs, error) {
	out := &outputs{quarantined: map[string]int{}}
	research, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Research)
	if err != nil {
		return nil, err
	}
	batchIDs := map[string]bool{} // as sealed, and as in the header
	for _, r := range research {
		plain, prov, err := envelope.Open(r.Value, key)
		if err != nil {
			return nil, fmt.Errorf("opening research batch at %s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
		}
		if prov.Kind != envelope.KindResearch {
			return nil, fmt.Errorf("research batch at offset %d is sealed as %q", r.Offset, prov.Kind)
		}
		if h := header(r, deid.HeaderBatch); h != prov.BatchID {
			return nil, fmt.Errorf("research batch at offset %d: header batch id %q, sealed batch id %q", r.Offset, h, prov.BatchID)
		}
		batchIDs[prov.BatchID] = true
		cols, rows, err := arrowbatch.Decode(plain)
		if err != nil {
			return nil, err
		}
		out.columns, out.rows, out.batches = cols, append(out.rows, rows...), out.batches+1
	}
	quarantine, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Quarantine)
	if err != nil {
		return nil, err
	}
	for _, r := range quarantine {
		if strings.HasPrefix(header(r, deid.HeaderPart), "1/") {
			out.quarantined[header(r, deid.HeaderReason)]++
			p, err := parsePosition(header(r, deid.HeaderSource))
			if err != nil {
				return nil, fmt.Errorf("quarantine record at %s/%d/%d: %w", r.Topic, r.Partition, r.Offset, err)
			}
			out.quarantinedAt = append(out.quarantinedAt, p)
		}
	}
	stats, err := kafkaconn.ReadAll(ctx, conn, cfg.Topics.Stats)
	if err != nil {
		return nil, err
	}
	out.stats = len(stats)
	msgs, err := audit.ReadTopic(ctx, cfg.Topics.Audit, conn...)
	if err != nil {
		return nil, err
	}
	if out.report, err = audit.Verify(msgs, v); err != nil {
		return nil, fmt.Errorf("verifying the audit log: %w", err)
	}
	for _, m := range msgs {
		if m.Kind != audit.KindEvent {
			continue
		}
		d, err := audit.DecodeEntry(m.Value)
		if err != nil {
			return nil, err
		}
		if d.Window != nil {
			out.windows = append(out.windows, d.Window)
			for _, id := range d.Window.BatchIDs {
				delete(batchIDs, id)
			}
		}
	}
	if len(batchIDs) > 0 {
		return nil, fmt.Errorf("%d research batches are named by no audit event", len(batchIDs))
	}
	return out, nil
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// duplicates counts input offsets that appear in more than one published row.
func (o *outputs) duplicates() int {
	seen := make(map[string]bool, len(o.rows))
	dup := 0
	for _, r := range o.rows {
		k := fmt.Sprintf("%s/%d/%d", r.Topic, r.Partition, r.Offset)
		if seen[k] {
			dup++
		}
		seen[k] = true
	}
	return dup
}

// totals sums the audit events' accounting.
func (o *outputs) totals() (in, published, suppressed, quarantined int64) {
	for _, w := range o.windows {
		in, published, suppressed, quarantined = in+w.RecordsIn, published+w.Published, suppressed+w.Suppressed, quarantined+w.Quarantined
	}
	return
}

// parsePosition reads a deid-source header, "topic/partition/offset".
func parsePosition(h string) (audit.Position, error) {
	i := strings.LastIndexByte(h, '/')
	j := strings.LastIndexByte(h[:max(i, 0)], '/')
	if j <= 0 {
		return audit.Position{}, fmt.Errorf("source header %q is not topic/partition/offset", h)
	}
	part, err1 := strconv.ParseInt(h[j+1:i], 10, 32)
	off, err2 := strconv.ParseInt(h[i+1:], 10, 64)
	if err1 != nil || err2 != nil {
		return audit.Position{}, fmt.Errorf("source header %q is not topic/partition/offset", h)
	}
	return audit.Position{Topic: h[:j], Partition: int32(part), Offset: off}, nil
}

// published is the source position of every published row.
func (o *outputs) published() []audit.Position {
	ps := make([]audit.Position, len(o.rows))
	for i, r := range o.rows {
		ps[i] = audit.Position{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}
	}
	return ps
}
