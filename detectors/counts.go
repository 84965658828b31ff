package detectors

// Counts is the number of detections per type: what metrics and audit events
// carry (counts only, never values). Safe to share once built; Add is not
// safe for concurrent use on the same Counts.
type Counts map[Type]int

// CountSpans counts spans by type.
func CountSpans(spans []Span) Counts {
	c := make(Counts, 4)
	for _, s := range spans {
		c[s.Type]++
	}
	return c
}

// Add adds o into c.
func (c Counts) Add(o Counts) {
	for t, n := range o {
		c[t] += n
	}
}

// Total is the number of detections of every type.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}
