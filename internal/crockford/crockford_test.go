package crockford

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeMatchesBase32(t *testing.T) {
	ref := base32.NewEncoding(Alphabet).WithPadding(base32.NoPadding)
	for _, n := range []int{12, 13, 16, 20, 32} {
		src := make([]byte, (n*5+7)/8)
		for range 100 {
			_, _ = rand.Read(src)
			dst := make([]byte, n)
			encode(dst, src)
			assert.Equal(t, ref.EncodeToString(src)[:n], string(dst), "n=%d src=%x", n, src)
		}
	}
}

func TestGenerateExtremes(t *testing.T) {
	code, err := Generate(bytes.NewReader(make([]byte, 10)), 16)
	require.NoError(t, err)
	assert.Equal(t, "0000000000000000", code)
	code, err = Generate(bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)), 16)
	require.NoError(t, err)
	assert.Equal(t, "ZZZZZZZZZZZZZZZZ", code)
	code, err = Generate(bytes.NewReader([]byte{0x08, 0x86, 0x42, 0x98, 0xe8}), 8)
	require.NoError(t, err)
	assert.Equal(t, "12345678", code)
	_, err = Generate(bytes.NewReader(make([]byte, 9)), 16)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"2e7g-xzx8-c8mw":                 "2E7GXZX8C8MW",
		"2E7G XZX8 C8MW":                 "2E7GXZX8C8MW",
		"2E7G\u2013XZX8\u2014C8MW":       "2E7GXZX8C8MW",
		"2E7G\u00adXZX8\u200bC8MW\t":     "2E7GXZX8C8MW",
		"oIl0":                           "0110",
		"2E7G\u2011XZX8\u2212C8MW\u00a0": "2E7GXZX8C8MW",
	} {
		got, ok := Normalize(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"U000", "2E7G!", "ÄBCD", "\xff"} {
		_, ok := Normalize(bad)
		assert.False(t, ok, bad)
	}
}

func TestGroup(t *testing.T) {
	assert.Equal(t, "ABCD-EFGH-JK", Group("ABCDEFGHJK", 4, '-'))
	assert.Equal(t, "", Group("", 4, '-'))
	assert.Equal(t, "ABC", Group("ABC", 0, '-'))
}
