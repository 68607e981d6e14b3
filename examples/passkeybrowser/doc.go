// Package passkeybrowser holds the browser test of package passkey: a small
// page served by an httptest server runs the registration, second-step and
// passwordless ceremonies in headless Chromium against a virtual
// authenticator (DevTools WebAuthn domain). It has no code of its own.
package passkeybrowser
