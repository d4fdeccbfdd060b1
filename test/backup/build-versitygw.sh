#!/usr/bin/env bash
# Builds versitygw (the S3 gateway make backup-test serves a bucket with,
# pinned in versitygw/go.mod) into the cache, once, static (CGO_ENABLED=0:
# its cgo backends are behind build tags), and prints its path as the last
# line on stdout. Delete the directory to force a rebuild.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '$1 == "github.com/versity/versitygw" {print $2}' "$script_dir/versitygw/go.mod")"
binary="${NOVAGEN_CACHE:-$HOME/.cache/novagen}/versitygw-$version/bin/versitygw"
"$script_dir/../../hack/go-build-cached.sh" "$binary" "$script_dir/versitygw" github.com/versity/versitygw/cmd/versitygw \
	-trimpath -ldflags="-s -w"
echo "$binary"
