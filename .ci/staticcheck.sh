#!/usr/bin/env bash
# go vet and staticcheck over every module of the workspace (or the
# packages given as arguments). staticcheck is pinned; it is installed
# through the module proxy when the pinned version is not on the PATH or in
# GOBIN.
set -euo pipefail
cd "$(dirname "$0")/.."

# Staticcheck 2026.2.2 is the first line built for Go 1.26 (go.mod: go 1.26).
version=${STATICCHECK_VERSION:-v0.8.2}

gobin=$(go env GOBIN)
gobin=${gobin:-$(go env GOPATH)/bin}
staticcheck=$gobin/staticcheck
if ! "$staticcheck" -version 2>/dev/null | grep -q "(${version#v})"; then
	go install "honnef.co/go/tools/cmd/staticcheck@${version}"
fi

pkgs=("${@:-work}")
go vet "${pkgs[@]}"
"$staticcheck" -version
"$staticcheck" "${pkgs[@]}"
echo "staticcheck: clean"
