// Package crockford generates and normalises codes in Crockford's base32
// alphabet (digits and upper-case letters without I, L, O and U), which
// people read aloud and type without confusing look-alikes.
package crockford

import (
	"fmt"
	"io"
	"strings"
)

// Alphabet is Crockford's base32 alphabet; each symbol carries 5 bits.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Generate returns n symbols drawn uniformly from r: each symbol takes 5
// bits of randomness, so there is no modulo bias.
func Generate(r io.Reader, n int) (string, error) {
	buf := make([]byte, (n*5+7)/8)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", fmt.Errorf("crockford: random: %w", err)
	}
	out := make([]byte, n)
	for i := range out {
		bit := i * 5
		v := uint(buf[bit/8]) << 8
		if bit/8+1 < len(buf) {
			v |= uint(buf[bit/8+1])
		}
		out[i] = Alphabet[(v>>(11-bit%8))&31]
	}
	return string(out), nil
}

// Group inserts sep between groups of size symbols.
func Group(s string, size int, sep byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i += size {
		if i > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(s[i:min(i+size, len(s))])
	}
	return b.String()
}

// Normalize maps what a person typed to canonical symbols: upper case,
// spaces and dashes of any kind dropped, look-alikes O→0 and I, L→1. It
// returns false for any other character.
func Normalize(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isSeparator(r):
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 'Z' || !strings.ContainsRune(Alphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// isSeparator reports spaces and every dash people paste: hyphen-minus,
// hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '_':
		return true
	}
	return false
}
