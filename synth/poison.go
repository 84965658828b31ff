package synth

import (
	"bytes"
	"strconv"
)

// poisonKind is one kind of bad input the quarantine must catch.
type poisonKind int

const (
	poisonBadJSON   poisonKind = iota // truncated or malformed JSON
	poisonBadUTF8                     // well-formed JSON whose strings hold invalid UTF-8
	poisonOversized                   // a valid record larger than 1 MiB
	poisonWrongType                   // valid JSON with a field of the wrong type
	numPoisonKinds  = 4
)

// PoisonKinds names the poison kinds, indexed like Stats.PoisonByKind.
var PoisonKinds = [numPoisonKinds]string{"bad_json", "bad_utf8", "oversized", "wrong_type"}

// OversizedBytes is the size of oversized poison records: just over the
// 1 MiB default Kafka message limit the pipeline enforces.
const OversizedBytes = 1<<20 + 4096

// poison returns one bad record of kind k. Poison carries synthetic values
// only, like every record.
func (g *Generator) poison(k poisonKind) []byte {
	p := g.newPatient()
	p.note = "Pt seen for follow up. BP 128/76. Continue current meds."
	good := appendRecord(nil, &p)
	switch k {
	case poisonBadJSON:
		switch g.r.IntN(3) {
		case 0: // truncated mid-record
			return good[:len(good)/2]
		case 1: // trailing garbage after the object
			return append(good, []byte(`,"extra"}`)...)
		default: // unquoted key
			return bytes.Replace(good, []byte(`"name":`), []byte(`name:`), 1)
		}
	case poisonBadUTF8:
		// Invalid bytes inside the note string: a lone continuation byte, an
		// overlong encoding and a truncated sequence.
		i := bytes.Index(good, []byte(`"note":"`)) + len(`"note":"`)
		bad := [][]byte{{0x80}, {0xc0, 0xaf}, {0xe2, 0x82}, {0xff, 0xfe}}[g.r.IntN(4)]
		out := make([]byte, 0, len(good)+len(bad))
		out = append(out, good[:i]...)
		out = append(out, bad...)
		return append(out, good[i:]...)
	case poisonOversized:
		filler := []byte("Pt ambulating in hall, tolerating diet, no acute events overnight. ")
		p.note = string(bytes.Repeat(filler, OversizedBytes/len(filler)+1))
		return appendRecord(make([]byte, 0, len(p.note)+1024), &p)
	default:
		switch g.r.IntN(5) {
		case 0: // a number where a string belongs
			out := bytes.Replace(good, []byte(`"name":"`+p.name()+`"`), []byte(`"name":`+strconv.Itoa(p.ssnS)), 1)
			if !bytes.Equal(out, good) {
				return out
			}
		case 1: // an array of records, not a record
			return append(append([]byte{'['}, good...), ']')
		}
		i := bytes.Index(good, []byte(`"age":`)) + len(`"age":`)
		j := i + bytes.IndexByte(good[i:], ',')
		var repl string
		switch g.r.IntN(3) {
		case 0:
			repl = `{"years":` + strconv.Itoa(p.age) + `}`
		case 1:
			repl = `"` + strconv.Itoa(p.age) + ` years"`
		default:
			repl = `[` + strconv.Itoa(p.age) + `]`
		}
		out := make([]byte, 0, len(good)+16)
		out = append(out, good[:i]...)
		out = append(out, repl...)
		return append(out, good[j:]...)
	}
}
