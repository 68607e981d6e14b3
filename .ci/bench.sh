#!/usr/bin/env bash
# Runs twostep's performance suite and prints the README's performance table
# (markdown, on stdout) with the acceptance checks under it:
#
#   bash .ci/bench.sh               # the table; progress on stderr
#   COUNT=10 BENCHTIME=1s bash .ci/bench.sh
#
# 1. The allocation budgets (TestAllocs*), without -race, which changes
#    allocation counts; CI's `go test -race` skips them. A broken budget
#    fails the script.
# 2. The benchmarks: each package's test binary is built once and run
#    COUNT times round-robin with -benchtime BENCHTIME and -cpu CPU, so
#    that every figure and its anchor are measured in the same run and a
#    noisy spell hits all of them alike; benchtable takes medians.
# 3. The PostgreSQL open-loop load test (TestLoadPostgresOpenLoop, 16
#    goroutines, 2 s per rate) at the offered rates LOADRATES, LOADCOUNT
#    times: latency at a stated throughput, with no target.
#
# PostgreSQL figures come from a durable cluster (fsync, synchronous_commit
# and full_page_writes on: .ci/postgres.sh --durable), as in production;
# TWOSTEP_BENCH_POSTGRES names another server. Without one those rows read
# n/a.
# The raw output is kept in OUT (default: a temporary file, named on
# stderr).
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-200ms}
CPU=${CPU:-1}
LOADCOUNT=${LOADCOUNT:-3}
LOADRATES=${LOADRATES:-500,1000,2000,3000}
OUT=${OUT:-$(mktemp "${TMPDIR:-/tmp}/twostep-bench.XXXXXX")}
log() { echo "bench.sh: $*" >&2; }

if [ -z "${TWOSTEP_BENCH_POSTGRES:-}" ]; then
  TWOSTEP_BENCH_POSTGRES=$(bash .ci/postgres.sh --durable 2>/dev/null | tail -n 1) ||
    { log "no PostgreSQL; its rows will read n/a"; TWOSTEP_BENCH_POSTGRES=; }
fi
export TWOSTEP_TEST_POSTGRES=$TWOSTEP_BENCH_POSTGRES

log "allocation budgets (without -race)"
go test -count=1 -run '^TestAllocs' ./factor ./totp ./recovery ./trust ./sms >&2

# package and benchmark pattern, one pair a line.
suite=(
  "factor"          '^Benchmark(VerifyTOTP|PquernaValidateCustom|HMACFloor|Sealer|PairedTOTPWrong)$'
  "factor/sqlstore" '^BenchmarkVerifyTOTP$'
  "internal/integration/memstore" '^BenchmarkMemoryPerUser$'
  "totp"            '^Benchmark(VerifyWrongCode|HMACFloor|PairedVerifyWrong|PquernaValidateCustom|QR|PairedQR)$'
  "recovery"        '^BenchmarkRedeem$/^hit$|^Benchmark(Redeem|Bcrypt)$/^miss$/^10-left$'
  "sms"             '^Benchmark(Verify|Challenge)$'
  "email"           '^BenchmarkVerify$'
  "trust"           '^BenchmarkCheck$'
  "passkey"         '^BenchmarkFinishLogin$'
  "push"            '^Benchmark(Answer|VerifyASN1|PairedAnswer)$'
)

bin=$(mktemp -d "${TMPDIR:-/tmp}/twostep-bench-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT
for ((i = 0; i < ${#suite[@]}; i += 2)); do
  pkg=${suite[i]}
  log "building $pkg"
  go test -c -o "$bin/${pkg//\//_}.test" "./$pkg"
done

: >"$OUT"
log "raw output in $OUT"
for run in $(seq 1 "$COUNT"); do
  for ((i = 0; i < ${#suite[@]}; i += 2)); do
    pkg=${suite[i]} pattern=${suite[i + 1]}
    log "run $run/$COUNT: $pkg"
    (cd "$pkg" && "$bin/${pkg//\//_}.test" -test.run '^$' -test.bench "$pattern" -test.benchmem \
      -test.benchtime "$BENCHTIME" -test.cpu "$CPU" -test.count 1) >>"$OUT"
  done
done

log "PostgreSQL open-loop load test at $LOADRATES logins/s, $LOADCOUNT runs"
(cd factor/sqlstore && "$bin/factor_sqlstore.test" -test.run '^TestLoadPostgresOpenLoop$' -test.v \
  -load.rates "$LOADRATES" -test.count "$LOADCOUNT") >>"$OUT" ||
  log "the load test failed; see $OUT"

go run ./internal/benchtable <"$OUT"
