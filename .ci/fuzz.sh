#!/usr/bin/env bash
# Runs every fuzz target of every module of the workspace, one after the
# other, for FUZZTIME each (default 20s), and fails if any of them finds a
# crash. A crash
# leaves its input in the package's testdata/fuzz/<Name>/ directory; keep
# it there with the fix, so that plain `go test` replays it for ever.
#
# Go 1.26's fuzz coordinator sometimes reports a bare "context deadline
# exceeded" when -fuzztime runs out while a worker is busy
# (go.dev/issue/75804, fixed in Go 1.27). Such a run wrote no failing
# input; it is run once more, and if that ends the same way the target's
# corpus is replayed: only a failing replay or a written input fails.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-20s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# `go test -list` prints a package's matching names, then its "ok" line.
targets=$(go test -list '^Fuzz' work | awk '
	/^Fuzz/ { names = names " " $1; next }
	/^ok/ { n = split(names, a, " "); for (i = 1; i <= n; i++) print $2, a[i]; names = "" }')
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

# fuzz runs one target and succeeds unless it found something.
fuzz() {
	local pkg=$1 name=$2
	for attempt in 1 2; do
		if go test "$pkg" -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" 2>&1 | tee "$log"; then
			return 0
		fi
		if grep -q 'Failing input written to' "$log" || ! grep -q 'context deadline exceeded' "$log"; then
			return 1
		fi
		echo "fuzz: $name stopped at the deadline without an input (go.dev/issue/75804), attempt $attempt"
	done
	go test "$pkg" -run="^${name}\$" -count=1
}

count=0
failed=()
while read -r pkg name; do
	count=$((count + 1))
	echo "=== fuzz $pkg $name ($fuzztime)"
	if ! fuzz "$pkg" "$name"; then
		failed+=("$pkg $name")
	fi
done <<<"$targets"

echo "fuzz: $count targets, ${#failed[@]} failed, $fuzztime each"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
	exit 1
fi
