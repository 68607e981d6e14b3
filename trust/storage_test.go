package trust_test

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/trust"
)

// TestStoreHoldsNoSecrets generates recovery codes and issues device tokens,
// then searches everything the memstore holds for each code and each
// validator, in plain, lower-case and raw-byte forms: through the Store
// interface, in fmt's %#v of the store, and in a reflective walk of every
// value the store reaches (which %#v does not follow behind pointers). The
// walk must find the stored hashes, which proves it reaches the records.
func TestStoreHoldsNoSecrets(t *testing.T) {
	e := newEnv(t, trust.Config{})
	codes, err := recovery.New(e.m, recovery.Config{})
	require.NoError(t, err)
	var needles []string
	var hashes [][]byte
	for _, user := range []string{"alice", "bob"} {
		list, err := codes.Generate(t.Context(), user, t0)
		require.NoError(t, err)
		for _, code := range list {
			needles = append(needles, codeForms(t, code)...)
			norm, _ := recovery.Normalize(code)
			hashes = append(hashes, e.m.Extension().Sealer().MAC("recovery", user, []byte(norm)))
		}
		for range 3 {
			needles = append(needles, validatorForms(t, e.remember(t, user))...)
		}
	}
	haystacks := map[string]string{
		"%#v of the store": fmt.Sprintf("%#v", e.mem),
		"reflective walk":  walk(reflect.ValueOf(e.mem)),
		"Store interface":  viaInterface(t, e, "alice", "bob"),
		"log":              e.log.String(),
		"events":           fmt.Sprintf("%#v", e.events.all()),
	}
	for name, hay := range haystacks {
		for _, n := range needles {
			if strings.Contains(hay, n) {
				t.Errorf("%s holds a secret in the form %q", name, n)
			}
		}
	}
	walked := haystacks["reflective walk"]
	for _, h := range hashes {
		assert.Contains(t, walked, hex.EncodeToString(h), "the walk must reach the recovery hashes")
	}
	devs, err := e.mem.ListDevices(t.Context(), "alice")
	require.NoError(t, err)
	require.Len(t, devs, 3)
	assert.Contains(t, walked, hex.EncodeToString(devs[0].ValidatorHash), "the walk must reach the devices")
}

// codeForms spells a recovery code the ways it could have been stored.
func codeForms(t *testing.T, code string) []string {
	norm, err := recovery.Normalize(code)
	require.NoError(t, err)
	raw, err := base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding).DecodeString(norm)
	require.NoError(t, err)
	return append(byteForms(raw), code, norm, strings.ToLower(code), strings.ToLower(norm))
}

// validatorForms spells a token's validator the ways it could have been
// stored.
func validatorForms(t *testing.T, token string) []string {
	text := token[strings.IndexByte(token, '.')+1:]
	raw, err := base64.RawURLEncoding.DecodeString(text)
	require.NoError(t, err)
	require.Len(t, raw, 32)
	return append(byteForms(raw), token, text, strings.ToLower(text))
}

func byteForms(raw []byte) []string {
	gv := fmt.Sprintf("%#v", raw) // []byte{0x1, 0x2, ...}
	return []string{
		string(raw),
		hex.EncodeToString(raw),
		strings.ToUpper(hex.EncodeToString(raw)),
		base64.RawStdEncoding.EncodeToString(raw),
		gv[strings.IndexByte(gv, '{')+1 : len(gv)-1],
	}
}

// viaInterface renders what the Store interface hands out for users.
func viaInterface(t *testing.T, e *env, users ...string) string {
	var b strings.Builder
	ctx := t.Context()
	for _, u := range users {
		devs, err := e.mem.ListDevices(ctx, u)
		require.NoError(t, err)
		for _, d := range devs {
			got, err := e.mem.GetDevice(ctx, d.ID)
			require.NoError(t, err)
			fmt.Fprintf(&b, "%#v %#v %s\n", d, got, hex.EncodeToString(d.ValidatorHash))
			b.Write(d.ValidatorHash)
		}
		list, err := e.d.List(ctx, u, t0)
		require.NoError(t, err)
		n, err := e.mem.CountRecoveryCodes(ctx, u)
		require.NoError(t, err)
		st, err := e.mem.GetUserState(ctx, u)
		require.NoError(t, err)
		ens, err := e.mem.ListEnrollments(ctx, u)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%#v %d %#v %#v\n", list, n, st, ens)
	}
	return b.String()
}

// walk renders every string and byte string reachable from v, following
// pointers, maps, slices and unexported fields. Byte strings appear raw
// and in hex.
func walk(v reflect.Value) string {
	var b bytes.Buffer
	walkInto(&b, v, make(map[uintptr]bool))
	return b.String()
}

func walkInto(b *bytes.Buffer, v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			if seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
		}
		walkInto(b, v.Elem(), seen)
	case reflect.Struct:
		for i := range v.NumField() {
			walkInto(b, v.Field(i), seen)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkInto(b, it.Key(), seen)
			walkInto(b, it.Value(), seen)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			raw := make([]byte, v.Len())
			for i := range raw {
				raw[i] = byte(v.Index(i).Uint())
			}
			fmt.Fprintf(b, "%s\n%x\n", raw, raw)
			return
		}
		for i := range v.Len() {
			walkInto(b, v.Index(i), seen)
		}
	case reflect.String:
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
}

// TestWalkFindsPlantedSecrets is the scan's negative control: a validator
// stored raw and a code stored as a label are both found.
func TestWalkFindsPlantedSecrets(t *testing.T) {
	e := newEnv(t, trust.Config{})
	tok := e.remember(t, "alice")
	forms := validatorForms(t, tok)
	raw := []byte(forms[0])
	code := "2E7G-XZX8-C8MW-PQ3D"
	planted := &factor.TrustedDevice{ID: "planted", UserID: "alice", Label: strings.ToLower(code), ValidatorHash: raw, ExpiresAt: t0.Add(day)}
	require.NoError(t, e.mem.CreateDevice(t.Context(), planted))
	walked := walk(reflect.ValueOf(e.mem))
	for _, f := range forms[:2] {
		assert.Contains(t, walked, f)
	}
	assert.Contains(t, walked, strings.ToLower(code))
}
