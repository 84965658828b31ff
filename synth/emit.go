package synth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ErrInvalidRate is returned by Run for a negative or non-finite rate.
var ErrInvalidRate = errors.New("rate must be a finite number >= 0")

// Sink receives records in generation order. Implementations may buffer;
// Run calls Flush once at the end.
type Sink interface {
	Write(ctx context.Context, rec []byte) error
	Flush(ctx context.Context) error
}

type runConfig struct {
	rate float64
	gold io.Writer
	now  func() time.Time
}

// RunOption configures Run.
type RunOption func(*runConfig)

// WithRate paces output at perSecond records per second; 0 (the default)
// means as fast as possible.
func WithRate(perSecond float64) RunOption { return func(c *runConfig) { c.rate = perSecond } }

// WithGold writes one JSONL gold line ({"id","text","spans"}) per
// non-poison record to w.
func WithGold(w io.Writer) RunOption { return func(c *runConfig) { c.gold = w } }

// Run generates count records (0 = until ctx is done) from g into sink.
// It returns the generator's Stats and the first error; a cancelled context
// ends an unbounded run without error.
func Run(ctx context.Context, g *Generator, count int, sink Sink, opts ...RunOption) (Stats, error) {
	cfg := runConfig{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.rate < 0 || cfg.rate != cfg.rate || cfg.rate > 1e12 {
		return g.Stats(), fmt.Errorf("configuring generator run: %w", ErrInvalidRate)
	}
	var gold *bufio.Writer
	if cfg.gold != nil {
		gold = bufio.NewWriterSize(cfg.gold, 1<<16)
	}
	var line []byte
	start := cfg.now()
	var timer *time.Timer
	for i := 0; count == 0 || i < count; i++ {
		if err := ctx.Err(); err != nil {
			if count == 0 {
				break
			}
			return g.Stats(), fmt.Errorf("generating record %d of %d: %w", i+1, count, err)
		}
		if cfg.rate > 0 {
			due := start.Add(time.Duration(float64(i) / cfg.rate * float64(time.Second)))
			if wait := due.Sub(cfg.now()); wait > 0 {
				if timer == nil {
					timer = time.NewTimer(wait)
				} else {
					timer.Reset(wait)
				}
				select {
				case <-ctx.Done():
					timer.Stop()
					if count == 0 {
						return g.Stats(), drain(ctx, sink, gold)
					}
					return g.Stats(), fmt.Errorf("pacing record %d of %d: %w", i+1, count, ctx.Err())
				case <-timer.C:
				}
			}
		}
		rec, gl := g.Next()
		if err := sink.Write(ctx, rec); err != nil {
			return g.Stats(), fmt.Errorf("writing record %d: %w", i+1, err)
		}
		if gold != nil && gl != nil {
			line = AppendGoldJSON(line[:0], gl)
			line = append(line, '\n')
			if _, err := gold.Write(line); err != nil {
				return g.Stats(), fmt.Errorf("writing gold line %d: %w", i+1, err)
			}
		}
	}
	return g.Stats(), drain(ctx, sink, gold)
}

// DrainTimeout bounds the final flush once the run's context is done, so an
// interrupted run against an unreachable broker still exits.
const DrainTimeout = 30 * time.Second

// drain flushes what was generated. It outlives ctx's cancellation (an
// interrupted unbounded run still delivers what it made) but not by more
// than DrainTimeout.
func drain(ctx context.Context, sink Sink, gold *bufio.Writer) error {
	fctx := context.WithoutCancel(ctx)
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		fctx, cancel = context.WithTimeout(fctx, DrainTimeout)
		defer cancel()
	}
	return flushAll(fctx, sink, gold)
}

func flushAll(ctx context.Context, sink Sink, gold *bufio.Writer) error {
	if err := sink.Flush(ctx); err != nil {
		return fmt.Errorf("flushing records: %w", err)
	}
	if gold != nil {
		if err := gold.Flush(); err != nil {
			return fmt.Errorf("flushing gold file: %w", err)
		}
	}
	return nil
}

// AppendGoldJSON appends g as one JSON object in the format of
// shared/tools/eval_phi.py: {"id","text","spans":[{"start","end","type"}]}.
func AppendGoldJSON(b []byte, g *Gold) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, g.ID)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, g.Text)
	b = append(b, `,"spans":[`...)
	for i, s := range g.Spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":`...)
		b = strconv.AppendInt(b, int64(s.Start), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(s.End), 10)
		b = append(b, `,"type":"`...)
		b = append(b, s.Type...)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// WriterSink writes records as JSON lines to an io.Writer, buffered. It is
// not safe for concurrent use.
type WriterSink struct{ w *bufio.Writer }

// NewWriterSink returns a Sink writing one record per line to w.
func NewWriterSink(w io.Writer) *WriterSink { return &WriterSink{w: bufio.NewWriterSize(w, 1<<16)} }

// Write writes rec and a newline.
func (s *WriterSink) Write(_ context.Context, rec []byte) error {
	if _, err := s.w.Write(rec); err != nil {
		return err
	}
	return s.w.WriteByte('\n')
}

// Flush writes any buffered records.
func (s *WriterSink) Flush(context.Context) error { return s.w.Flush() }
