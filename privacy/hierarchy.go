package privacy

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// rootLabel is the label of every hierarchy's root and of a suppressed cell.
const rootLabel = "*"

// Hierarchy is a generalization tree read from an ARX-format CSV: one line per
// leaf, `value;level1;level2;...;*`, most specific first. Lines may have
// different lengths; a line not ending in "*" hangs below an implicit root.
// A Hierarchy is immutable after parsing and safe for concurrent use.
type Hierarchy struct {
	labels []string
	parent []int32 // root's parent is -1
	depth  []int32
	leaves []int32 // leaves below (or equal to) each node
	leaf   map[string]int32
	kids   map[childKey]int32
	maxDep int32
	anc    []int32 // anc[node*(maxDep+1)+d] = ancestor at depth d, or -1
	order  []int32 // depth-first position of each node: siblings' leaves are contiguous
}

type childKey struct {
	parent int32
	label  string
}

// LoadHierarchy reads a hierarchy file with the given field separator.
func LoadHierarchy(path, sep string) (*Hierarchy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening hierarchy %s: %w: %w", path, ErrHierarchy, err)
	}
	defer f.Close()
	h, err := ParseHierarchy(f, sep)
	if err != nil {
		return nil, fmt.Errorf("reading hierarchy %s: %w", path, err)
	}
	return h, nil
}

// ParseHierarchy reads an ARX-format hierarchy. Fields are split on sep
// verbatim (no quoting), as ARX writes them. Errors name line numbers, never
// labels, since leaves are data values.
func ParseHierarchy(r io.Reader, sep string) (*Hierarchy, error) {
	if sep == "" {
		sep = ";"
	}
	h := &Hierarchy{leaf: map[string]int32{}, kids: map[childKey]int32{}}
	h.add(-1, rootLabel)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, sep)
		if fields[len(fields)-1] == rootLabel {
			fields = fields[:len(fields)-1]
		}
		if len(fields) == 0 {
			return nil, fmt.Errorf("parsing line %d: a line holds only the root: %w", line, ErrHierarchy)
		}
		for i, f := range fields {
			if f == "" {
				return nil, fmt.Errorf("parsing line %d: field %d is empty: %w", line, i+1, ErrHierarchy)
			}
			if f == rootLabel {
				return nil, fmt.Errorf("parsing line %d: %q appears before the last field: %w", line, rootLabel, ErrHierarchy)
			}
		}
		if _, dup := h.leaf[fields[0]]; dup {
			return nil, fmt.Errorf("parsing line %d: leaf listed twice: %w", line, ErrHierarchy)
		}
		node := int32(0)
		for i := len(fields) - 1; i >= 0; i-- {
			child, ok := h.kids[childKey{node, fields[i]}]
			if !ok {
				child = h.add(node, fields[i])
			} else if i == 0 || h.leaves[child] != 0 {
				return nil, fmt.Errorf("parsing line %d: leaf is also an inner node of another line: %w", line, ErrHierarchy)
			}
			node = child
		}
		h.leaf[fields[0]] = node
		h.leaves[node] = 1 // marked as leaf; counts propagate in finish
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scanning line %d: %w: %w", line+1, ErrHierarchy, err)
	}
	if len(h.leaf) == 0 {
		return nil, fmt.Errorf("parsing hierarchy: no lines: %w", ErrHierarchy)
	}
	h.finish()
	return h, nil
}

// FlatHierarchy is the one-level hierarchy over values: each value or "*".
func FlatHierarchy(values []string) *Hierarchy {
	h := &Hierarchy{leaf: map[string]int32{}, kids: map[childKey]int32{}}
	h.add(-1, rootLabel)
	for _, v := range values {
		if _, ok := h.leaf[v]; ok || v == rootLabel {
			continue
		}
		id := h.add(0, v)
		h.leaf[v] = id
		h.leaves[id] = 1
	}
	h.finish()
	return h
}

func (h *Hierarchy) add(parent int32, label string) int32 {
	id := int32(len(h.labels))
	h.labels = append(h.labels, label)
	h.parent = append(h.parent, parent)
	d := int32(0)
	if parent >= 0 {
		d = h.depth[parent] + 1
		h.kids[childKey{parent, label}] = id
	}
	h.depth = append(h.depth, d)
	h.leaves = append(h.leaves, 0)
	if d > h.maxDep {
		h.maxDep = d
	}
	return id
}

// finish propagates leaf counts and builds the ancestor table.
func (h *Hierarchy) finish() {
	for id := int32(len(h.labels)) - 1; id > 0; id-- {
		h.leaves[h.parent[id]] += h.leaves[id]
	}
	kids := make([][]int32, len(h.labels))
	for id := 1; id < len(h.labels); id++ {
		kids[h.parent[id]] = append(kids[h.parent[id]], int32(id))
	}
	h.order = make([]int32, len(h.labels))
	stack := []int32{0}
	for pos := int32(0); len(stack) > 0; pos++ {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		h.order[id] = pos
		for i := len(kids[id]) - 1; i >= 0; i-- {
			stack = append(stack, kids[id][i])
		}
	}
	w := h.maxDep + 1
	h.anc = make([]int32, len(h.labels)*int(w))
	for id := range h.labels {
		row := h.anc[id*int(w) : (id+1)*int(w)]
		for d := range row {
			row[d] = -1
		}
		for n := int32(id); n >= 0; n = h.parent[n] {
			row[h.depth[n]] = n
		}
	}
}

// Leaf returns the node id of a leaf value.
func (h *Hierarchy) Leaf(value string) (int32, bool) {
	id, ok := h.leaf[value]
	return id, ok
}

// Label is a node's label; the root is "*".
func (h *Hierarchy) Label(id int32) string { return h.labels[id] }

// Leaves is the number of hierarchy leaves under node id.
func (h *Hierarchy) Leaves(id int32) int { return int(h.leaves[id]) }

// Len is the number of leaves.
func (h *Hierarchy) Len() int { return len(h.leaf) }

// Depth is a node's distance from the root.
func (h *Hierarchy) Depth(id int32) int { return int(h.depth[id]) }

// ancestor returns id's ancestor at depth d, or -1 when id is shallower.
func (h *Hierarchy) ancestor(id, d int32) int32 {
	if d > h.maxDep {
		return -1
	}
	return h.anc[id*(h.maxDep+1)+d]
}

// lca is the lowest common ancestor of two nodes.
func (h *Hierarchy) lca(a, b int32) int32 {
	for h.depth[a] > h.depth[b] {
		a = h.parent[a]
	}
	for h.depth[b] > h.depth[a] {
		b = h.parent[b]
	}
	for a != b {
		a, b = h.parent[a], h.parent[b]
	}
	return a
}
