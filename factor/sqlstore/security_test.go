package sqlstore_test

import (
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
	"github.com/twostep/twostep/factor/sqlstore"
	"github.com/twostep/twostep/recovery"
	"github.com/twostep/twostep/sms"
	"github.com/twostep/twostep/trust"
)

// The tests in this file look at what sqlstore leaves in the database
// (DESIGN.md §4.3): no secret in the clear, and sealed secrets that refuse
// to open once tampered with or moved.

// forEachDB runs test on a fresh, migrated database of every backend, with
// the *sql.DB for looking at and changing rows behind the Store's back.
func forEachDB(t *testing.T, test func(t *testing.T, db *sql.DB, s *sqlstore.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			s, err := sqlstore.New(db, b.dialect)
			require.NoError(t, err)
			require.NoError(t, s.Migrate(ctx))
			test(t, db, s)
		})
	}
}

// twostepTables lists the tables of the schema, which the dump must find.
var twostepTables = []string{
	"twostep_activation_codes", "twostep_attempts", "twostep_challenges",
	"twostep_counters", "twostep_devices", "twostep_enrollments",
	"twostep_recovery_codes", "twostep_schema_version", "twostep_user_handles",
	"twostep_user_state",
}

// dump is the text of every row of every twostep_ table.
type dump struct {
	// raw holds every value as the database returned it: text as text,
	// byte columns as their bytes.
	raw string
	// encoded holds every byte column again in hex, base64 and base32, so
	// that an encoding of a secret stored in the clear shows up too.
	encoded string
	// rows counts the rows per table.
	rows map[string]int
}

// tableNames returns the twostep_ tables of the database, by name.
func tableNames(t *testing.T, db *sql.DB) []string {
	const (
		lite = `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'twostep\_%' ESCAPE '\'`
		pg   = `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name LIKE 'twostep\_%' ESCAPE '\'`
	)
	q := lite
	if isPostgres(db) {
		q = pg
	}
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	slices.Sort(names)
	return names
}

// isPostgres reports whether db is a PostgreSQL database.
func isPostgres(db *sql.DB) bool {
	var v string
	return db.QueryRow(`SELECT version()`).Scan(&v) == nil && strings.HasPrefix(v, "PostgreSQL")
}

// dumpTables reads every row of every twostep_ table.
func dumpTables(t *testing.T, db *sql.DB) dump {
	t.Helper()
	names := tableNames(t, db)
	require.Equal(t, twostepTables, names, "the dump covers every table of the schema")
	var raw, enc strings.Builder
	d := dump{rows: map[string]int{}}
	for _, name := range names {
		rows, err := db.Query(`SELECT * FROM ` + name)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			d.rows[name]++
			fmt.Fprintf(&raw, "%s:", name)
			for i, v := range vals {
				fmt.Fprintf(&raw, " %s=", cols[i])
				renderValue(&raw, &enc, v)
				raw.WriteString(" |")
			}
			raw.WriteString("\n")
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	d.raw, d.encoded = raw.String(), enc.String()
	return d
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// renderValue writes v as text to raw and, for bytes, its encodings to enc.
func renderValue(raw, enc *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		raw.WriteString("NULL")
	case []byte:
		raw.Write(v)
		for _, e := range []string{
			hex.EncodeToString(v), strings.ToUpper(hex.EncodeToString(v)),
			base64.StdEncoding.EncodeToString(v), base64.RawURLEncoding.EncodeToString(v),
			base32.StdEncoding.EncodeToString(v), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(v),
			lowerBase32.EncodeToString(v),
		} {
			enc.WriteString(e)
			enc.WriteString(" | ")
		}
		enc.WriteString("\n")
	case string:
		raw.WriteString(v)
	case time.Time:
		raw.WriteString(v.UTC().Format(time.RFC3339Nano))
	default:
		fmt.Fprint(raw, v)
	}
}

// foldASCII lower-cases ASCII letters only, so that binary data is left as
// it is.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// secretSet collects every secret value a scenario produced, by label.
type secretSet struct {
	labels []string
	values []string
}

func (s *secretSet) add(label string, values ...string) {
	for _, v := range values {
		s.labels = append(s.labels, label)
		s.values = append(s.values, v)
	}
}

// addBytes adds a binary secret and its usual text encodings.
func (s *secretSet) addBytes(label string, b []byte) {
	s.add(label+" (raw)", string(b))
	s.add(label+" (hex)", hex.EncodeToString(b))
	s.add(label+" (base64)", base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
	s.add(label+" (base32)", base32.StdEncoding.EncodeToString(b), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// findIn returns the labels of the secrets found in d. Values of at least
// ten characters are searched for anywhere, ignoring ASCII case; shorter
// ones (6-digit codes) are searched for only among the values as stored,
// and only where no other digit touches them, so that a code is not
// "found" inside a timestamp or a hex dump of a hash by chance.
func (s *secretSet) findIn(d dump) []string {
	raw, all := foldASCII(d.raw), foldASCII(d.raw+"\n"+d.encoded)
	var found []string
	for i, v := range s.values {
		if len(v) >= 10 {
			if strings.Contains(all, foldASCII(v)) {
				found = append(found, s.labels[i])
			}
			continue
		}
		re := regexp.MustCompile(`(^|[^0-9])` + regexp.QuoteMeta(foldASCII(v)) + `([^0-9]|$)`)
		if re.MatchString(raw) {
			found = append(found, s.labels[i])
		}
	}
	return found
}

// TestDumpHoldsNoSecrets runs a full scenario (an authenticator app, a
// phone number with delivered codes, recovery codes, a trusted device,
// activation codes) and then searches a dump of every table for every
// secret the scenario saw: none may be there in the clear, nor in hex,
// base64 or base32.
func TestDumpHoldsNoSecrets(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		var secrets secretSet
		key := newKey(t, "dump")
		secrets.addBytes("server key", key.Secret)
		app := newApp(t)
		text, err := sms.New(sms.Config{AppName: "Acme"})
		require.NoError(t, err)
		sender := &factortest.RecordingSender{}
		m, err := factor.NewManager(factor.Config{Store: s, Keys: []factor.ServerKey{key}, Factors: []factor.Factor{app, text}, Sender: sender})
		require.NoError(t, err)
		const user = "alice"

		// An authenticator app, confirmed and used.
		e := enrolTOTP(t, m, user, at(0))
		secrets.addBytes("TOTP secret", e.Secret)
		k, err := app.Key(e.Secret, "alice@example.com")
		require.NoError(t, err)
		secrets.add("TOTP secret (text)", k.Text(), strings.ReplaceAll(k.Text(), " ", ""))
		secrets.add("TOTP code", totpCode(e.Secret, at(0)), totpCode(e.Secret, at(1)))
		require.NoError(t, verifyTOTP(m, e, totpCode(e.Secret, at(1)), at(1)))

		// A phone number, confirmed with a texted code, used for a login,
		// and a challenge left unanswered.
		phone, err := m.Enroll(ctx, factor.EnrollRequest{UserID: user, Kind: factor.KindSMS, Address: "06-12345678"}, at(2))
		require.NoError(t, err)
		lastCode := func() string {
			msg, ok := sender.Last()
			require.True(t, ok, "a code was sent")
			secrets.add("SMS code", msg.Code)
			return msg.Code
		}
		sent, err := m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: phone.ID, Language: "en"}, at(2))
		require.NoError(t, err)
		require.NoError(t, factortest.Err(m.Confirm(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: lastCode()}, at(2))))
		sent, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: phone.ID, Language: "en"}, at(3))
		require.NoError(t, err)
		require.NoError(t, factortest.Err(m.Verify(ctx, factor.Answer{UserID: user, ChallengeID: sent.ChallengeID, Code: lastCode()}, at(3))))
		_, err = m.Challenge(ctx, factor.ChallengeRequest{UserID: user, EnrollmentID: phone.ID, Language: "nl"}, at(4))
		require.NoError(t, err)
		lastCode()

		// Recovery codes, one of them used.
		codes, err := recovery.New(m, recovery.Config{})
		require.NoError(t, err)
		set, err := codes.Generate(ctx, user, at(5))
		require.NoError(t, err)
		for _, c := range set {
			norm, err := recovery.Normalize(c)
			require.NoError(t, err)
			secrets.add("recovery code", c, norm)
		}
		_, err = codes.Redeem(ctx, user, set[0], at(5))
		require.NoError(t, err)

		// Activation codes: one issued, one issued and used.
		var bobCode string
		for _, u := range []string{user, "bob"} {
			code, err := m.IssueActivationCode(ctx, u, "service desk", at(6))
			require.NoError(t, err)
			norm, err := recovery.Normalize(code)
			require.NoError(t, err)
			secrets.add("activation code", code, norm)
			bobCode = code
		}
		require.NoError(t, m.Activate(ctx, "bob", bobCode, at(6)))

		// A trusted device.
		devices, err := trust.New(m, trust.Config{})
		require.NoError(t, err)
		token, err := devices.Remember(ctx, user, "Firefox on Linux", 24*time.Hour, at(7))
		require.NoError(t, err)
		_, validator, ok := strings.Cut(token, ".")
		require.True(t, ok)
		raw, err := base64.RawURLEncoding.DecodeString(validator)
		require.NoError(t, err)
		secrets.add("device token", token, validator)
		secrets.addBytes("device validator", raw)
		trusted, err := devices.Check(ctx, user, token, at(8))
		require.NoError(t, err)
		require.True(t, trusted)

		// A user handle, as package passkey records for passwordless
		// login: random, and not secret.
		require.NoError(t, s.PutHandle(ctx, user, []byte("handle-of-alice-0123456789abcdef")))

		// A wrong code, so that the failure count has a row.
		wrong := wrongCode(e.Secret, at(8), 1)
		require.ErrorIs(t, verifyTOTP(m, e, wrong, at(8)), factor.ErrInvalidCode)
		secrets.add("wrong TOTP code", wrong)

		d := dumpTables(t, db)
		for _, table := range twostepTables {
			assert.NotZero(t, d.rows[table], "the scenario left a row in %s", table)
		}
		if found := secrets.findIn(d); len(found) > 0 {
			t.Errorf("secrets found in the database dump: %v", found)
		}

		// The search finds what it is meant to find.
		probe := dump{raw: d.raw + "x=" + set[1] + " | y=" + bobCode + " |", encoded: d.encoded + hex.EncodeToString(e.Secret)}
		assert.ElementsMatch(t, []string{"recovery code", "activation code", "TOTP secret (hex)"}, secrets.findIn(probe), "planted secrets are found")
		msg, _ := sender.Last()
		probe = dump{raw: d.raw + "x=" + msg.Code + " |"}
		assert.Equal(t, []string{"SMS code"}, secrets.findIn(probe), "a planted code is found")
	})
}

// sealedSecret reads an enrollment's secret column.
func sealedSecret(t *testing.T, db *sql.DB, id string) []byte {
	t.Helper()
	var b []byte
	require.NoError(t, db.QueryRow(`SELECT secret FROM twostep_enrollments WHERE id = $1`, id).Scan(&b))
	return b
}

// setSecret overwrites an enrollment's secret column.
func setSecret(t *testing.T, db *sql.DB, id string, b []byte) {
	t.Helper()
	res, err := db.Exec(`UPDATE twostep_enrollments SET secret = $1 WHERE id = $2`, b, id)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

// TestTamperedSecretDoesNotOpen flips bytes of a sealed TOTP secret in the
// database, one position at a time: every Verify fails with
// factor.ErrSealed, also with the right code and on a Manager that opened
// the untouched secret before, and succeeds again once the row is
// restored.
func TestTamperedSecretDoesNotOpen(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k1")})
		e := enrolTOTP(t, m, "alice", at(0))
		orig := sealedSecret(t, db, e.ID)
		require.NotContains(t, string(orig), string(e.Secret))
		code := totpCode(e.Secret, at(1))

		// version, key ID length, key ID, nonce, ciphertext, tag
		for _, pos := range []int{0, 1, 2, 5, 10, len(orig) - 30, len(orig) - 16, len(orig) - 1} {
			bad := slices.Clone(orig)
			bad[pos] ^= 0x01
			setSecret(t, db, e.ID, bad)
			err := verifyTOTP(m, e, code, at(1))
			assert.ErrorIs(t, err, factor.ErrSealed, "byte %d flipped", pos)
			if err != nil {
				assert.NotContains(t, err.Error(), code)
			}
			require.NoError(t, s.ResetAttempts(ctx, "alice"), "the failed open counted as an attempt")
		}
		for _, bad := range [][]byte{orig[:len(orig)-1], append(slices.Clone(orig), 0), orig[:2]} {
			setSecret(t, db, e.ID, bad)
			assert.ErrorIs(t, verifyTOTP(m, e, code, at(1)), factor.ErrSealed, "length %d", len(bad))
		}
		for _, bad := range [][]byte{nil, {}} {
			setSecret(t, db, e.ID, bad)
			assert.Error(t, verifyTOTP(m, e, code, at(1)), "secret %v: never a success", bad)
		}
		require.NoError(t, s.ResetAttempts(ctx, "alice"))

		setSecret(t, db, e.ID, orig)
		assert.NoError(t, verifyTOTP(m, e, code, at(1)), "the untouched secret opens")
	})
}

// TestMovedSecretDoesNotOpen copies sealed secrets between rows with SQL:
// to another user's enrollment, to another enrollment of the same user,
// and a whole row to another user. None of them opens: the associated data
// binds a sealed secret to its user and enrollment.
func TestMovedSecretDoesNotOpen(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		m := newTOTPManager(t, s, []factor.ServerKey{newKey(t, "k1")})
		a := enrolTOTP(t, m, "alice", at(0))
		a2 := enrolTOTPAfter(t, m, "alice", a, at(0))
		b := enrolTOTP(t, m, "bob", at(0))
		c := enrolTOTP(t, m, "carol", at(0))
		// The Manager has opened A's secret (adding a2 passed a second
		// step with it), so a cache would have it.
		require.NoError(t, verifyTOTP(m, a, totpCode(a.Secret, at(2)), at(2)))

		const copySecret = `UPDATE twostep_enrollments
SET secret = (SELECT secret FROM twostep_enrollments WHERE id = $1) WHERE id = $2`
		for _, to := range []*factor.Enrollment{b, a2} {
			_, err := db.Exec(copySecret, a.ID, to.ID)
			require.NoError(t, err)
			for name, code := range map[string]string{"A's code": totpCode(a.Secret, at(2)), "own code": totpCode(to.Secret, at(2))} {
				err := verifyTOTP(m, to, code, at(2))
				assert.ErrorIs(t, err, factor.ErrSealed, "%s's enrollment with A's secret, %s", to.UserID, name)
			}
		}

		// Carol's row handed to bob: looked up as bob's, it does not open.
		_, err := db.Exec(`UPDATE twostep_enrollments SET user_id = $1 WHERE id = $2`, "bob", c.ID)
		require.NoError(t, err)
		moved := &factor.Enrollment{ID: c.ID, UserID: "bob"}
		require.NoError(t, s.ResetAttempts(ctx, "bob"))
		assert.ErrorIs(t, verifyTOTP(m, moved, totpCode(c.Secret, at(2)), at(2)), factor.ErrSealed, "a row moved to another user")

		assert.NoError(t, verifyTOTP(m, a, totpCode(a.Secret, at(3)), at(3)), "A itself still verifies")
	})
}
