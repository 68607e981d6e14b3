package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/twostep/twostep/factor
cpu: AMD EPYC
BenchmarkVerifyTOTP/memstore/ManyUsers/WrongCode   	  863857	      1300 ns/op	     352 B/op	       2 allocs/op
BenchmarkVerifyTOTP/memstore/ManyUsers/WrongCode   	  863857	      1200 ns/op	     352 B/op	       2 allocs/op
BenchmarkVerifyTOTP/memstore/ManyUsers/WrongCode   	  863857	      9000 ns/op	     352 B/op	       2 allocs/op
BenchmarkPquernaValidateCustom-2         	  306076	      3600 ns/op	    1584 B/op	      33 allocs/op
BenchmarkHMACFloor                       	 2238718	       550 ns/op	       0 B/op	       0 allocs/op
BenchmarkPairedTOTPWrong 	    3848	    113238 ns/op	       602.4 ns/floor	      4506 ns/pquerna	      1958 ns/twostep	         3.250 twostep/floor	         0.4344 twostep/pquerna	   30990 B/op	     560 allocs/op
PASS
pkg: github.com/twostep/twostep/factor/sqlstore
BenchmarkVerifyTOTP/Postgres/RightCode 	     400	    500000 ns/op	         3.000 stmts/op	         0 tx/op	    4000 B/op	      80 allocs/op
pkg: github.com/twostep/twostep/recovery
BenchmarkRedeem/miss/10-left 	  912199	      1340 ns/op	     696 B/op	      17 allocs/op
BenchmarkBcrypt/miss/10-left 	       2	 650000000 ns/op	   52332 B/op	     111 allocs/op
BenchmarkRedeem/hit-2         	   75861	      2795 ns/op	     120 B/op	       6 allocs/op
pkg: github.com/twostep/twostep/sms
BenchmarkChallenge-2   	   10596	     23865 ns/op	    3337 B/op	      45 allocs/op
BenchmarkVerify-2      	   72181	      3651 ns/op	     616 B/op	       5 allocs/op
pkg: github.com/twostep/twostep/email
BenchmarkVerify   	   93150	      5100 ns/op	     616 B/op	       5 allocs/op
pkg: github.com/twostep/twostep/passkey
BenchmarkFinishLogin 	    1140	    995225 ns/op	    474746 go-webauthn-ns/op	    515961 passkey-ns/op	         1.087 ratio	   24618 B/op	     295 allocs/op
pkg: github.com/twostep/twostep/internal/integration/memstore
BenchmarkMemoryPerUser 	       2	 720598324 ns/op	      2663 B/user	240249404 B/op	 3972028 allocs/op
=== RUN   TestLoadPostgres
    load_test.go:209: PostgreSQL load: 16 goroutines, 1000 users, 21458 TOTP logins (right codes, 3 statements each) in 4.003s
    load_test.go:211: throughput 5360 logins/s; latency p50 1.423ms, p90 4.741ms, p99 18.329ms, max 717.678ms
`

func TestTable(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := res.median(key{"factor", "VerifyTOTP/memstore/ManyUsers/WrongCode"}, "ns/op"); v != 1300 {
		t.Errorf("median %v, want 1300", v)
	}
	if v, _ := res.median(key{"factor", "PquernaValidateCustom"}, "ns/op"); v != 3600 {
		t.Errorf("GOMAXPROCS suffix not removed: %v", v)
	}
	var b strings.Builder
	write(&b, res)
	out := b.String()
	for _, want := range []string{
		"| TOTP verify, wrong code, ±1 step: Manager + memstore, 10,000 users round-robin | 1.30 µs | 352 | 2 | pquerna/otp `totp.ValidateCustom`, wrong code, bare | 3.60 µs | 0.36× |",
		"| | | | | floor: HMAC-SHA1 keyed once, 3 steps | 550 ns | 2.36× |",
		"| TOTP verify, right code: Manager + PostgreSQL (loopback) · 3 SQL statements | 500 µs | 4000 | 80 | | | |",
		"| Recovery code, wrong, 10 left: `Codes.Redeem` | 1.34 µs | 696 | 17 | bcrypt cost 10 over 10 stored hashes | 650 ms | 1/485,075 |",
		"| TOTP verify, right code: Manager + SQLite (WAL file) | n/a |",
		"| memstore memory per user (TOTP, 2 phones, 10 recovery codes, 2 devices) | 2663 B (2.60 KiB) |",
		"- throughput 5360 logins/s; latency p50 1.423ms",
		"| TOTP wrong code, memstore, 10,000 users ÷ pquerna/otp ValidateCustom, interleaved | 0.43× | ≤ 1.00× | yes |",
		"| bcrypt ÷ recovery code miss | 485,075× | ≥ 10,000× | yes |",
		"| Passkey second step: `Passkeys.FinishLogin` through the Manager + memstore (one loop with its anchor, on the same response bytes) | 516 µs |  |  | go-webauthn `protocol.ParseCredentialRequestResponseBody` + `ValidateLogin` | 475 µs | 1.09× |",
		"| Passkey second step through the Manager ÷ go-webauthn parse + ValidateLogin, same bytes, interleaved | 1.09× | ≤ 1.30× | yes |",
		"| SQLite: statements per verify, right code | n/a | ≤ 4 | – |",
		"| Recovery code, right: `Codes.Redeem` (revokes devices, emits the event) | 2.79 µs | 120 | 6 | | | |",
		"| SMS challenge: generate, store, compose and send a code (memstore, recording sender) | 23.9 µs | 3337 | 45 | | | |",
		"| Recovery code hit | 2.79 µs | ≤ 5.00 µs | yes |",
		"| SMS code check, right code | 3.65 µs | ≤ 5.00 µs | yes |",
		"| Email code check, right code | 5.10 µs | ≤ 5.00 µs | no |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
