package sqlstore

import (
	"context"
	"database/sql"
)

const (
	// lockRecoveryCodes serialises the changes to one user's codes on
	// PostgreSQL, where rows alone cannot: a transaction-scoped advisory
	// lock on a hash of the user ID, released at commit. SQLite needs no
	// lock, since its write transactions are serialised anyway.
	lockRecoveryCodes = `SELECT pg_advisory_xact_lock(hashtextextended('twostep_recovery_codes/' || $1, 0))`

	deleteRecoveryCodes = `DELETE FROM twostep_recovery_codes WHERE user_id = $1`

	insertRecoveryCode = `INSERT INTO twostep_recovery_codes (user_id, hash) VALUES ($1, $2)
ON CONFLICT DO NOTHING`

	consumeRecoveryCode = `DELETE FROM twostep_recovery_codes WHERE user_id = $1 AND hash = $2`

	countRecoveryCodes = `SELECT count(*) FROM twostep_recovery_codes WHERE user_id = $1`
)

// lockCodes takes the user's recovery-code lock inside tx, on PostgreSQL.
func (s *Store) lockCodes(ctx context.Context, tx *sql.Tx, userID string) error {
	if s.d != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, lockRecoveryCodes, userID)
	return err
}

// ReplaceRecoveryCodes atomically replaces all of the user's codes with the
// given hashes, in one transaction. A hash given twice is stored once.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockCodes(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, deleteRecoveryCodes, userID); err != nil {
			return err
		}
		return insertCodes(ctx, tx, userID, hashes)
	})
	return wrap("replace recovery codes", err)
}

func insertCodes(ctx context.Context, tx *sql.Tx, userID string, hashes [][]byte) error {
	if len(hashes) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, insertRecoveryCode)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, h := range hashes {
		if _, err := stmt.ExecContext(ctx, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// ConsumeRecoveryCode atomically removes the code with the given hash and
// returns how many codes remain. The removal is one DELETE whose
// affected-row count decides the only winner among concurrent callers. It
// and the count that follows run in one transaction serialised per user, so
// that concurrent consumers of different codes see different counts. No
// such code is factor.ErrNotFound.
func (s *Store) ConsumeRecoveryCode(ctx context.Context, userID string, hash []byte) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockCodes(ctx, tx, userID); err != nil {
			return err
		}
		if err := one(execOn(ctx, tx, consumeRecoveryCode, userID, hash)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, countRecoveryCodes, userID).Scan(&n)
	})
	if err != nil {
		return 0, wrap("consume recovery code", err)
	}
	return n, nil
}

// CountRecoveryCodes returns how many unused codes the user has.
func (s *Store) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.row(ctx, countRecoveryCodes, userID).Scan(&n)
	return n, wrap("count recovery codes", err)
}
