package privacy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseHierarchy(t *testing.T) {
	h, err := ParseHierarchy(strings.NewReader("\ufeffflu;respiratory;*\nasthma;respiratory;*\r\n\nangina;cardiac;*\nrare\n"), ";")
	if err != nil {
		t.Fatal(err)
	}
	type node struct {
		Label  string
		Leaves int
		Depth  int
	}
	var got []node
	for _, v := range []string{"flu", "asthma", "angina", "rare"} {
		id, ok := h.Leaf(v)
		if !ok {
			t.Fatalf("leaf %q missing", v)
		}
		p := h.parent[id]
		got = append(got, node{h.Label(p), h.Leaves(p), h.Depth(id)})
	}
	want := []node{{"respiratory", 2, 2}, {"respiratory", 2, 2}, {"cardiac", 1, 2}, {"*", 4, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parents (-want +got):\n%s", diff)
	}
	flu, _ := h.Leaf("flu")
	asthma, _ := h.Leaf("asthma")
	angina, _ := h.Leaf("angina")
	if l := h.Label(h.lca(flu, asthma)); l != "respiratory" {
		t.Errorf("lca(flu, asthma) = %s", l)
	}
	if l := h.Label(h.lca(flu, angina)); l != "*" {
		t.Errorf("lca(flu, angina) = %s", l)
	}
	if h.Len() != 4 || h.Leaves(0) != 4 {
		t.Errorf("Len %d, root leaves %d, want 4", h.Len(), h.Leaves(0))
	}
	// Depth-first order keeps siblings together.
	if d := h.order[flu] - h.order[asthma]; d != 1 && d != -1 {
		t.Errorf("siblings not adjacent in depth-first order: %d", d)
	}
}

func TestParseHierarchyErrors(t *testing.T) {
	tests := []struct {
		name, in, wantIn string
	}{
		{"empty", "", "no lines"},
		{"only root", "*\n", "line 1"},
		{"duplicate leaf", "a;x;*\na;y;*\n", "line 2"},
		{"empty field", "a;;*\n", "line 1"},
		{"root in the middle", "a;*;b\n", "line 1"},
		{"leaf is inner node", "a;x;*\nx;*\n", "line 2"},
		{"inner node is leaf", "x;*\na;x;*\n", "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHierarchy(strings.NewReader(tc.in), ";")
			if !errors.Is(err, ErrHierarchy) || !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("err = %v, want ErrHierarchy mentioning %q", err, tc.wantIn)
			}
		})
	}
}

func TestLoadHierarchyAdult(t *testing.T) {
	_, qis := loadAdult(t)
	for _, q := range qis {
		if q.Hierarchy == "" {
			continue
		}
		h, err := LoadHierarchy(q.Hierarchy, ";")
		if err != nil {
			t.Errorf("%s: %v", q.Name, err)
			continue
		}
		if h.Len() < 2 {
			t.Errorf("%s: %d leaves", q.Name, h.Len())
		}
	}
}

func FuzzParseHierarchy(f *testing.F) {
	f.Add("flu;respiratory;*\nasthma;respiratory;*\nangina;cardiac;*\n", ";")
	f.Add("1;0-4;0-9;*\n2;0-4;0-9;*\n", ";")
	f.Add("a,b,*\nc,*\n", ",")
	f.Add("x\n\n\ny;*", ";")
	f.Fuzz(func(t *testing.T, in, sep string) {
		h, err := ParseHierarchy(strings.NewReader(in), sep)
		if err != nil {
			if !errors.Is(err, ErrHierarchy) {
				t.Fatalf("error without ErrHierarchy: %v", err)
			}
			return
		}
		// Every leaf reaches the root, and the root counts every leaf once.
		if h.Leaves(0) != h.Len() {
			t.Fatalf("root has %d leaves, hierarchy %d", h.Leaves(0), h.Len())
		}
		for v, id := range h.leaf {
			if h.lca(id, id) != id || h.ancestor(id, 0) != 0 {
				t.Fatalf("leaf %q: broken ancestry", v)
			}
		}
	})
}
