package factor

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
)

// Manager holds all shared two-step verification policy: failure
// accounting, lockout, replay protection, sealing, code delivery and send
// budgets. It is safe for concurrent use; create one per application with
// NewManager and share it.
type Manager struct {
	cfg     Config
	store   Store
	factors map[Kind]Factor
	order   []Kind
	sealer  *Sealer
	log     *slog.Logger
	rand    io.Reader
}

// NewManager validates cfg and returns a Manager. cfg is copied; later
// changes to it have no effect.
func NewManager(cfg Config) (*Manager, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, store: cfg.Store, factors: make(map[Kind]Factor), log: cfg.Logger, rand: cfg.Rand}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.rand == nil {
		m.rand = rand.Reader
	}
	if err := m.addFactors(cfg.Factors); err != nil {
		return nil, err
	}
	m.cfg.Policy = cfg.Policy.withDefaults(m.order)
	m.cfg.Policy.ChangeByEmail = m.cfg.Policy.ChangeByEmail.withDefaults(cfg.AccountEmails)
	if err := m.cfg.Policy.validate(m.factors); err != nil {
		return nil, err
	}
	if err := m.validateChangeByEmail(); err != nil {
		return nil, err
	}
	keys, err := m.keys(cfg.Keys)
	if err != nil {
		return nil, err
	}
	if m.sealer, err = NewSealer(keys); err != nil {
		return nil, err
	}
	m.sealer.rand = m.rand
	m.store = bound(cfg.Store, m)
	return m, nil
}

func (m *Manager) addFactors(fs []Factor) error {
	for i, f := range fs {
		if f == nil {
			return &ConfigError{Field: fmt.Sprintf("Factors[%d]", i), Reason: "nil factor"}
		}
		if _, dup := m.factors[f.Kind()]; dup {
			return &ConfigError{Field: fmt.Sprintf("Factors[%d]", i), Reason: "duplicate kind " + string(f.Kind())}
		}
		if _, ok := f.(Challenger); ok && m.cfg.Sender == nil {
			return &ConfigError{Field: "Sender", Reason: "required by factor kind " + string(f.Kind())}
		}
		m.factors[f.Kind()] = f
		m.order = append(m.order, f.Kind())
	}
	return nil
}

func (m *Manager) keys(keys []ServerKey) ([]ServerKey, error) {
	if len(keys) > 0 {
		return keys, nil
	}
	secret := make([]byte, 32)
	if _, err := io.ReadFull(m.rand, secret); err != nil {
		return nil, fmt.Errorf("factor: generate ephemeral key: %w", err)
	}
	m.log.Warn("twostep: no Keys configured; using an ephemeral key, so sealed secrets and hashes will not survive a restart")
	return []ServerKey{{ID: "ephemeral", Secret: secret}}, nil
}

// newID returns a new random identifier of 128 bits, as 26 characters of
// lower-case base32.
func (m *Manager) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(m.rand, b[:]); err != nil {
		return "", fmt.Errorf("factor: random id: %w", err)
	}
	return idEncoding.EncodeToString(b[:]), nil
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// emit records an audit event: it is logged, handed to Config.Events, and,
// for changes to the user's enrollments, to Config.Notifier.
func (m *Manager) emit(ctx context.Context, e Event) {
	if m.log.Enabled(ctx, slog.LevelInfo) {
		m.log.LogAttrs(ctx, slog.LevelInfo, "twostep event", slog.Any("event", e))
	}
	if m.cfg.Events != nil {
		m.cfg.Events.Event(ctx, e)
	}
	if m.cfg.Notifier != nil && e.FactorChange() {
		m.cfg.Notifier.Event(ctx, e)
	}
}

// changed records that the user's enrollments changed: it emits e, then
// revokes every trusted device of the user. The change is stored before
// changed is called, so e is emitted even when revoking fails, and the
// audit trail and the user's notification never miss a change; the error is
// returned.
func (m *Manager) changed(ctx context.Context, e Event) error {
	// The change is stored: the devices go first, whatever the caller's
	// deadline, so that a slow notifier cannot leave them trusted.
	n, err := m.store.DeleteDevices(context.WithoutCancel(ctx), e.UserID)
	m.emit(ctx, e)
	if err != nil {
		return fmt.Errorf("factor: revoke trusted devices: %w", err)
	}
	if n > 0 {
		m.emit(ctx, Event{Type: EventDevicesRevoked, UserID: e.UserID, Time: e.Time, Actor: e.Actor, Reason: string(e.Type)})
	}
	return nil
}
