package arrowconv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// TestImplausibleLengthsAreInputErrors: lengths arrow-go would allocate
// blindly (and crash the process on) are reported as ErrInput instead.
func TestImplausibleLengthsAreInputErrors(t *testing.T) {
	good := rowsStream(t, 1)
	// The schema message follows the continuation marker and length prefix.
	meta := fb(good[8:])
	msg := meta.root()
	schema, ok := meta.tableField(msg, 2)
	if !ok {
		t.Fatal("test stream has no schema header")
	}
	p := meta.field(schema, 1)
	fieldsVec := 8 + p + meta.u32(p)

	tests := []struct {
		name   string
		mutate func([]byte)
	}{
		{"schema claims 2^32-1 fields", func(b []byte) { binary.LittleEndian.PutUint32(b[fieldsVec:], 0xFFFFFFFF) }},
		{"metadata length past the end", func(b []byte) { binary.LittleEndian.PutUint32(b[4:], 0x7FFFFFF0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(good)
			tc.mutate(b)
			if err := checkSchemaMessages(b); !errors.Is(err, errImplausible) {
				t.Fatalf("guard returned %v, want errImplausible", err)
			}
			for _, format := range Formats() {
				if err := Convert(&bytes.Buffer{}, b, format); !errors.Is(err, ErrInput) {
					t.Errorf("%s: error %v, want ErrInput", format, err)
				}
			}
		})
	}
}

func TestBoundedAllocatorRefusesHugeAllocations(t *testing.T) {
	a := newBoundedAllocator(10)
	if got := len(a.Allocate(1024)); got != 1024 {
		t.Fatalf("Allocate(1024) returned %d bytes", got)
	}
	defer func() {
		if r := recover(); r != errImplausible {
			t.Errorf("recovered %v, want errImplausible", r)
		}
	}()
	a.Allocate(minAllocLimit + 1)
	t.Error("an allocation over the limit succeeded")
}
