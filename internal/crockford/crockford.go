// Package crockford generates and normalises codes in Crockford's base32
// alphabet (digits and upper-case letters without I, L, O and U), which
// people read aloud and type without confusing look-alikes. Recovery codes
// and activation codes share it.
package crockford

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Alphabet is Crockford's base32 alphabet; each symbol carries 5 bits.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// bitsPerSymbol is what one symbol of Alphabet encodes.
const bitsPerSymbol = 5

// Generate returns n symbols of Alphabet from r, five random bits per
// symbol. 32 is a power of two, so every symbol is equally likely: there is
// no modulo and nothing to reject.
func Generate(r io.Reader, n int) (string, error) {
	src := make([]byte, (n*bitsPerSymbol+7)/8)
	if _, err := io.ReadFull(r, src); err != nil {
		return "", fmt.Errorf("crockford: random code: %w", err)
	}
	dst := make([]byte, n)
	encode(dst, src)
	clear(src)
	return string(dst), nil
}

// encode fills dst with symbols taken five bits at a time from src, most
// significant bits first. src must hold at least 5*len(dst) bits.
func encode(dst, src []byte) {
	var acc, bits uint
	j := 0
	for i := range dst {
		if bits < bitsPerSymbol {
			acc = acc<<8 | uint(src[j])
			j++
			bits += 8
		}
		bits -= bitsPerSymbol
		dst[i] = Alphabet[(acc>>bits)&0x1f]
		acc &= 1<<bits - 1
	}
}

// Group inserts sep between groups of size symbols. A size below one
// leaves s as it is.
func Group(s string, size int, sep byte) string {
	if size < 1 || len(s) <= size {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/size)
	for i := 0; i < len(s); i += size {
		if i > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(s[i:min(i+size, len(s))])
	}
	return b.String()
}

// Normalize maps what a person typed to canonical symbols: upper case,
// spaces and dashes of any kind dropped (also soft hyphens and zero-width
// characters that copying from documents brings along), look-alikes O→0
// and I, L→1. It returns false for any other character, U included.
func Normalize(s string) (string, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if c, ok := symbol(r); ok {
			out = append(out, c)
		} else if !separator(r) {
			return "", false
		}
	}
	return string(out), true
}

// separator reports the characters Normalize drops: spaces and dash
// punctuation of any script, the minus sign, the soft hyphen and zero-width
// characters.
func separator(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '-' || r == ' ' || (r >= '\t' && r <= '\r')
	}
	switch r {
	case '\u2212', '\u00ad', '\u200b', '\u2060', '\ufeff':
		return true
	}
	return r != utf8.RuneError && (unicode.IsSpace(r) || unicode.Is(unicode.Pd, r))
}

// symbol maps a typed character to its canonical symbol.
func symbol(r rune) (byte, bool) {
	if r >= 'a' && r <= 'z' {
		r -= 'a' - 'A'
	}
	switch r {
	case 'O':
		return '0', true
	case 'I', 'L':
		return '1', true
	case 'U':
		return 0, false
	}
	if (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') {
		return byte(r), true
	}
	return 0, false
}
