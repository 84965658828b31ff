package detectors

//go:generate go run ./train -data testdata -bias 1 -aug 3 -out data/model.bin.gz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
)

// ErrModel means a scorer model could not be read: truncated, corrupt, or trained on another
// feature layout than this build's.
var ErrModel = errors.New("unreadable scorer model")

// Model holds the weights of the learned scorer (scorer.go): the PHI-or-not logistic model and
// the type head, over the dense features of features.go and per-word rows keyed by the word's
// 64-bit hash (never its text). detectors/train writes it; the default is embedded.
type Model struct {
	// Dense is one weight per dense feature (NumDenseFeatures); Dense[0] is the bias.
	Dense []float32
	// TypeDense is the type head's weights, NumDenseFeatures rows of one weight per head type.
	TypeDense []float32
	// Words maps a word's hash to its weights.
	Words map[uint64]WordWeights
	// Outside is the margin (in logits) a token needs above the cut to be reported where no rule
	// proposed anything: the model alone is less sure than the model and the rules together.
	Outside float32
}

// WordWeights are one word's weights: as the token, the word before and after it, two before and
// two after (Roles), and for the type head as the token (Types, in the order of HeadTypes).
type WordWeights struct {
	Roles [NumWordRoles]float32
	Types [numHead]float32
}

// HeadTypes lists the types the type head chooses from, in the order of WordWeights.Types and of
// the rows of Model.TypeDense.
func HeadTypes() []Type { return headTypes[:] }

// NewModel returns a model of zero weights for this build's feature layout.
func NewModel() *Model {
	return &Model{Dense: make([]float32, NumDenseFeatures), TypeDense: make([]float32, NumDenseFeatures*numHead),
		Words: map[uint64]WordWeights{}}
}

// WordHash is the hash a Model keys word rows by: the lower-cased word's 64-bit FNV-1a (low bit set).
func WordHash(word string) uint64 { return hashLower(word) }

const modelMagic = "deidstream-scorer\n"

// Encode writes m in the embedded model format: gzip of the magic, the feature schema, the
// dense weights, the type head, and the word rows sorted by hash, little-endian float32.
func (m *Model) Encode(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("encoding scorer model: %w", err)
	}
	bw := bufio.NewWriter(zw)
	put := func(v any) {
		if err == nil {
			err = binary.Write(bw, binary.LittleEndian, v)
		}
	}
	bw.WriteString(modelMagic)
	put(featureSchema)
	put(uint32(len(m.Dense)))
	put(m.Outside)
	put(m.Dense)
	put(m.TypeDense)
	keys := make([]uint64, 0, len(m.Words))
	for h := range m.Words {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	put(uint32(len(keys)))
	for _, h := range keys {
		ww := m.Words[h]
		put(h)
		put(ww.Roles)
		put(ww.Types)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return fmt.Errorf("encoding scorer model: %w", err)
	}
	return nil
}

// DecodeModel reads a model written by Encode.
func DecodeModel(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModel, err)
	}
	br := bufio.NewReader(zr)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic {
		return nil, fmt.Errorf("%w: not a scorer model", ErrModel)
	}
	get := func(v any) {
		if err == nil {
			err = binary.Read(br, binary.LittleEndian, v)
		}
	}
	var schema, nd uint32
	get(&schema)
	get(&nd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModel, err)
	}
	if schema != featureSchema || nd != NumDenseFeatures {
		return nil, fmt.Errorf("%w: trained on feature schema %#x, this build has %#x (retrain: go generate ./detectors)",
			ErrModel, schema, featureSchema)
	}
	m := NewModel()
	get(&m.Outside)
	get(m.Dense)
	get(m.TypeDense)
	var nw uint32
	get(&nw)
	if err == nil && nw > 1<<22 {
		err = errors.New("word table too large")
	}
	for i := uint32(0); i < nw && err == nil; i++ {
		var h uint64
		var ww WordWeights
		get(&h)
		get(&ww.Roles)
		get(&ww.Types)
		m.Words[h] = ww
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModel, err)
	}
	for _, v := range m.Dense {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("%w: a weight is not finite", ErrModel)
		}
	}
	return m, nil
}

// compile lays m out for scoring.
func (m *Model) compile() *scorer {
	size := 1
	for size < 2*len(m.Words)+2 {
		size <<= 1
	}
	s := &scorer{outside: m.Outside, dense: slices.Clone(m.Dense), tdense: slices.Clone(m.TypeDense), keys: make([]uint64, size), rows: make([]int32, size),
		mask: uint64(size - 1)}
	keys := make([]uint64, 0, len(m.Words))
	for h := range m.Words {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	for _, h := range keys {
		ww := m.Words[h]
		row := int32(len(s.roles))
		s.roles = append(s.roles, ww.Roles)
		s.types = append(s.types, ww.Types)
		for i := (h ^ h>>29) & s.mask; ; i = (i + 1) & s.mask {
			if s.keys[i] == 0 {
				s.keys[i], s.rows[i] = h, row
				break
			}
		}
	}
	return s
}

//go:embed data/model.bin.gz
var embeddedModel []byte

// defaultScorer is the embedded model, decoded once per process.
var defaultScorer = sync.OnceValues(func() (*scorer, error) {
	m, err := DecodeModel(bytes.NewReader(embeddedModel))
	if err != nil {
		return nil, fmt.Errorf("loading the embedded scorer model: %w", err)
	}
	return m.compile(), nil
})
