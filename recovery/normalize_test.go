package recovery_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/recovery"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"canonical", "2E7GXZX8C8MW", "2E7GXZX8C8MW"},
		{"dashes", "2E7G-XZX8-C8MW", "2E7GXZX8C8MW"},
		{"lower case", "2e7g-xzx8-c8mw", "2E7GXZX8C8MW"},
		{"spaces", " 2E7G XZX8  C8MW ", "2E7GXZX8C8MW"},
		{"tabs and newline", "2E7G\tXZX8\nC8MW", "2E7GXZX8C8MW"},
		{"no-break space", "2E7G\u00a0XZX8\u202fC8MW", "2E7GXZX8C8MW"},
		{"en dash", "2E7G\u2013XZX8\u2013C8MW", "2E7GXZX8C8MW"},
		{"em dash", "2E7G\u2014XZX8\u2014C8MW", "2E7GXZX8C8MW"},
		{"minus sign", "2E7G\u2212XZX8\u2212C8MW", "2E7GXZX8C8MW"},
		{"non-breaking hyphen", "2E7G\u2011XZX8\u2011C8MW", "2E7GXZX8C8MW"},
		{"hyphen and figure dash", "2E7G\u2010XZX8\u2012C8MW", "2E7GXZX8C8MW"},
		{"fullwidth and small hyphen-minus", "2E7G\uff0dXZX8\ufe63C8MW", "2E7GXZX8C8MW"},
		{"soft hyphen and zero-width space", "2E7G\u00adXZX8\u200bC8MW", "2E7GXZX8C8MW"},
		{"O is zero", "OoOo-1111", "00001111"},
		{"I and L are one", "IiLl-0000", "11110000"},
		{"mixed", " ab-cd ef\u2013GH jk ", "ABCDEFGHJK"},
		{"64 bytes", strings.Repeat("A", 64), strings.Repeat("A", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := recovery.Normalize(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNormalizeRefuses(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"only dashes", "- \u2013 -"},
		{"U is not Crockford", "2E7G-XZX8-C8MU"},
		{"lower-case u", "2e7g-xzx8-c8mu"},
		{"punctuation", "2E7G.XZX8.C8MW"},
		{"underscore", "2E7G_XZX8_C8MW"},
		{"non-ASCII letter", "2E7G-XZX8-C8MÉ"},
		{"fullwidth letter", "2E7G-XZX8-C8M\uff37"},
		{"invalid UTF-8", "2E7G-XZX8-C8M\xff"},
		{"65 bytes", strings.Repeat("A", 65)},
		{"long with dashes", strings.Repeat("-", 60) + "ABCDE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := recovery.Normalize(tt.in)
			assert.ErrorIs(t, err, factor.ErrMalformed)
			var ie *factor.InputError
			assert.ErrorAs(t, err, &ie)
			assert.Empty(t, got)
			if len(tt.in) > 0 {
				assert.NotContains(t, err.Error(), tt.in, "the error must not repeat the input")
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		code string
		size int
		want string
	}{
		{"2E7GXZX8C8MW", 4, "2E7G-XZX8-C8MW"},
		{"5T7GXZX8C8MWPQ3D", 4, "5T7G-XZX8-C8MW-PQ3D"},
		{"ABCDEFG", 3, "ABC-DEF-G"},
		{"ABCD", 4, "ABCD"},
		{"ABCD", 0, "ABCD"},
		{"", 4, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, recovery.Format(tt.code, tt.size), "Format(%q, %d)", tt.code, tt.size)
	}
}
