package detectors

// wordTable is a read-only copy of a keyword map (lower-case words to V) that a detector asks
// about a token: it is probed with the hash classify already has for the token (sc.hash), so a
// lookup costs one probe and one comparison instead of hashing the word again. The map stays the
// list's source; the table is built from it once, at package initialization.
type wordTable[V any] struct {
	m     map[string]V // the source, asked for tokens with wide runes
	slots []wordSlot[V]
	mask  uint64
}

// The keyword maps the rules ask most often about a token, as tables (the maps stay the lists).
var (
	ctxWordsTable     = newWordTable(ctxWords)
	ctxFillerTable    = newWordTable(ctxFiller)
	staffCueTable     = newWordTable(staffCue)
	nameCueTable      = newWordTable(nameCueBefore)
	placeCueTable     = newWordTable(placeCue)
	streetLeadTable   = newWordTable(streetLead)
	numberedRoadTable = newWordTable(numberedRoad)
	directionsTable   = newWordTable(directions)
)

type wordSlot[V any] struct {
	h   uint64 // hashBytes of key; 0 = empty
	key string
	v   V
}

func newWordTable[V any](m map[string]V) *wordTable[V] {
	size := 8
	for size < 2*len(m) {
		size <<= 1
	}
	t := &wordTable[V]{m: m, slots: make([]wordSlot[V], size), mask: uint64(size - 1)}
	for k, v := range m {
		h := hashBytes(k)
		i := h & t.mask
		for t.slots[i].h != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = wordSlot[V]{h: h, key: k, v: v}
	}
	return t
}

// at returns m[sc.lw(i)] and whether the key is there.
func (t *wordTable[V]) at(sc *scan, i int) (V, bool) {
	tk := sc.toks[i]
	w := sc.ltext[tk.s:tk.e]
	h := sc.hash[i]
	if h == 0 || !tk.has(fASCII) { // no hash of its lower-case bytes (a wide word's is Unicode-folded)
		v, ok := t.m[w]
		return v, ok
	}
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		s := &t.slots[j]
		if s.h == h && s.key == w {
			return s.v, true
		}
		if s.h == 0 {
			var zero V
			return zero, false
		}
	}
}

// get returns m[sc.lw(i)].
func (t *wordTable[V]) get(sc *scan, i int) V {
	v, _ := t.at(sc, i)
	return v
}
