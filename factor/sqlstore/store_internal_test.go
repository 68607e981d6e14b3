package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/twostep/twostep/factor"
)

type pgError string

func (e pgError) Error() string    { return "pg error " + string(e) }
func (e pgError) SQLState() string { return string(e) }

type liteError int

func (e liteError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e liteError) Code() int     { return int(e) }

func TestConflictMapsUniqueViolations(t *testing.T) {
	for _, err := range []error{pgError("23505"), liteError(1555), liteError(2067), fmt.Errorf("wrapped: %w", pgError("23505"))} {
		got := conflict(err)
		assert.ErrorIs(t, got, factor.ErrConflict, "%v", err)
		assert.False(t, errors.Is(got, err), "the driver's error, which may quote a key, is dropped")
	}
	for _, err := range []error{pgError("23503"), liteError(19), errors.New("other")} {
		assert.Equal(t, err, conflict(err))
	}
	assert.NoError(t, conflict(nil))
}
