#!/usr/bin/env bash
# Checks that the workspace tests every module, and every package of it:
#
# 1. every go.mod in the repository (outside testdata) is in go.work, so
#    that `go test work` and the other CI steps cover it;
# 2. every module builds and vets on its own (GOWORK=off), as an importer
#    builds it, and its go.mod and go.sum are tidy: a test of one module
#    that imports another module's package without requiring it fails
#    here, even though the workspace would hide it;
# 3. `go list work` finds at least as many packages as .ci/min-packages
#    says: deleting, emptying or un-listing a module or package fails CI.
#    After adding packages, raise the number in the same change.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

fail=0
mapfile -t mods < <(find . -name go.mod -not -path '*/testdata/*' -not -path '*/.*/*' -printf '%h\n' | sed 's|^\./||; s|^\.$|.|' | sort)
mapfile -t work < <(go list -m -f '{{.Dir}}' | sed "s|^$root/||; s|^$root\$|.|" | sort)
if [ "${mods[*]}" != "${work[*]}" ]; then
	echo "modules: go.work lists [${work[*]}] but the repository has [${mods[*]}]" >&2
	fail=1
fi

total=0
for m in "${mods[@]}"; do
	n=$(cd "$m" && GOWORK=off go list ./... | wc -l)
	total=$((total + n))
	echo "modules: $m: $n packages"
	(cd "$m" && GOWORK=off go build ./... && GOWORK=off go vet ./... && GOWORK=off go mod tidy -diff >/dev/null) || {
		echo "modules: $m does not build, vet or tidy on its own (GOWORK=off)" >&2
		fail=1
	}
done

listed=$(go list work | wc -l)
min=$(tr -dc '0-9' <.ci/min-packages)
echo "modules: ${#mods[@]} modules, $total packages; go list work: $listed; minimum: $min"
if [ "$listed" -ne "$total" ]; then
	echo "modules: the workspace lists $listed packages, the modules on their own $total" >&2
	fail=1
fi
if [ "$listed" -lt "$min" ]; then
	echo "modules: only $listed packages, fewer than the $min in .ci/min-packages" >&2
	fail=1
elif [ "$listed" -gt "$min" ]; then
	echo "modules: $listed packages now; raise .ci/min-packages to $listed"
fi
exit $fail
