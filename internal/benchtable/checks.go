package main

import (
	"fmt"
	"io"
)

// check is one acceptance figure and its limit.
type check struct {
	label  string
	value  func(res *results) (float64, bool)
	limit  float64
	atMost bool // the figure must not exceed the limit; else reach it
	format func(float64) string
}

var (
	totpWrong   = key{"factor", "VerifyTOTP/memstore/ManyUsers/WrongCode"}
	paired      = key{"factor", "PairedTOTPWrong"}
	recoveryMis = key{"recovery", "Redeem/miss/10-left"}
	recoveryHit = key{"recovery", "Redeem/hit"}
	smsVerify   = key{"sms", "Verify"}
	emailVerify = key{"email", "Verify"}
)

var checks = []check{
	{"TOTP wrong code, memstore, 10,000 users ÷ pquerna/otp ValidateCustom, interleaved", median(paired, "twostep/pquerna"), 1, true, formatRatio},
	{"TOTP wrong code, memstore, 10,000 users ÷ pquerna/otp ValidateCustom, separate", ratio(totpWrong, pquerna.bench), 1, true, formatRatio},
	{"`totp.Factor.Verify` wrong code ÷ crypto/hmac floor, interleaved", median(key{"totp", "PairedVerifyWrong"}, "verify/floor"), 1.2, true, formatRatio},
	{"TOTP wrong code, memstore: allocs/op", median(totpWrong, "allocs/op"), 15, true, trim},
	{"bcrypt ÷ recovery code miss", ratio(key{"recovery", "Bcrypt/miss/10-left"}, recoveryMis), 10_000, false, func(v float64) string { return group(v) + "×" }},
	{"Recovery code miss", median(recoveryMis, "ns/op"), 5_000, true, nsFormat},
	{"Recovery code hit", median(recoveryHit, "ns/op"), 5_000, true, nsFormat},
	{"SMS code check, right code", median(smsVerify, "ns/op"), 5_000, true, nsFormat},
	{"Email code check, right code", median(emailVerify, "ns/op"), 5_000, true, nsFormat},
	{"PostgreSQL: statements per verify, right code", median(key{"factor/sqlstore", "VerifyTOTP/Postgres/RightCode"}, "stmts/op"), 3, true, trim},
	{"PostgreSQL: statements per verify, wrong code", median(key{"factor/sqlstore", "VerifyTOTP/Postgres/WrongCode"}, "stmts/op"), 3, true, trim},
	{"SQLite: statements per verify, right code", median(key{"factor/sqlstore", "VerifyTOTP/SQLite/RightCode"}, "stmts/op"), 4, true, trim},
	{"SQLite: statements per verify, wrong code", median(key{"factor/sqlstore", "VerifyTOTP/SQLite/WrongCode"}, "stmts/op"), 3, true, trim},
	{"QR PNG ÷ bare qrcode.Encode, interleaved", median(key{"totp", "PairedQR"}, "png/encode"), 1.1, true, formatRatio},
	{"QR PNG ÷ bare qrcode.Encode, separate", ratio(key{"totp", "QR/Key.PNG"}, key{"totp", "QR/qrcode.Encode"}), 1.1, true, formatRatio},
	{"Passkey second step through the Manager ÷ go-webauthn parse + ValidateLogin, same bytes, interleaved", median(key{"passkey", "FinishLogin"}, "ratio"), 1.3, true, formatRatio},
	{"Phone-app approval through the handler ÷ ecdsa.VerifyASN1, interleaved", median(key{"push", "PairedAnswer"}, "handler/verify"), 1.5, true, formatRatio},
	{"Phone-app approval through the handler ÷ ecdsa.VerifyASN1, separate", ratio(key{"push", "Answer"}, key{"push", "VerifyASN1"}), 1.5, true, formatRatio},
	{"memstore memory per user", median(key{"internal/integration/memstore", "MemoryPerUser"}, "B/user"), 4096, true, func(v float64) string { return fmt.Sprintf("%.0f B", v) }},
}

func (c check) write(w io.Writer, res *results) {
	v, ok := c.value(res)
	fig, met := "n/a", "–"
	if ok {
		fig = c.format(v)
		met = "no"
		if c.atMost && v <= c.limit || !c.atMost && v >= c.limit {
			met = "yes"
		}
	}
	op := "≤"
	if !c.atMost {
		op = "≥"
	}
	fmt.Fprintf(w, "| %s | %s | %s %s | %s |\n", c.label, fig, op, c.format(c.limit), met)
}

func median(k key, unit string) func(*results) (float64, bool) {
	return func(res *results) (float64, bool) { return res.median(k, unit) }
}

// ratio is the ratio of the medians of two benchmarks' ns/op.
func ratio(a, b key) func(*results) (float64, bool) {
	return func(res *results) (float64, bool) {
		av, aok := res.median(a, "ns/op")
		bv, bok := res.median(b, "ns/op")
		if !aok || !bok || bv == 0 {
			return 0, false
		}
		return av / bv, true
	}
}

func nsFormat(v float64) string { return format(v, "ns/op") }
