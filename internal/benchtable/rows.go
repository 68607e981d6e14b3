package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// anchor is what a figure is compared with.
type anchor struct {
	label string
	bench key
}

// row is one line of the table (and one more per further anchor).
type row struct {
	label   string
	bench   key
	unit    string // "ns/op" unless set
	anchors []anchor
	// anchorUnit is the anchors' unit, when the anchor is another metric
	// of the same benchmark; the row's unit unless set.
	anchorUnit string
}

var (
	pquerna = anchor{"pquerna/otp `totp.ValidateCustom`, wrong code, bare", key{"factor", "PquernaValidateCustom"}}
	floor   = anchor{"floor: HMAC-SHA1 keyed once, 3 steps", key{"factor", "HMACFloor"}}
)

// rows is the table.
var rows = []row{
	{label: "TOTP verify, wrong code, ±1 step: Manager + memstore, 10,000 users round-robin", bench: key{"factor", "VerifyTOTP/memstore/ManyUsers/WrongCode"}, anchors: []anchor{pquerna, floor}},
	{label: "TOTP verify, wrong code, ±1 step: Manager + memstore, one user", bench: key{"factor", "VerifyTOTP/memstore/WrongCode"}},
	{label: "TOTP verify, right code: Manager + memstore", bench: key{"factor", "VerifyTOTP/memstore/RightCode"}},
	{label: "TOTP verify, wrong code: Manager + SQLite (WAL file)", bench: key{"factor/sqlstore", "VerifyTOTP/SQLite/WrongCode"}, anchors: []anchor{pquerna}},
	{label: "TOTP verify, right code: Manager + SQLite (WAL file)", bench: key{"factor/sqlstore", "VerifyTOTP/SQLite/RightCode"}},
	{label: "TOTP verify, wrong code: Manager + PostgreSQL (loopback)", bench: key{"factor/sqlstore", "VerifyTOTP/Postgres/WrongCode"}, anchors: []anchor{pquerna}},
	{label: "TOTP verify, right code: Manager + PostgreSQL (loopback)", bench: key{"factor/sqlstore", "VerifyTOTP/Postgres/RightCode"}},
	{label: "`totp.Factor.Verify` alone, wrong code, ±1 step", bench: key{"totp", "VerifyWrongCode/SHA1"}, anchors: []anchor{
		{"pquerna/otp `totp.ValidateCustom`, wrong code", key{"totp", "PquernaValidateCustom"}},
		{"floor: one `hmac.New(sha1.New, key)`, then 3 steps", key{"totp", "HMACFloor"}}}},
	{label: "Recovery code, wrong, 10 left: `Codes.Redeem`", bench: key{"recovery", "Redeem/miss/10-left"}, anchors: []anchor{
		{"bcrypt cost 10 over 10 stored hashes", key{"recovery", "Bcrypt/miss/10-left"}}}},
	{label: "Recovery code, right: `Codes.Redeem` (revokes devices, emits the event)", bench: key{"recovery", "Redeem/hit"}},
	{label: "SMS code check, right code: Manager + memstore", bench: key{"sms", "Verify"}},
	{label: "SMS challenge: generate, store, compose and send a code (memstore, recording sender)", bench: key{"sms", "Challenge"}},
	{label: "Email code check, right code: Manager + memstore", bench: key{"email", "Verify"}},
	{label: "Trusted-device token check: `Devices.Check`", bench: key{"trust", "Check/trusted"}},
	{label: "Phone-app approval through the `push` handler: parse, signature, single use, `ApproveKeypad` (httptest recorder, memstore)", bench: key{"push", "Answer"}, anchors: []anchor{
		{"`ecdsa.VerifyASN1` over the same canonical bytes", key{"push", "VerifyASN1"}}}},
	{label: "Sealer: open a sealed secret (every TOTP verify)", bench: key{"factor", "Sealer/Open"}},
	{label: "Sealer: check a keyed hash (`CheckMAC`)", bench: key{"factor", "Sealer/CheckMAC"}},
	{label: "QR code PNG, 256 px: `Key.PNG`", bench: key{"totp", "QR/Key.PNG"}, anchors: []anchor{
		{"skip2/go-qrcode `qrcode.Encode(uri, Medium, 256)`", key{"totp", "QR/qrcode.Encode"}}}},
	{label: "Passkey second step: `Passkeys.FinishLogin` through the Manager + memstore (one loop with its anchor, on the same response bytes)", bench: key{"passkey", "FinishLogin"}, unit: "passkey-ns/op", anchorUnit: "go-webauthn-ns/op", anchors: []anchor{
		{"go-webauthn `protocol.ParseCredentialRequestResponseBody` + `ValidateLogin`", key{"passkey", "FinishLogin"}}}},
	{label: "memstore memory per user (TOTP, 2 phones, 10 recovery codes, 2 devices)", bench: key{"internal/integration/memstore", "MemoryPerUser"}, unit: "B/user"},
}

func (r row) write(w io.Writer, res *results) {
	unit := r.unit
	if unit == "" {
		unit = "ns/op"
	}
	v, ok := res.median(r.bench, unit)
	label := r.label
	if s, ok := res.median(r.bench, "stmts/op"); ok {
		noun := "statements"
		if trim(s) == "1" {
			noun = "statement"
		}
		label += fmt.Sprintf(" · %s SQL %s", trim(s), noun)
	}
	fig, bop, aop := "n/a", "", ""
	if ok {
		fig = format(v, unit)
		if unit == "ns/op" {
			bop, aop = figure(res, r.bench, "B/op"), figure(res, r.bench, "allocs/op")
		}
	}
	if len(r.anchors) == 0 {
		fmt.Fprintf(w, "| %s | %s | %s | %s | | | |\n", label, fig, bop, aop)
		return
	}
	for i, a := range r.anchors {
		aunit := r.anchorUnit
		if aunit == "" {
			aunit = unit
		}
		av, aok := res.median(a.bench, aunit)
		afig, ratio := "n/a", ""
		if aok {
			afig = format(av, aunit)
		}
		if ok && aok && av > 0 {
			ratio = formatRatio(v / av)
		}
		if i == 0 {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", label, fig, bop, aop, a.label, afig, ratio)
		} else {
			fmt.Fprintf(w, "| | | | | %s | %s | %s |\n", a.label, afig, ratio)
		}
	}
}

// figure prints a median count, such as B/op, rounded to a whole number.
func figure(res *results, k key, unit string) string {
	v, ok := res.median(k, unit)
	if !ok {
		return ""
	}
	return trim(math.Round(v))
}

// format prints a value of unit for people: times in ns, µs, ms or s
// (any unit ending in ns/op, such as a benchmark's own passkey-ns/op),
// bytes in B or KiB.
func format(v float64, unit string) string {
	if strings.HasSuffix(unit, "ns/op") {
		unit = "ns/op"
	}
	switch unit {
	case "ns/op":
		switch {
		case v >= 1e9:
			return sig3(v/1e9) + " s"
		case v >= 1e6:
			return sig3(v/1e6) + " ms"
		case v >= 1e3:
			return sig3(v/1e3) + " µs"
		}
		return fmt.Sprintf("%.0f ns", v)
	case "B/user":
		return fmt.Sprintf("%.0f B (%.2f KiB)", v, v/1024)
	}
	return trim(v) + " " + unit
}

// formatRatio prints a ratio with two significant digits, or as "1/N" when
// it is tiny.
func formatRatio(r float64) string {
	switch {
	case r <= 0:
		return ""
	case r < 0.01:
		return "1/" + group(math.Round(1/r))
	case r < 10:
		return fmt.Sprintf("%.2f×", r)
	}
	return fmt.Sprintf("%.0f×", r)
}

// group prints an integer with thin spaces between thousands.
func group(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(",")
		}
		b.WriteRune(c)
	}
	return b.String()
}

// trim prints v without needless decimals.
func trim(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// sig3 prints v with three significant digits, or more before the point.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
