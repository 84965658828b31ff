package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/tlog"
)

// Checks a Finding can name.
const (
	CheckKind        = "kind"              // message kind is neither event nor checkpoint
	CheckCanonical   = "canonical"         // leaf is not canonical JSON
	CheckDecode      = "decode"            // leaf does not decode to a valid event
	CheckAccounting  = "accounting"        // in != published + suppressed + quarantined
	CheckSequence    = "sequence"          // seq out of order: deleted, inserted, replayed or reordered
	CheckChain       = "chain"             // prev hash does not link to the event before
	CheckCPCount     = "checkpoint-count"  // checkpoint counter skips: a checkpoint was removed
	CheckCPFormat    = "checkpoint-format" // checkpoint note unreadable
	CheckSigEd25519  = "signature-ed25519" // Ed25519 signature missing or invalid
	CheckSigMLDSA    = "signature-mldsa65" // ML-DSA-65 signature missing or invalid
	CheckTreeSize    = "tree-size"         // checkpoint size != events before it
	CheckRoot        = "root"              // recomputed root != signed root
	CheckConsistency = "consistency"       // checkpoint does not extend the previous one
)

// Finding is one failed check at one position of the verified messages.
type Finding struct {
	Position int    `json:"position"` // index in the message list, 0-based
	WorkerID string `json:"worker_id"`
	Seq      int64  `json:"seq"` // the event's leaf index, -1 for checkpoints or when unknown
	Check    string `json:"check"`
	Detail   string `json:"detail"`
}

func (f Finding) String() string {
	s := fmt.Sprintf("position %d", f.Position)
	if f.Seq >= 0 {
		s += fmt.Sprintf(" (seq %d)", f.Seq)
	}
	return fmt.Sprintf("%s worker %s: %s: %s", s, f.WorkerID, f.Check, f.Detail)
}

// WorkerLog summarizes one worker's log as verified.
type WorkerLog struct {
	WorkerID    string `json:"worker_id"`
	Events      int64  `json:"events"`
	Checkpoints int64  `json:"checkpoints"`
	// Sealed is the size of the last checkpoint that verified; events from
	// there on are the unsealed tail: present, not yet covered by a
	// signature. A tail is normal only while a window is in flight.
	Sealed       int64       `json:"sealed"`
	UnsealedTail []int       `json:"unsealed_tail"` // positions of the tail's events
	Last         *Checkpoint `json:"last_checkpoint,omitempty"`
}

// Report is the outcome of Verify.
type Report struct {
	OK       bool         `json:"ok"` // no findings
	Messages int          `json:"messages"`
	Workers  []*WorkerLog `json:"workers"`
	Findings []Finding    `json:"findings"`
}

// workerState is Verify's running state for one worker.
type workerState struct {
	sum        *WorkerLog
	tree       *Log // leaves as they appear, tampered or not
	expectSeq  int64
	cpsSeen    int64
	lastPos    int // position of the previous event, -1 before the first
	lastSeq    int64
	lastAnomal bool // the previous event had a sequence anomaly
	tailPos    []int
	good       *Checkpoint // last checkpoint that verified

	// Once the recomputed tree diverged from a signed one, every later
	// checkpoint fails for the same cause: they are folded into one finding.
	diverged  bool
	laterFail []int
}

// Verify checks a worker log (or several, interleaved) as read from the
// audit topic or an export: every event decodes, is canonical and links to
// its predecessor; every checkpoint carries valid Ed25519 and ML-DSA-65
// signatures by v, seals exactly the events before it, matches the
// recomputed tree, and extends the previous checkpoint. Each failure is a
// Finding at the position of the message it concerns. Verify returns an
// error only if it cannot run at all.
func Verify(msgs []Message, v *Verifier) (*Report, error) {
	if v == nil {
		return nil, fmt.Errorf("verifying audit log: no verifier: %w", ErrKeyFile)
	}
	rep := &Report{Messages: len(msgs), Findings: []Finding{}}
	workers := map[string]*workerState{}
	var last *workerState
	worker := func(id string) *workerState {
		if ws, ok := workers[id]; ok {
			return ws
		}
		ws := &workerState{sum: &WorkerLog{WorkerID: id}, tree: &Log{workerID: id}, lastPos: -1}
		workers[id] = ws
		rep.Workers = append(rep.Workers, ws.sum)
		return ws
	}
	add := func(pos int, ws *workerState, seq int64, check, detail string) {
		id := ""
		if ws != nil {
			id = ws.sum.WorkerID
		}
		rep.Findings = append(rep.Findings, Finding{Position: pos, WorkerID: id, Seq: seq, Check: check, Detail: detail})
	}
	for pos, m := range msgs {
		switch m.Kind {
		case KindEvent:
			last = verifyEvent(pos, m.Value, last, worker, add)
		case KindCheckpoint:
			last = verifyCheckpoint(pos, m.Value, v, last, worker, add)
		default:
			add(pos, last, -1, CheckKind, fmt.Sprintf("unknown message kind (%d bytes)", len(m.Kind)))
		}
	}
	for _, ws := range workers {
		if n := len(ws.laterFail); n > 0 {
			add(ws.laterFail[0], ws, -1, CheckRoot, fmt.Sprintf("this and %d later checkpoint(s) up to position %d do not match the recomputed tree either, because of the earlier finding(s)",
				n-1, ws.laterFail[n-1]))
		}
		ws.sum.UnsealedTail = append([]int{}, ws.tailPos...) // [] rather than null in JSON
		ws.sum.Last = ws.good
		if ws.good != nil {
			ws.sum.Sealed = ws.good.Size
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return a.Position - b.Position })
	rep.OK = len(rep.Findings) == 0
	return rep, nil
}

type addFunc func(pos int, ws *workerState, seq int64, check, detail string)

func verifyEvent(pos int, leaf []byte, last *workerState, worker func(string) *workerState, add addFunc) *workerState {
	d, err := DecodeEntry(leaf)
	if err != nil {
		// Place the leaf in some tree anyway so the checkpoints notice it.
		ws := last
		var loose struct {
			Seq   int64 `json:"seq"`
			Event struct {
				WorkerID string `json:"worker_id"`
			} `json:"event"`
		}
		if json.Unmarshal(leaf, &loose) == nil && isCode(loose.Event.WorkerID) {
			ws = worker(loose.Event.WorkerID)
		} else if ws == nil {
			ws = worker("")
		}
		check := CheckDecode
		switch {
		case errors.Is(err, ErrNotCanonical):
			check = CheckCanonical
		case errors.Is(err, ErrAccounting):
			check = CheckAccounting
		}
		add(pos, ws, ws.expectSeq, check, "event does not decode as a valid canonical audit event")
		ws.expectSeq++
		takeLeaf(pos, ws, leaf, true, add)
		ws.lastSeq = -1
		return ws
	}
	ws := worker(d.WorkerID())
	e := d.Entry
	anomaly := false
	switch {
	case e.Seq > ws.expectSeq:
		add(pos, ws, e.Seq, CheckSequence, fmt.Sprintf("expected seq %d, found %d: %d event(s) missing before this position",
			ws.expectSeq, e.Seq, e.Seq-ws.expectSeq))
		ws.expectSeq = e.Seq + 1
		anomaly = true
	case e.Seq < ws.expectSeq:
		add(pos, ws, e.Seq, CheckSequence, fmt.Sprintf("expected seq %d, found %d: event inserted, replayed or out of order",
			ws.expectSeq, e.Seq))
		anomaly = true
	default:
		ws.expectSeq++
	}
	switch {
	case e.CP > ws.cpsSeen:
		add(pos, ws, e.Seq, CheckCPCount, fmt.Sprintf("event follows %d checkpoint(s) but only %d precede it: checkpoint removed before this position",
			e.CP, ws.cpsSeen))
		ws.cpsSeen = e.CP
	case e.CP < ws.cpsSeen:
		add(pos, ws, e.Seq, CheckCPCount, fmt.Sprintf("event follows %d checkpoint(s) but %d precede it: event moved after a checkpoint",
			e.CP, ws.cpsSeen))
	}
	want := ""
	if ws.tree.n > 0 {
		want = b64(ws.tree.prev[:])
	}
	if e.Prev != want {
		if !anomaly && !ws.lastAnomal && ws.lastPos >= 0 {
			add(ws.lastPos, ws, ws.lastSeq, CheckChain, fmt.Sprintf("event altered: its hash differs from the one the next event (position %d) recorded", pos))
		} else {
			add(pos, ws, e.Seq, CheckChain, "prev hash does not match the event before it in this log")
		}
	}
	takeLeaf(pos, ws, leaf, anomaly, add)
	ws.lastSeq = e.Seq
	return ws
}

func takeLeaf(pos int, ws *workerState, leaf []byte, anomaly bool, add addFunc) {
	if err := ws.tree.addLeaf(leaf); err != nil {
		add(pos, ws, -1, CheckRoot, "cannot hash leaf into the tree")
	}
	ws.sum.Events++
	ws.tailPos = append(ws.tailPos, pos)
	ws.lastPos, ws.lastAnomal = pos, anomaly
}

func verifyCheckpoint(pos int, msg []byte, v *Verifier, last *workerState, worker func(string) *workerState, add addFunc) *workerState {
	c, sigs, err := openCheckpoint(msg, v)
	if err != nil {
		ws := last
		if ws == nil {
			ws = worker("")
		}
		add(pos, ws, -1, CheckCPFormat, "checkpoint note is malformed")
		ws.sum.Checkpoints++
		ws.cpsSeen++
		return ws
	}
	ws := worker(c.WorkerID)
	ws.sum.Checkpoints++
	trusted := sigs.ed && sigs.ml
	if !sigs.ed {
		add(pos, ws, -1, CheckSigEd25519, fmt.Sprintf("no valid Ed25519 signature by %s", v.KeyIDs()[0]))
	}
	if !sigs.ml {
		add(pos, ws, -1, CheckSigMLDSA, fmt.Sprintf("no valid ML-DSA-65 signature by %s", v.KeyIDs()[1]))
	}
	switch {
	case c.Seq > ws.cpsSeen:
		add(pos, ws, -1, CheckCPCount, fmt.Sprintf("checkpoint %d follows checkpoint %d: %d checkpoint(s) removed before this position",
			c.Seq, ws.cpsSeen-1, c.Seq-ws.cpsSeen))
	case c.Seq < ws.cpsSeen:
		add(pos, ws, -1, CheckCPCount, fmt.Sprintf("checkpoint %d arrives after checkpoint %d: replayed or out of order", c.Seq, ws.cpsSeen-1))
	}
	ws.cpsSeen = max(ws.cpsSeen, c.Seq+1)
	if !trusted {
		return ws // an unsigned claim proves nothing either way
	}
	ok := true
	root, err := tlog.TreeHash(min(c.Size, ws.tree.n), ws.tree.reader())
	treeOK := err == nil && c.Size == ws.tree.n && root == c.Root
	switch {
	case treeOK:
	case ws.diverged:
		ws.laterFail = append(ws.laterFail, pos)
		ok = false
	case c.Size != ws.tree.n:
		add(pos, ws, -1, CheckTreeSize, fmt.Sprintf("checkpoint seals %d event(s) but %d precede it: events deleted or inserted before this position",
			c.Size, ws.tree.n))
		ok, ws.diverged = false, true
	default:
		add(pos, ws, -1, CheckRoot, fmt.Sprintf("recomputed root of the first %d event(s) differs from the signed root: an event before this position was altered, deleted, inserted or reordered", c.Size))
		ok, ws.diverged = false, true
	}
	if g := ws.good; g != nil {
		if c.Size < g.Size {
			add(pos, ws, -1, CheckConsistency, fmt.Sprintf("tree shrank from %d to %d event(s)", g.Size, c.Size))
			ok = false
		} else if ok {
			proof, err := tlog.ProveTree(c.Size, g.Size, ws.tree.reader())
			if err == nil {
				err = tlog.CheckTree(proof, c.Size, c.Root, g.Size, g.Root)
			}
			if err != nil {
				add(pos, ws, -1, CheckConsistency, fmt.Sprintf("tree of %d event(s) does not extend the checkpoint of %d", c.Size, g.Size))
				ok = false
			}
		}
	}
	if ok {
		ws.good = &c
		ws.tailPos = nil
	}
	return ws
}
