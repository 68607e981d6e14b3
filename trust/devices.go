package trust

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/twostep/twostep/factor"
)

// hashPurpose binds the keyed hashes of validators to their use.
const hashPurpose = "device"

// maxLabel bounds a device label, in bytes.
const maxLabel = 100

// Devices issues and checks remember-this-device tokens on top of a
// Manager, whose Store keeps the devices and whose Sealer keys the hashes.
// It is safe for concurrent use.
type Devices struct {
	x   factor.Extension
	cfg Config
}

// Device describes one trusted device for a settings page. It holds nothing
// secret.
type Device struct {
	// ID identifies the device; pass it to Revoke.
	ID string
	// Label is what the host called the device, such as "Firefox on Linux".
	Label string
	// CreatedAt is when the user asked to remember the device.
	CreatedAt time.Time
	// LastUsedAt is when the device's token was last accepted.
	LastUsedAt time.Time
	// ExpiresAt is when the device stops being trusted.
	ExpiresAt time.Time
}

// New returns Devices for m. A Config with unsafe values is refused with an
// error wrapping factor.ErrInvalidConfig.
func New(m *factor.Manager, cfg Config) (*Devices, error) {
	if m == nil {
		return nil, &factor.ConfigError{Field: "trust.New", Reason: "nil Manager"}
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Devices{x: m.Extension(), cfg: cfg}, nil
}

// Durations returns the durations a page may offer, in order.
func (d *Devices) Durations() []time.Duration { return slices.Clone(d.cfg.Durations) }

// Remember trusts the device the user just completed a second step on, for
// duration from now, and returns the token to hand to the device, usually
// with SetCookie. duration must be one of Config.Durations; label (at most
// 100 bytes of UTF-8) describes the device in lists. Bad input is an error
// wrapping factor.ErrMalformed. Remember emits factor.EventDeviceTrusted.
// When the user then has more than Config.MaxDevices live devices, the
// oldest stop being trusted, each with a factor.EventDevicesRevoked.
func (d *Devices) Remember(ctx context.Context, userID, label string, duration time.Duration, now time.Time) (string, error) {
	if err := d.checkRemember(userID, label, duration); err != nil {
		return "", err
	}
	id, validator, token, err := newToken(d.x.Rand())
	if err != nil {
		return "", err
	}
	dev := &factor.TrustedDevice{
		ID: id, UserID: userID, Label: label,
		ValidatorHash: d.x.Sealer().MAC(hashPurpose, userID, macData(id, validator)),
		CreatedAt:     now, LastUsedAt: now, ExpiresAt: now.Add(duration),
	}
	clear(validator)
	if err := d.x.Store().CreateDevice(ctx, dev); err != nil {
		return "", fmt.Errorf("trust: store device: %w", err)
	}
	d.x.Emit(ctx, factor.Event{Type: factor.EventDeviceTrusted, UserID: userID, Time: now, Actor: userID, Reason: duration.String()})
	if err := d.evict(ctx, userID, id, now); err != nil {
		return "", err
	}
	return token, nil
}

// evict keeps the user within Config.MaxDevices after Remember trusted
// the device keep: expired devices go, and then the oldest until the
// rest fit, never keep itself. Each device evicted is an
// EventDevicesRevoked.
func (d *Devices) evict(ctx context.Context, userID, keep string, now time.Time) error {
	all, err := d.x.Store().ListDevices(ctx, userID)
	if err != nil {
		return fmt.Errorf("trust: list devices: %w", err)
	}
	live := all[:0]
	for _, dev := range all {
		if !now.Before(dev.ExpiresAt) {
			d.dropExpired(ctx, dev)
			continue
		}
		live = append(live, dev)
	}
	excess := len(live) - d.cfg.MaxDevices
	for _, dev := range live {
		if excess <= 0 {
			break
		}
		if dev.ID == keep {
			continue
		}
		err := d.x.Store().DeleteDevice(ctx, userID, dev.ID)
		if err != nil && !errors.Is(err, factor.ErrNotFound) {
			return fmt.Errorf("trust: evict device: %w", err)
		}
		excess--
		d.x.Emit(ctx, factor.Event{Type: factor.EventDevicesRevoked, UserID: userID, Time: now, Actor: userID,
			Reason: fmt.Sprintf("device %s: more than %d devices", dev.ID, d.cfg.MaxDevices)})
	}
	return nil
}

func (d *Devices) checkRemember(userID, label string, duration time.Duration) error {
	if err := d.x.CheckUserID(userID); err != nil {
		return err
	}
	if err := d.x.CheckText("label", label, maxLabel); err != nil {
		return err
	}
	if !slices.Contains(d.cfg.Durations, duration) {
		return &factor.InputError{Field: "duration", Reason: "not one of the offered durations"}
	}
	return nil
}

// Check reports whether token makes the device trusted for the user at now.
// A missing, garbled, tampered, expired or revoked token, an unknown device
// and another user's token are all simply false; only a failing Store is an
// error. An expired device is deleted on the way; an accepted one has its
// LastUsedAt set to now, which never extends its expiry.
func (d *Devices) Check(ctx context.Context, userID, token string, now time.Time) (bool, error) {
	id, data, ok := parseTokenData(token)
	if !ok || d.x.CheckUserID(userID) != nil {
		return false, nil
	}
	dev, err := d.x.Store().GetDevice(ctx, id)
	if errors.Is(err, factor.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("trust: get device: %w", err)
	}
	if dev.UserID != userID || !d.x.Sealer().CheckMAC(dev.ValidatorHash, hashPurpose, userID, data) {
		return false, nil
	}
	if !now.Before(dev.ExpiresAt) {
		d.dropExpired(ctx, dev)
		return false, nil
	}
	return d.touch(ctx, id, now)
}

// touch records a use of the device. A device deleted meanwhile, by a
// revocation for instance, is no longer trusted.
func (d *Devices) touch(ctx context.Context, id string, now time.Time) (bool, error) {
	err := d.x.Store().TouchDevice(ctx, id, now)
	if errors.Is(err, factor.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("trust: touch device: %w", err)
	}
	return true, nil
}

// dropExpired deletes an expired device. Failing to is no reason to fail
// the check, whose answer is no either way, so it is only logged.
func (d *Devices) dropExpired(ctx context.Context, dev *factor.TrustedDevice) {
	err := d.x.Store().DeleteDevice(ctx, dev.UserID, dev.ID)
	if err != nil && !errors.Is(err, factor.ErrNotFound) {
		d.x.Logger().LogAttrs(ctx, slog.LevelWarn, "twostep: could not delete expired device",
			slog.String("user", dev.UserID), slog.String("device", dev.ID), slog.String("error", err.Error()))
	}
}

// List returns the user's trusted devices at now, oldest first. Expired
// devices are deleted on the way.
func (d *Devices) List(ctx context.Context, userID string, now time.Time) ([]Device, error) {
	if err := d.x.CheckUserID(userID); err != nil {
		return nil, err
	}
	all, err := d.x.Store().ListDevices(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("trust: list devices: %w", err)
	}
	out := make([]Device, 0, len(all))
	for _, dev := range all {
		if !now.Before(dev.ExpiresAt) {
			d.dropExpired(ctx, dev)
			continue
		}
		out = append(out, Device{ID: dev.ID, Label: dev.Label, CreatedAt: dev.CreatedAt, LastUsedAt: dev.LastUsedAt, ExpiresAt: dev.ExpiresAt})
	}
	return out, nil
}

// Revoke stops trusting one of the user's devices and emits
// factor.EventDevicesRevoked. actor is who asked: the user or an admin. A
// device the user does not have is an error wrapping factor.ErrNotFound.
func (d *Devices) Revoke(ctx context.Context, userID, deviceID, actor string, now time.Time) error {
	if err := d.x.CheckUserID(userID); err != nil {
		return err
	}
	if err := d.x.Store().DeleteDevice(ctx, userID, deviceID); err != nil {
		return fmt.Errorf("trust: revoke device: %w", err)
	}
	d.x.Emit(ctx, factor.Event{Type: factor.EventDevicesRevoked, UserID: userID, Time: now, Actor: actor, Reason: "device " + deviceID})
	return nil
}

// RevokeAll stops trusting every device of the user, as a host should when
// the user's password changes, and emits factor.EventDevicesRevoked. actor
// is who asked: the user or an admin. Changes to the user's factors revoke
// devices by themselves (see factor.Manager.FactorsChanged).
func (d *Devices) RevokeAll(ctx context.Context, userID, actor string, now time.Time) error {
	if err := d.x.CheckUserID(userID); err != nil {
		return err
	}
	n, err := d.x.Store().DeleteDevices(ctx, userID)
	if err != nil {
		return fmt.Errorf("trust: revoke devices: %w", err)
	}
	d.x.Emit(ctx, factor.Event{Type: factor.EventDevicesRevoked, UserID: userID, Time: now, Actor: actor, Reason: fmt.Sprintf("all %d devices", n)})
	return nil
}
