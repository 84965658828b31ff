package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/deidstream/deidstream/synth"
)

// oracleDecode is the decoder decode used before the single-pass parser,
// kept here as the reference the fast path must match byte for byte.
func oracleDecode(s *schema, raw []byte) (map[string]any, string) {
	if len(raw) > s.maxBytes {
		return nil, ReasonOversized
	}
	if !utf8.Valid(raw) {
		return nil, ReasonInvalidUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, ReasonInvalidJSON
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, ReasonInvalidJSON
	}
	rec, ok := v.(map[string]any)
	if !ok {
		return nil, ReasonNotObject
	}
	if reason := s.check(rec); reason != "" {
		return nil, reason
	}
	return rec, ""
}

func testSchema() *schema {
	s := newSchema(1<<20, []string{"id"}, map[string]string{"age": "integer"})
	return &s
}

func nest(open, close string, n int) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

// decodeSeeds cover the grammar corners where a hand parser tends to drift
// from encoding/json.
var decodeSeeds = []string{
	`{"id":"a"}`,
	`{}`,
	` {"id" : 1 } `,
	"\t\r\n{\"id\":\n1}\n",
	`{"id":"esc \" \\ \/ \b \f \n \r \t"}`,
	`{"id":"\u00e9\u4e2d\u0041"}`,
	`{"id":"\ud83d\ude00 pair"}`,
	`{"id":"\ud83d lone high"}`,
	`{"id":"\ude00 lone low"}`,
	`{"id":"\ud83d\u0041 high then BMP"}`,
	`{"id":"\ud83d\ud83d\ude00 high high low"}`,
	`{"id":"\ud83d\ude0"}`,
	`{"id":"\ud83d\"}`,
	`{"id":"\uZZZZ"}`,
	`{"id":"\x"}`,
	`{"id":"\'"}`,
	"{\"id\":\"tab\tinside\"}",
	`{"id":"é中😀 plain utf8"}`,
	`{"id":-0}`, `{"id":1e5}`, `{"id":1.5E-3}`, `{"id":1E+2}`, `{"id":-12.25e-0}`,
	`{"id":01}`, `{"id":-}`, `{"id":1.}`, `{"id":.5}`, `{"id":1e}`, `{"id":1e+}`, `{"id":+1}`,
	`{"id":00}`, `{"id":-01}`, `{"id":1x}`, `{"id":9223372036854775808}`,
	`{"id":true,"b":false,"c":null}`, `{"id":tru}`, `{"id":nul}`, `{"id":truex}`, `{"id":TRUE}`,
	`{"id":1,"age":30}`, `{"id":1,"age":30.5}`, `{"id":1,"age":"30"}`, `{"id":1,"age":null}`,
	`{"id":null}`, `{"x":1}`,
	`{"id":1,"id":2}`, `{"id":{"a":1},"id":{"b":2}}`, `{"id":1,"id":null}`,
	`{"id":{"a":[1,"x",{"b":null}],"c":{}},"d":[]}`,
	`{"id":[1,2,]}`, `{"id":[,]}`, `{"id":{"a"}}`, `{"id":{"a":1,}}`, `{"id":1,}`, `{,}`,
	`{"id":1} x`, `{"id":1}{}`, `{"id":1}]`, `{"id":1} {"id":2}`, `{"id":1}"`,
	`{"id":1`, `{"id":`, `{"id"`, `{"id`, `{`, ``, `   `,
	`[1,2]`, `"str"`, `123`, `null`, `true`, `123abc`, `[1] x`, `"a" "b"`, `[`,
	`{'id':1}`, `{id:1}`, "\ufeff{\"id\":1}",
	`{"id":` + nest("[", "]", 9998) + `}`,
	`{"id":` + nest("[", "]", 9999) + `}`,
	`{"id":` + nest("[", "]", 10000) + `}`,
	`{"id":` + strings.Repeat(`{"a":`, 10000) + `1` + strings.Repeat(`}`, 10000) + `}`,
	nest("[", "]", 10001),
	`{"id":"` + strings.Repeat("long clinical note ", 5000) + `"}`,
	`{"id":"` + strings.Repeat(`esc\n\u00e9`, 3000) + `"}`,
}

func TestDecodeMatchesOracleOnSeeds(t *testing.T) {
	s := testSchema()
	for _, in := range decodeSeeds {
		name := in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			checkSameAsOracle(t, s, []byte(in))
		})
	}
}

func checkSameAsOracle(t *testing.T, s *schema, raw []byte) {
	t.Helper()
	wantRec, wantReason := oracleDecode(s, raw)
	gotRec, gotReason := s.decode(raw)
	if gotReason != wantReason {
		t.Fatalf("reason = %q, encoding/json gives %q", gotReason, wantReason)
	}
	// reflect.DeepEqual first: cmp.Diff is far too slow on 10000-deep seeds.
	if !reflect.DeepEqual(wantRec, gotRec) {
		t.Fatalf("record differs from encoding/json (-want +got):\n%s", cmp.Diff(wantRec, gotRec))
	}
}

func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, in := range decodeSeeds {
		// The 10000-deep and 100 KB seeds stay in the table test above:
		// as fuzz seeds the engine spends its time minimizing them.
		if len(in) <= 4096 {
			f.Add([]byte(in))
		}
	}
	f.Add([]byte(`{"a":` + nest("[", "]", 200) + `}`))
	rec, _ := synth.NewGenerator(synth.Options{Seed: 1}).Next()
	f.Add(rec)
	s := testSchema()
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkSameAsOracle(t, s, raw)
	})
}

func TestDecodeReasons(t *testing.T) {
	tests := []struct {
		name   string
		schema schema
		in     string
		want   string
	}{
		{"ok", schema{maxBytes: 100, required: []string{"id"}}, `{"id":1}`, ""},
		{"oversized", schema{maxBytes: 5}, `{"id":1}`, ReasonOversized},
		{"invalid utf8", schema{maxBytes: 100}, "{\"id\":\"\xff\"}", ReasonInvalidUTF8},
		{"syntax", schema{maxBytes: 100}, `{"id":01}`, ReasonInvalidJSON},
		{"trailing", schema{maxBytes: 100}, `{"id":1} {}`, ReasonInvalidJSON},
		{"empty", schema{maxBytes: 100}, ``, ReasonInvalidJSON},
		{"too deep", schema{maxBytes: 1 << 20}, `{"a":` + nest("[", "]", 10000) + `}`, ReasonInvalidJSON},
		{"array", schema{maxBytes: 100}, `[{"id":1}]`, ReasonNotObject},
		{"null", schema{maxBytes: 100}, ` null `, ReasonNotObject},
		{"non-object garbage", schema{maxBytes: 100}, `[1,`, ReasonInvalidJSON},
		{"missing", schema{maxBytes: 100, required: []string{"id", "note"}}, `{"id":1}`, ReasonMissing + ":note"},
		{"null counts as missing", schema{maxBytes: 100, required: []string{"id"}}, `{"id":null}`, ReasonMissing + ":id"},
		{"wrong type", newSchema(100, nil, map[string]string{"age": "integer"}), `{"age":1.5}`, ReasonWrongType + ":age"},
		{"first bad field named", newSchema(100, nil, map[string]string{"b": "string", "a": "string", "c": "string"}), `{"c":1,"b":2,"a":3}`, ReasonWrongType + ":a"},
		{"integer ok", newSchema(100, nil, map[string]string{"age": "integer"}), `{"age":-0}`, ""},
		{"string ok", newSchema(100, nil, map[string]string{"n": "string"}), `{"n":"\u0041"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, got := tc.schema.decode([]byte(tc.in))
			if got != tc.want {
				t.Fatalf("reason = %q, want %q", got, tc.want)
			}
			if (rec == nil) != (tc.want != "") {
				t.Fatalf("record present = %v with reason %q", rec != nil, got)
			}
		})
	}
}

func TestDecodeObjectValues(t *testing.T) {
	got, err := decodeObject([]byte(`{"s":"a\ud83d\ude00\ud800b","n":-1.5e3,"t":true,"z":null,"o":{"k":[1,"x"]},"s":"last"}`))
	if err != nil {
		t.Fatalf("decodeObject: %v", err)
	}
	want := map[string]any{
		"s": "last",
		"n": json.Number("-1.5e3"),
		"t": true,
		"z": nil,
		"o": map[string]any{"k": []any{json.Number("1"), "x"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("decodeObject (-want +got):\n%s", diff)
	}
	s, err := decodeObject([]byte(`{"s":"a\ud83d\ude00\ud800b"}`))
	if err != nil || s["s"] != "a\U0001F600\uFFFDb" {
		t.Fatalf(`decodeObject surrogates = %q, %v; want "a\U0001F600\uFFFDb"`, s["s"], err)
	}
}

func TestPlainRun(t *testing.T) {
	// Fillers include bytes >= 0x80 (UTF-8 continuation) and 0x20, the
	// edges where a borrow could mask or fake a hit.
	for _, fill := range []byte{'a', 0x20, 0x21, 0x80, 0xff} {
		for b := 0; b < 256; b++ {
			for pos := 0; pos < 8; pos++ {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(b)
				want := b >= 0x20 && b != '"' && b != '\\'
				if got := plainRun(leUint64(w)); got != want {
					t.Fatalf("plainRun(fill %#x, byte %#x at %d) = %v, want %v", fill, b, pos, got, want)
				}
			}
		}
	}
}

func leUint64(b []byte) uint64 {
	var w uint64
	for i := 7; i >= 0; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

func BenchmarkDecode(b *testing.B) {
	rec, _ := synth.NewGenerator(synth.Options{Seed: 1}).Next()
	s := &schema{maxBytes: 1 << 20}
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(rec)))
		b.ReportAllocs()
		for b.Loop() {
			if _, reason := oracleDecode(s, rec); reason != "" {
				b.Fatalf("reason %q", reason)
			}
		}
	})
	b.Run("single_pass", func(b *testing.B) {
		b.SetBytes(int64(len(rec)))
		b.ReportAllocs()
		for b.Loop() {
			if _, reason := s.decode(rec); reason != "" {
				b.Fatalf("reason %q", reason)
			}
		}
	})
	b.Run("single_pass_map_reused", func(b *testing.B) { // as the worker runs it
		b.SetBytes(int64(len(rec)))
		b.ReportAllocs()
		for b.Loop() {
			m, reason := s.decode(rec)
			if reason != "" {
				b.Fatalf("reason %q", reason)
			}
			releaseObject(m)
		}
	})
}

// A map given back and decoded into again holds only the new record's keys.
func TestReleasedMapHoldsOnlyTheNextRecord(t *testing.T) {
	s := &schema{maxBytes: 1 << 20}
	a, reason := s.decode([]byte(`{"id": 1, "secret": "x"}`))
	if reason != "" {
		t.Fatal(reason)
	}
	releaseObject(a)
	for range 100 { // the pool may hand out another map: any of them must be clean
		b, reason := s.decode([]byte(`{"id": 2}`))
		if reason != "" || len(b) != 1 || b["id"] == nil {
			t.Fatalf("decoded %v (%q), want only id", b, reason)
		}
		releaseObject(b)
	}
}
