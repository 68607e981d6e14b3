package recovery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twostep/twostep/factor"
)

// hashPurpose binds the keyed hashes of recovery codes to their use.
const hashPurpose = "recovery"

// Codes generates and redeems recovery codes on top of a Manager, whose
// Store keeps their hashes, whose Sealer keys them and whose failure
// accounting guards them. It is safe for concurrent use.
type Codes struct {
	x   factor.Extension
	cfg Config
}

// Redemption tells the host about the codes a user has left after redeeming
// one.
type Redemption struct {
	// Remaining is the number of unused codes left.
	Remaining int
	// Low is set when Remaining is LowRemaining or fewer: time to ask the
	// user to generate a new set.
	Low bool
}

// New returns Codes for m. A Config with unsafe values is refused with an
// error wrapping factor.ErrInvalidConfig.
func New(m *factor.Manager, cfg Config) (*Codes, error) {
	if m == nil {
		return nil, &factor.ConfigError{Field: "recovery.New", Reason: "nil Manager"}
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Codes{x: m.Extension(), cfg: cfg}, nil
}

// Generate makes a new set of codes for the user, replacing every code the
// user had, and returns them formatted with dashes between groups, such as
// 5T7G-XZX8-C8MW-PQ3D. Show them once: only their keyed hashes are stored.
// Generate emits factor.EventRecoveryGenerated.
func (c *Codes) Generate(ctx context.Context, userID string, now time.Time) ([]string, error) {
	if err := c.x.CheckUserID(userID); err != nil {
		return nil, err
	}
	codes, err := newSet(c.x.Rand(), c.cfg.Count, c.cfg.symbols())
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(codes))
	for i, code := range codes {
		hashes[i] = c.x.Sealer().MAC(hashPurpose, userID, []byte(code))
		codes[i] = Format(code, c.cfg.GroupSize)
	}
	if err := c.x.Store().ReplaceRecoveryCodes(ctx, userID, hashes); err != nil {
		return nil, fmt.Errorf("recovery: store codes: %w", err)
	}
	c.x.Emit(ctx, factor.Event{Type: factor.EventRecoveryGenerated, UserID: userID, Time: now, Actor: userID})
	return codes, nil
}

// Redeem uses up one of the user's codes, whichever the user typed, and
// tells how many are left. Malformed input (too long, wrong length, a
// character outside the alphabet) is an error wrapping factor.ErrMalformed
// and counts nothing. A wrong or used code is an error wrapping
// factor.ErrInvalidCode and counts against the user's failure budget; while
// the user is locked out the answer is a *factor.LockedError and no code is
// compared. Each code is accepted once, also under concurrent attempts.
//
// A redeemed code changes the user's factors: Redeem revokes the user's
// trusted devices and emits factor.EventRecoveryUsed. If revoking fails,
// Redeem returns the error although the code is used up.
func (c *Codes) Redeem(ctx context.Context, userID, code string, now time.Time) (Redemption, error) {
	if err := c.x.CheckUserID(userID); err != nil {
		return Redemption{}, err
	}
	norm, err := c.normalize(code)
	if err != nil {
		return Redemption{}, err
	}
	var left int
	err = c.x.Guard(ctx, userID, now, func() error {
		var cerr error
		left, cerr = c.consume(ctx, userID, norm)
		return cerr
	})
	if err != nil {
		return Redemption{}, err
	}
	ev := factor.Event{Type: factor.EventRecoveryUsed, UserID: userID, Time: now, Actor: userID}
	if err := c.x.Changed(ctx, ev); err != nil {
		return Redemption{}, fmt.Errorf("recovery: %w", err)
	}
	return Redemption{Remaining: left, Low: left <= LowRemaining}, nil
}

// normalize is Normalize plus the length this Config's codes have.
func (c *Codes) normalize(code string) (string, error) {
	norm, err := Normalize(code)
	if err != nil {
		return "", err
	}
	if len(norm) != c.cfg.symbols() {
		return "", &factor.InputError{Field: "code", Reason: fmt.Sprintf("must be %d characters", c.cfg.symbols())}
	}
	return norm, nil
}

// consume removes the code with the hash of norm and returns how many are
// left. It hashes once per configured key, which is once unless keys are
// being rotated, however many codes the user has.
func (c *Codes) consume(ctx context.Context, userID, norm string) (int, error) {
	for _, h := range c.x.Sealer().MACs(hashPurpose, userID, []byte(norm)) {
		left, err := c.x.Store().ConsumeRecoveryCode(ctx, userID, h)
		if err == nil {
			return left, nil
		}
		if !errors.Is(err, factor.ErrNotFound) {
			return 0, fmt.Errorf("recovery: consume code: %w", err)
		}
	}
	return 0, errInvalidCode
}

// errInvalidCode is the answer to a wrong or used code, made once so that
// a miss allocates no error.
var errInvalidCode = fmt.Errorf("recovery: %w", factor.ErrInvalidCode)

// Remaining returns how many unused codes the user has.
func (c *Codes) Remaining(ctx context.Context, userID string) (int, error) {
	if err := c.x.CheckUserID(userID); err != nil {
		return 0, err
	}
	n, err := c.x.Store().CountRecoveryCodes(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("recovery: count codes: %w", err)
	}
	return n, nil
}

// Config returns the configuration in effect, defaults filled in.
func (c *Codes) Config() Config { return c.cfg }
