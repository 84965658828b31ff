package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports how far a long command has come on stderr: a bar redrawn in
// place when stderr is a terminal, else a plain line every interval (logs and
// CI keep one line per step, not carriage returns). Counts only, never content.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	label    string // "worker gen"
	unit     string // "records"
	total    int64  // 0 = unknown (an unbounded run)
	done     int64
	start    time.Time
	last     time.Time
	interval time.Duration
}

func newProgress(w io.Writer, label, unit string, total int64) *progress {
	now := time.Now()
	p := &progress{w: w, tty: isTerminal(w), label: label, unit: unit, total: total, start: now, last: now, interval: 5 * time.Second}
	if p.tty {
		p.interval = 200 * time.Millisecond
	}
	return p
}

// isTerminal reports whether w is a character device (a terminal), without a
// dependency: a file, pipe or buffer is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add counts n more done, and reports if the interval has passed.
func (p *progress) Add(n int64) { p.update(func() { p.done += n }) }

// Set sets the count done (a counter read from elsewhere).
func (p *progress) Set(n int64) { p.update(func() { p.done = n }) }

func (p *progress) update(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
	if now := time.Now(); now.Sub(p.last) >= p.interval {
		p.last = now
		p.print(now, false)
	}
}

// Done prints the final line, always.
func (p *progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(time.Now(), true)
}

func (p *progress) print(now time.Time, final bool) {
	elapsed := now.Sub(p.start)
	rate := float64(p.done) / max(elapsed.Seconds(), 1e-9)
	var line string
	switch {
	case p.total > 0 && p.tty && !final:
		const width = 30
		filled := int(min(p.done, p.total) * width / p.total)
		line = fmt.Sprintf("\r%s [%s%s] %3d%% %d/%d %s %.0f/s ", p.label, strings.Repeat("#", filled),
			strings.Repeat(".", width-filled), min(p.done, p.total)*100/p.total, p.done, p.total, p.unit, rate)
		fmt.Fprint(p.w, line)
		return
	case p.total > 0:
		line = fmt.Sprintf("%s: %d/%d %s (%d%%)", p.label, p.done, p.total, p.unit, min(p.done, p.total)*100/p.total)
	default:
		line = fmt.Sprintf("%s: %d %s", p.label, p.done, p.unit)
	}
	if final {
		line += fmt.Sprintf(" in %v, %.0f/s", elapsed.Round(time.Millisecond), rate)
		if p.tty {
			line = "\r" + line + strings.Repeat(" ", 20)
		}
	} else {
		line += fmt.Sprintf(", %.0f/s", rate)
	}
	fmt.Fprintln(p.w, line)
}
