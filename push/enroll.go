package push

import (
	"context"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/skip2/go-qrcode"
	"github.com/twostep/twostep/factor"
)

// purposeSecret keys the hash of the enrolment secret.
const purposeSecret = "push enrolment secret"

// secretEncoding writes the enrolment secret: lower-case base32 without
// padding, 52 characters for 256 bits.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Setup is a new pending push enrollment: what the setup page shows.
type Setup struct {
	// Enrolled is the pending enrollment as the Manager returned it.
	Enrolled *factor.Enrolled
	// URI is the enrolment URI the app scans, with the one-time secret in
	// it: show it once, as a QR code (PNG) and, for the command-line
	// phone, as text.
	URI string
}

// PNG returns a QR code of exactly URI as a square PNG, size pixels wide
// (0 means 256; at most 2048).
func (s *Setup) PNG(size int) ([]byte, error) {
	if size == 0 {
		size = 256
	}
	if size < 0 || size > 2048 {
		return nil, fmt.Errorf("push: QR code size %d is outside 0 to 2048 pixels", size)
	}
	png, err := qrcode.Encode(s.URI, qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("push: QR code: %w", err)
	}
	return png, nil
}

// DataURI returns PNG(size) as a data URI for an img element's src.
func (s *Setup) DataURI(size int) (string, error) {
	png, err := s.PNG(size)
	if err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

// SetupRequest asks for a new push enrollment: a phone app to set up.
type SetupRequest struct {
	// UserID is the user. Required.
	UserID string
	// Account names the user in the app, such as an email address.
	Account string
	// Label is the name the page shows for the phone; empty means the
	// device name the app registers with.
	Label string
	// StepUp is the step-up grant of the host's session
	// (factor.Result.StepUp), needed when the user has a confirmed
	// enrollment already: adding a phone app is a sensitive change.
	StepUp string
}

// Enroll creates a pending push enrollment for the user through the
// Manager's Enroll, so that its policy applies (activation codes, a recent
// second step before adding a method), with a fresh one-time enrolment
// secret that is stored only as a keyed hash. The app registers with the
// URI within the Manager's PendingTTL (15 minutes by default); the
// registration confirms the enrollment.
func (f *Factor) Enroll(ctx context.Context, req SetupRequest, now time.Time) (*Setup, error) {
	m, err := f.manager()
	if err != nil {
		return nil, err
	}
	x := m.Extension()
	userID, account := req.UserID, req.Account
	if err := x.CheckText("account", account, 255); err != nil {
		return nil, err
	}
	if err := x.CheckUserID(userID); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(x.Rand(), raw); err != nil {
		return nil, fmt.Errorf("push: enrolment secret: %w", err)
	}
	secret := secretEncoding.EncodeToString(raw)
	st := state{SecretHash: x.Sealer().MAC(purposeSecret, userID, []byte(secret))}
	enc, err := st.encode()
	if err != nil {
		return nil, err
	}
	en, err := m.Enroll(ctx, factor.EnrollRequest{UserID: userID, Kind: Kind, Label: req.Label, State: enc, StepUp: req.StepUp}, now)
	if err != nil {
		return nil, err
	}
	en.State = nil
	q := url.Values{}
	q.Set("v", "1")
	q.Set("url", f.origin)
	q.Set("user", userID)
	q.Set("enrollment", en.ID)
	q.Set("secret", secret)
	q.Set("issuer", f.cfg.Issuer)
	q.Set("account", account)
	return &Setup{Enrolled: en, URI: "twostep-push://enroll?" + q.Encode()}, nil
}

// register handles POST {url}/register: the app's public key, push token,
// platform and name, signed with the key. The enrollment is confirmed only
// when the secret is right, the enrollment still pending and the signature
// verifies with the key sent; the secret is single use, also under
// concurrency, because the device is stored with compare-and-swap before
// the Manager confirms.
func (f *Factor) register(ctx context.Context, m *factor.Manager, r *registerRequest, now time.Time) error {
	for _, c := range []struct {
		name, v string
		max     int
	}{{"user", r.User, 255}, {"enrollment", r.Enrollment, 64}, {"secret", r.Secret, 64}, {"public_key", r.PublicKey, 128}, {"push_token", r.PushToken, 4096}, {"device_name", r.DeviceName, 64}, {"signature", r.Signature, 128}} {
		if err := checkField(c.name, c.v, c.max); err != nil {
			return err
		}
	}
	if r.Platform != PlatformAndroid && r.Platform != PlatformIOS && r.Platform != PlatformOther {
		return errField("platform")
	}
	key, err := parsePublicKey(r.PublicKey)
	if err != nil {
		return err
	}
	if err := fresh(r.Timestamp, now); err != nil {
		return err
	}
	if err := verify(key, r.signedText(f.origin), r.Signature); err != nil {
		return errRefused
	}
	x := m.Extension()
	e, err := x.Store().GetEnrollment(ctx, r.User, r.Enrollment)
	if errors.Is(err, factor.ErrNotFound) {
		return errRefused
	}
	if err != nil {
		return fmt.Errorf("push: register: %w", err)
	}
	st, err := decodeState(e)
	if err != nil {
		return err
	}
	if e.Kind != Kind || !e.Pending(now) || st.Key != nil || len(st.SecretHash) == 0 ||
		!x.Sealer().CheckMAC(st.SecretHash, purposeSecret, e.UserID, []byte(r.Secret)) {
		return errRefused
	}
	raw, _ := b64.DecodeString(r.PublicKey)
	st.Key, st.Platform, st.Device = raw, r.Platform, r.DeviceName
	if r.PushToken != "" {
		if st.Token, err = x.Sealer().Seal([]byte(r.PushToken), tokenAD(e.UserID, e.ID)); err != nil {
			return fmt.Errorf("push: seal token: %w", err)
		}
	}
	if e.Label == "" {
		e.Label = r.DeviceName
	}
	if e.State, err = st.encode(); err != nil {
		return err
	}
	// The compare-and-swap makes the secret single use: of concurrent
	// registrations only one stores its device.
	if err := x.Store().UpdateEnrollment(ctx, e); errors.Is(err, factor.ErrConflict) || errors.Is(err, factor.ErrNotFound) {
		return errRefused
	} else if err != nil {
		return fmt.Errorf("push: register: %w", err)
	}
	_, err = m.Confirm(ctx, factor.Answer{UserID: e.UserID, EnrollmentID: e.ID, Code: r.Secret}, now)
	return err
}

// errRefused is every refusal of a well-formed request: unknown user or
// enrollment, wrong secret, bad signature, closed request. The app learns
// no more than that.
var errRefused = errors.New("push: request refused")

// fresh refuses a timestamp more than a minute off the server's clock.
func fresh(ts int64, now time.Time) error {
	d := now.Sub(time.Unix(ts, 0))
	if d > clockSkew || d < -clockSkew {
		return errRefused
	}
	return nil
}
