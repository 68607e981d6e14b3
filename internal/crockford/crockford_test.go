package crockford

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateUsesEveryBit(t *testing.T) {
	s, err := Generate(bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)), 16)
	require.NoError(t, err)
	assert.Equal(t, "ZZZZZZZZZZZZZZZZ", s)
	s, err = Generate(bytes.NewReader([]byte{0x08, 0x86, 0x42, 0x98, 0xe8}), 8)
	require.NoError(t, err)
	assert.Equal(t, "12345678", s)
	s, err = Generate(rand.Reader, 12)
	require.NoError(t, err)
	assert.Len(t, s, 12)
	_, err = Generate(bytes.NewReader(nil), 4)
	assert.Error(t, err)
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"2e7g-xzx8-c8mw":           "2E7GXZX8C8MW",
		"2E7G XZX8 C8MW":           "2E7GXZX8C8MW",
		"2E7G\u2013XZX8\u2014C8MW": "2E7GXZX8C8MW",
		"oIl0":                     "0110",
	} {
		got, ok := Normalize(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"U000", "2E7G!", "ÄBCD"} {
		_, ok := Normalize(bad)
		assert.False(t, ok, bad)
	}
}

func TestGroup(t *testing.T) {
	assert.Equal(t, "ABCD-EFGH-JK", Group("ABCDEFGHJK", 4, '-'))
	assert.Equal(t, "", Group("", 4, '-'))
}
