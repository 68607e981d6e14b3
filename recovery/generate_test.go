package recovery

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"io"
	mrand "math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/internal/crockford"
)

// chiCritical is the critical value of the chi-square distribution with 31
// degrees of freedom (32 symbols) for p = 0.001.
const chiCritical = 61.098

func TestNewSetRefusesRepeatingSource(t *testing.T) {
	_, err := newSet(zeroReader{}, 10, 16)
	assert.ErrorIs(t, err, errRepeats)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestGeneratorUniform generates a million codes with the generator
// Generate uses, from crypto/rand: no duplicates, and at every position
// each of the 32 symbols is equally likely (chi-square, p > 0.001).
//
// Sixteen positions tested at p = 0.001 give a fair generator a 1.6%
// chance of one failing position, so a failing sample is retried once: a
// fair generator then fails about once in 4000 runs, while a biased one
// (see TestChiSquareRejectsBias) fails every time.
func TestGeneratorUniform(t *testing.T) {
	const n, symbols = 1_000_000, 16
	r := bufio.NewReaderSize(rand.Reader, 1<<16)
	for try := 1; ; try++ {
		counts, dups := sampleCodes(t, r, n, symbols)
		require.Zero(t, dups, "duplicate codes")
		failing := failingPositions(counts, n)
		if len(failing) == 0 {
			return
		}
		require.Less(t, try, 2, "positions %v fail the chi-square test in two samples", failing)
		t.Logf("positions %v fail in sample %d; drawing another", failing, try)
	}
}

// sampleCodes draws n codes and returns the symbol counts per position and
// the number of duplicate codes.
func sampleCodes(t *testing.T, r io.Reader, n, symbols int) ([][32]int, int) {
	var index [256]uint64
	for i := 0; i < len(alphabet); i++ {
		index[alphabet[i]] = uint64(i)
	}
	counts := make([][32]int, symbols)
	keys := make([][2]uint64, n)
	for k := range keys {
		code, err := crockford.Generate(r, symbols)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(code); i++ {
			v := index[code[i]]
			counts[i][v]++
			keys[k][i/12] = keys[k][i/12]<<5 | v
		}
	}
	return counts, duplicates(keys)
}

// duplicates counts repeated keys. It sorts the first halves, which is much
// faster than a map of a million entries, and compares whole keys only
// where first halves collide.
func duplicates(keys [][2]uint64) int {
	firsts := make([]uint64, len(keys))
	for i, k := range keys {
		firsts[i] = k[0]
	}
	slices.Sort(firsts)
	collide := make(map[uint64]bool)
	for i := 1; i < len(firsts); i++ {
		if firsts[i] == firsts[i-1] {
			collide[firsts[i]] = true
		}
	}
	seen := make(map[[2]uint64]bool)
	dups := 0
	for _, k := range keys {
		if collide[k[0]] {
			if seen[k] {
				dups++
			}
			seen[k] = true
		}
	}
	return dups
}

// failingPositions returns the positions whose symbol counts fail the
// chi-square test for a uniform distribution over 32 symbols.
func failingPositions(counts [][32]int, n int) []int {
	var failing []int
	for pos, c := range counts {
		if chiSquare(c, n) > chiCritical {
			failing = append(failing, pos)
		}
	}
	return failing
}

func chiSquare(counts [32]int, n int) float64 {
	want := float64(n) / 32
	var x float64
	for _, c := range counts {
		d := float64(c) - want
		x += d * d / want
	}
	return x
}

// TestChiSquareRejectsBias is the negative control: the same test, on the
// same number of codes, rejects generators with the classic biases.
func TestChiSquareRejectsBias(t *testing.T) {
	tests := []struct {
		name   string
		symbol func(r *mrand.ChaCha8) int
	}{
		// byte%32 is fine on uniform bytes, but not on a source that
		// favours low values, here bytes below 200 only.
		{"byte%32 on bytes below 200", func(r *mrand.ChaCha8) int {
			return int(byte(r.Uint64()%200)) % 32
		}},
		// Modulo on a non-power-of-two first: a random number below
		// 1000, as a three-digit code would give, then %32.
		{"uint16%1000%32", func(r *mrand.ChaCha8) int {
			return int(uint16(r.Uint64())%1000) % 32
		}},
	}
	const n, symbols = 1_000_000, 16
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seed [32]byte
			binary.LittleEndian.PutUint64(seed[:], mrand.Uint64())
			r := mrand.NewChaCha8(seed)
			counts := make([][32]int, symbols)
			for range n {
				for pos := range counts {
					counts[pos][tt.symbol(r)]++
				}
			}
			assert.Len(t, failingPositions(counts, n), symbols, "the biased generator must fail at every position")
		})
	}
}

func TestDuplicates(t *testing.T) {
	keys := [][2]uint64{{1, 2}, {3, 4}, {1, 5}, {1, 2}, {6, 7}, {1, 2}}
	assert.Equal(t, 2, duplicates(keys))
	assert.Zero(t, duplicates(keys[:3]))
}
