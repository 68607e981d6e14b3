package factor_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/memstore"
)

// b64 is n bytes of value b in standard base64.
func b64(b byte, n int) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, n))
}

func TestParseKeysKeepsOrder(t *testing.T) {
	text := "# newest first\n2027-05:" + b64(1, 32) + "\r\n\n 2026-11 : " + strings.TrimRight(b64(2, 40), "=") + "\n2026-01:" + b64(3, 32)
	keys, err := factor.ParseKeys([]byte(text))
	require.NoError(t, err)
	require.Len(t, keys, 3)
	assert.Equal(t, []string{"2027-05", "2026-11", "2026-01"}, []string{keys[0].ID, keys[1].ID, keys[2].ID})
	assert.Equal(t, bytes.Repeat([]byte{1}, 32), keys[0].Secret)
	assert.Equal(t, bytes.Repeat([]byte{2}, 40), keys[1].Secret, "unpadded base64 is accepted")

	one, err := factor.ParseKeys([]byte("new:" + b64(4, 32) + ";old:" + b64(5, 32) + ";"))
	require.NoError(t, err)
	assert.Equal(t, "new", one[0].ID, "semicolons separate keys on one line")
	assert.Equal(t, "old", one[1].ID)

	_, err = factor.NewManager(factor.Config{Store: memstore.New(), Keys: keys})
	assert.NoError(t, err, "parsed keys configure a Manager")
}

func TestParseKeysRefuses(t *testing.T) {
	secret := b64(7, 32)
	short := b64(8, 31)
	cases := map[string]struct {
		text, want string
	}{
		"empty":          {"", "no keys"},
		"only comments":  {"# none yet\n\n", "no keys"},
		"duplicate ID":   {"a:" + secret + "\na:" + b64(9, 32), "entry 2): duplicate ID"},
		"short key":      {"a:" + short, "at least 32 bytes"},
		"bad base64":     {"a:" + strings.Replace(secret, "B", "!", 1), "not standard base64"},
		"URL base64":     {"a:" + strings.Repeat("_-", 22), "not standard base64"},
		"no colon":       {secret, `must be "id:secret"`},
		"empty ID":       {":" + secret, "ID must be 1 to 32 bytes"},
		"long ID":        {strings.Repeat("x", 33) + ":" + secret, "ID must be 1 to 32 bytes"},
		"bad third line": {"a:" + secret + "\n\nb:" + short, "entry 3)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := factor.ParseKeys([]byte(c.text))
			require.ErrorIs(t, err, factor.ErrInvalidConfig)
			var ce *factor.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), c.want)
			for _, s := range []string{secret, short, strings.TrimRight(secret, "="), secret[:12], short[:12]} {
				assert.NotContains(t, err.Error(), s, "the error quotes key material")
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	secret := b64(6, 32)
	t.Run("variable", func(t *testing.T) {
		t.Setenv("TEST_TWOSTEP_KEYS", "k1:"+secret)
		t.Setenv("TEST_TWOSTEP_KEYS_FILE", "/nonexistent")
		keys, err := factor.LoadKeys("TEST_TWOSTEP_KEYS")
		require.NoError(t, err)
		assert.Equal(t, "k1", keys[0].ID, "the variable wins over the file")
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "keys")
		require.NoError(t, os.WriteFile(path, []byte("k2:"+secret+"\nk1:"+b64(5, 32)+"\n"), 0o600))
		t.Setenv("TEST_TWOSTEP_KEYS", "")
		t.Setenv("TEST_TWOSTEP_KEYS_FILE", path)
		keys, err := factor.LoadKeys("TEST_TWOSTEP_KEYS")
		require.NoError(t, err)
		assert.Equal(t, []string{"k2", "k1"}, []string{keys[0].ID, keys[1].ID})
	})
	t.Run("neither", func(t *testing.T) {
		t.Setenv("TEST_TWOSTEP_KEYS", "")
		t.Setenv("TEST_TWOSTEP_KEYS_FILE", "")
		_, err := factor.LoadKeys("TEST_TWOSTEP_KEYS")
		assert.ErrorContains(t, err, "neither $TEST_TWOSTEP_KEYS nor $TEST_TWOSTEP_KEYS_FILE is set")
	})
	t.Run("bad variable", func(t *testing.T) {
		t.Setenv("TEST_TWOSTEP_KEYS", "k1:"+b64(6, 16))
		_, err := factor.LoadKeys("TEST_TWOSTEP_KEYS")
		require.ErrorIs(t, err, factor.ErrInvalidConfig)
		assert.ErrorContains(t, err, "$TEST_TWOSTEP_KEYS")
		assert.NotContains(t, err.Error(), b64(6, 16)[:12])
	})
	t.Run("missing file", func(t *testing.T) {
		t.Setenv("TEST_TWOSTEP_KEYS", "")
		t.Setenv("TEST_TWOSTEP_KEYS_FILE", filepath.Join(t.TempDir(), "absent"))
		_, err := factor.LoadKeys("TEST_TWOSTEP_KEYS")
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
}
