package redact

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/deidstream/deidstream/detectors"
)

// Numbering keeps the placeholder numbers of each patient across records, so
// "[NAME_2]" in one note is "[NAME_2]" in the next note of the same patient,
// whatever window or worker restart lies between them. Safe for concurrent use.
//
// It holds no PHI: a patient is the first 16 bytes of a keyed HMAC of its key,
// a value the first 16 bytes of a keyed HMAC of (patient, type, normalized
// value), a name's word likewise. Without the secret none can be inverted or
// linked across patients.
//
// State follows a transaction like the DP ledger: Changed lists the tables
// changed since the last Commit or Abort; Commit keeps the changes Changed
// listed, Abort reverts every table to what it was at the last Commit. The
// records of the next window may be numbered between Changed and Commit
// (windows overlap): what they change stays pending after the Commit, and the
// tables they use stay pinned. Memory is bounded:
// at most MaxPatients tables (least recently used evicted first) of at most
// MaxValues remembered values each, plus the tables the open windows touched.
type Numbering struct {
	patientKey, valueKey, wordKey *keyed
	maxPatients, maxValues        int

	mu      sync.Mutex
	tables  map[patientID]*table
	newest  *table   // LRU list: newest ... oldest, linked through newer/older
	oldest  *table   //
	touched []*table // tables used since the last Commit or Abort: never evicted before then
	// gen counts Changed calls; marked: Changed was called since the last
	// Commit or Abort, so Commit keeps only what it listed.
	gen     uint64
	marked  bool
	types   []detectors.Type
	typeIdx map[detectors.Type]uint16

	evictions  uint64 // tables evicted to stay within maxPatients
	unrecorded uint64 // values numbered but not remembered: their table was full
}

type (
	patientID [idBytes]byte
	valueID   [idBytes]byte
)

// idBytes is the length of the truncated HMACs: 128 bits leave collisions out
// of reach for any number of patients or values a deployment will see.
const idBytes = 16

// maxNameWords is how many words of a name are kept for the name-part rule;
// longer names still number, their later words just do not match a part.
const maxNameWords = 6

// table is one patient's numbering. entries and names only grow between
// commits; Abort truncates them back and restores counts from saved.
type table struct {
	id      patientID
	entries []entry         // remembered values, in the order they were numbered
	names   []numberedWords // the NAME entries that took a new number, with their words
	counts  []typeCount     // numbers used per type, remembered or not

	touched bool
	gen     uint64 // Numbering.gen when last used: used after the last Changed if equal
	saved   *saved // the committed state while a window changes the table; nil: unchanged
	sent    *saved // the state Changed listed; nil if unchanged then, or not listed since the last Commit or Abort

	newer, older *table
}

// saved is what Abort restores a table to.
type saved struct {
	entries, names int
	counts         []typeCount
}

type entry struct {
	v valueID
	t uint16 // index into Numbering.types
	n uint32
}

type numberedWords struct {
	entry int32 // index into entries
	words []valueID
}

type typeCount struct {
	t uint16
	n uint32
}

// Numbering defaults and bounds.
const (
	// DefaultMaxPatients bounds the tables held: about 65 MB at the ~650 bytes
	// measured for a patient with one synthetic note, 150 MB at three notes
	// each (numbering_mem_test.go).
	DefaultMaxPatients = 100_000
	// DefaultMaxValues bounds the values remembered per patient; with at most
	// MaxTableEntryBytes each, a full table stays under 128 KiB.
	DefaultMaxValues = 1024
	// MaxTableEntryBytes is the most one remembered value takes in the encoded
	// table: type index, number, value id, word count and maxNameWords word ids.
	MaxTableEntryBytes = 3 + 5 + idBytes + 1 + maxNameWords*idBytes
)

// NewNumbering makes an empty numbering keyed by secret (the redaction
// secret, as bytes); maxPatients and maxValues of 0 take their defaults.
func NewNumbering(secret []byte, maxPatients, maxValues int) *Numbering {
	if maxPatients <= 0 {
		maxPatients = DefaultMaxPatients
	}
	if maxValues <= 0 {
		maxValues = DefaultMaxValues
	}
	return &Numbering{
		patientKey:  newKeyed(secret, labelNumberPatient),
		valueKey:    newKeyed(secret, labelNumberValue),
		wordKey:     newKeyed(secret, labelNumberWord),
		maxPatients: maxPatients,
		maxValues:   maxValues,
		tables:      map[patientID]*table{},
		typeIdx:     map[detectors.Type]uint16{},
	}
}

func (nb *Numbering) patientID(patient string) patientID {
	var buf [sha256Size]byte
	return patientID(nb.patientKey.sum(buf[:0], patient)[:idBytes])
}

// number returns the patient's number for a value of type t (norm is
// normValue's form): the number it got before, or, for a name whose words
// all belong to a name numbered before, that name's number, or the next
// number of the type. pid is nb.patientID(patient), computed once per record.
func (nb *Numbering) number(pid patientID, patient string, t detectors.Type, norm string) int {
	var buf [sha256Size]byte
	vid := valueID(nb.valueKey.sum(buf[:0], patient, string(t), norm)[:idBytes])
	if n := nb.lookup(pid, t, vid); n > 0 {
		return n // the common case: no word ids needed
	}
	var words []valueID
	if t == detectors.Name {
		for _, w := range strings.Fields(norm) {
			id := valueID(nb.wordKey.sum(buf[:0], patient, w)[:idBytes])
			if !slices.Contains(words, id) {
				words = append(words, id)
			}
		}
	}

	nb.mu.Lock()
	defer nb.mu.Unlock()
	ti := nb.typeIndex(t)
	tb := nb.use(pid, true)
	if n := tb.find(vid, ti); n > 0 {
		return n // numbered by another record since lookup
	}
	nb.changing(tb)
	n := uint32(0)
	if len(words) > 0 {
		n = tb.partOfName(words)
	}
	if n == 0 {
		n = tb.bump(ti)
		if len(words) > 0 && len(tb.entries) < nb.maxValues {
			tb.names = append(tb.names, numberedWords{entry: int32(len(tb.entries)), words: words[:min(len(words), maxNameWords)]})
		}
	}
	if len(tb.entries) < nb.maxValues {
		tb.entries = append(tb.entries, entry{v: vid, t: ti, n: n})
	} else {
		nb.unrecorded++
	}
	nb.evict()
	return int(n)
}

// lookup returns the number vid already has for the patient, or 0.
func (nb *Numbering) lookup(pid patientID, t detectors.Type, vid valueID) int {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	ti, ok := nb.typeIdx[t]
	tb := nb.use(pid, false)
	if !ok || tb == nil {
		return 0
	}
	return tb.find(vid, ti)
}

// use returns the patient's table, made when create is set, as the most
// recently used and pinned until the next Commit or Abort.
func (nb *Numbering) use(pid patientID, create bool) *table {
	tb := nb.tables[pid]
	switch {
	case tb != nil:
		nb.moveNewest(tb)
	case create:
		tb = &table{id: pid}
		nb.tables[pid] = tb
		nb.pushNewest(tb)
	default:
		return nil
	}
	nb.touch(tb)
	tb.gen = nb.gen
	return tb
}

func (tb *table) find(vid valueID, ti uint16) int {
	for i := range tb.entries {
		if e := &tb.entries[i]; e.v == vid && e.t == ti {
			return int(e.n)
		}
	}
	return 0
}

// partOfName returns the number of the first name whose words include every
// word of words, or 0.
func (tb *table) partOfName(words []valueID) uint32 {
	for _, nw := range tb.names {
		all := true
		for _, w := range words {
			if !slices.Contains(nw.words, w) {
				all = false
				break
			}
		}
		if all {
			return tb.entries[nw.entry].n
		}
	}
	return 0
}

// bump takes the next number of type ti.
func (tb *table) bump(ti uint16) uint32 {
	for i := range tb.counts {
		if tb.counts[i].t == ti {
			tb.counts[i].n++
			return tb.counts[i].n
		}
	}
	tb.counts = append(tb.counts, typeCount{t: ti, n: 1})
	return 1
}

func (nb *Numbering) typeIndex(t detectors.Type) uint16 {
	if i, ok := nb.typeIdx[t]; ok {
		return i
	}
	i := uint16(len(nb.types))
	nb.types = append(nb.types, t)
	nb.typeIdx[t] = i
	return i
}

// touch pins tb until the next Commit or Abort.
func (nb *Numbering) touch(tb *table) {
	if !tb.touched {
		tb.touched = true
		nb.touched = append(nb.touched, tb)
	}
}

// changing saves tb's committed state before its first change in a window.
func (nb *Numbering) changing(tb *table) {
	if tb.saved == nil {
		tb.saved = tb.state()
	}
}

func (tb *table) state() *saved {
	return &saved{entries: len(tb.entries), names: len(tb.names), counts: slices.Clone(tb.counts)}
}

// is reports whether tb is still in state s (entries, names and counts only grow).
func (s *saved) is(tb *table) bool {
	return s.entries == len(tb.entries) && s.names == len(tb.names) && slices.Equal(s.counts, tb.counts)
}

// exact returns s in an array of its length.
func exact[S ~[]E, E any](s S) S {
	if cap(s) == len(s) {
		return s
	}
	return append(S(nil), s...)
}

// TableRecord is one patient's table for the placeholder topic: Key is the
// patient's HMAC, Value the encoded table. Neither holds PHI.
type TableRecord struct {
	Key, Value []byte
}

// Changed returns the tables changed since the last Commit or Abort, encoded,
// in the order they were first used, and marks what the next Commit keeps.
// Call it once every record of the window is processed, before any record of
// the next window is.
func (nb *Numbering) Changed() []TableRecord {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	nb.gen++
	nb.marked = true
	var out []TableRecord
	for _, tb := range nb.touched {
		if tb.saved != nil {
			tb.sent = tb.state()
			out = append(out, TableRecord{Key: slices.Clone(tb.id[:]), Value: nb.encode(tb)})
		}
	}
	return out
}

// Commit keeps the changes the last Changed listed (every change since the
// last Commit or Abort if it was not called): the window that published them
// committed. A table changed since it was listed keeps the listed state as
// its committed one; a table used since stays pinned.
func (nb *Numbering) Commit() {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	keep := nb.touched[:0]
	for _, tb := range nb.touched {
		switch {
		case !nb.marked || tb.sent != nil && tb.sent.is(tb):
			if tb.saved != nil {
				tb.saved = nil
				// Held for long now: give back what append reserved.
				tb.entries, tb.names, tb.counts = exact(tb.entries), exact(tb.names), exact(tb.counts)
			}
		case tb.sent != nil:
			tb.saved = tb.sent // changed again since: what was published is committed
		}
		tb.sent = nil
		if nb.marked && (tb.saved != nil || tb.gen == nb.gen) {
			keep = append(keep, tb) // the next window's: pinned until it ends
			continue
		}
		tb.touched = false
	}
	clear(nb.touched[len(keep):])
	nb.touched = keep
	nb.marked = false
	nb.evict()
}

// Abort reverts every table to its state at the last Commit (a table made
// since is dropped): the window that changed them did not commit.
func (nb *Numbering) Abort() {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for _, tb := range nb.touched {
		tb.touched, tb.sent = false, nil
		sv := tb.saved
		if sv == nil {
			continue
		}
		tb.saved = nil
		tb.entries, tb.names, tb.counts = tb.entries[:sv.entries], tb.names[:sv.names], sv.counts
		if len(tb.counts) == 0 {
			nb.remove(tb)
		}
	}
	nb.touched = nb.touched[:0]
	nb.marked = false
	nb.evict()
}

// Reset forgets every table (before Restore rebuilds them from the topic).
func (nb *Numbering) Reset() {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	clear(nb.tables)
	nb.newest, nb.oldest, nb.touched, nb.marked = nil, nil, nb.touched[:0], false
}

// Restore loads one record of the placeholder topic, replacing what is held
// for its patient; records must come in offset order, so the last table of a
// patient wins. Restored tables count as committed. Errors name no content.
func (nb *Numbering) Restore(key, value []byte) error {
	if len(key) != idBytes {
		return fmt.Errorf("restoring placeholder table: key of %d bytes, want %d: %w", len(key), idBytes, ErrBadTable)
	}
	nb.mu.Lock()
	defer nb.mu.Unlock()
	tb, err := nb.decode(value)
	if err != nil {
		return fmt.Errorf("restoring placeholder table: %w", err)
	}
	tb.id = patientID(key)
	if old := nb.tables[tb.id]; old != nil {
		nb.remove(old)
	}
	nb.tables[tb.id] = tb
	nb.pushNewest(tb)
	nb.evict()
	return nil
}

// Evictions counts the tables evicted so far to stay within MaxPatients.
func (nb *Numbering) Evictions() uint64 {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.evictions
}

// Unrecorded counts the values numbered but not remembered because their
// patient's table already held MaxValues values.
func (nb *Numbering) Unrecorded() uint64 {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.unrecorded
}

// Patients is the number of tables held.
func (nb *Numbering) Patients() int {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return len(nb.tables)
}

// evict drops the least recently used untouched tables while more than
// maxPatients are held. Touched tables are pinned until Commit or Abort, so a
// window touching more patients than the cap overshoots it until then.
func (nb *Numbering) evict() {
	// Touched tables moved to the newest end when touched, and untouched ones
	// only join it between windows (Restore), so the first touched table from
	// the oldest end means every newer one is touched too.
	for tb := nb.oldest; tb != nil && !tb.touched && len(nb.tables) > nb.maxPatients; tb = nb.oldest {
		nb.remove(tb)
		nb.evictions++
	}
}

func (nb *Numbering) remove(tb *table) {
	delete(nb.tables, tb.id)
	nb.unlink(tb)
}

func (nb *Numbering) pushNewest(tb *table) {
	tb.older, tb.newer = nb.newest, nil
	if nb.newest != nil {
		nb.newest.newer = tb
	}
	nb.newest = tb
	if nb.oldest == nil {
		nb.oldest = tb
	}
}

func (nb *Numbering) moveNewest(tb *table) {
	if nb.newest == tb {
		return
	}
	nb.unlink(tb)
	nb.pushNewest(tb)
}

func (nb *Numbering) unlink(tb *table) {
	if tb.newer != nil {
		tb.newer.older = tb.older
	} else if nb.newest == tb {
		nb.newest = tb.older
	}
	if tb.older != nil {
		tb.older.newer = tb.newer
	} else if nb.oldest == tb {
		nb.oldest = tb.newer
	}
	tb.newer, tb.older = nil, nil
}
