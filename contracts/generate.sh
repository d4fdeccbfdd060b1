#!/bin/sh
# Generates code from Nova's proto files. Run it where the tree of the
# proto definitions ConfigMap is (its volume items restore the paths):
#
#   NOVA_PROTO_DIR   the proto tree (default: the current directory)
#   NOVA_PROTO_OUT   where code goes, one directory per language
#                    (default: ./gen)
#   NOVA_PROTO_LANGS the languages (default: "cpp python java"); each is
#                    a protoc generator: built in (cpp, java, python,
#                    csharp, ruby, php, objc, kotlin) or a plugin
#                    protoc-gen-<lang> on PATH (go, go-grpc, ...)
#
# It uses protoc when it is on PATH, else buf (buf generate, with the
# plugins protoc-gen-<lang> from PATH and protoc for built-in ones). It
# first checks every file against SHA256SUMS when that file is beside the
# tree (NOVA_PROTO_SUMS, an absolute path), so code is only generated from the published
# version.
set -eu

src=${NOVA_PROTO_DIR:-.}
out=${NOVA_PROTO_OUT:-./gen}
langs=${NOVA_PROTO_LANGS:-cpp python java}
sums=${NOVA_PROTO_SUMS:-}

if [ -n "$sums" ]; then
  (cd "$src" && sha256sum -c --quiet "$sums")
fi

files=$(cd "$src" && find . -name '*.proto' -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ -z "$files" ]; then
  echo "generate.sh: no .proto files under $src" >&2
  exit 1
fi

builtin() {
  case "$1" in
    cpp | java | python | csharp | ruby | php | objc | kotlin) return 0 ;;
  esac
  return 1
}

for lang in $langs; do
  mkdir -p "$out/$lang"
  dest=$(cd "$out/$lang" && pwd)
  if command -v protoc >/dev/null 2>&1; then
    # $files is word-split on purpose: proto paths hold no spaces (the
    # catalog loader allows [A-Za-z0-9_.-] only).
    # shellcheck disable=SC2086
    (cd "$src" && protoc -I . "--${lang}_out=$dest" $files)
  elif command -v buf >/dev/null 2>&1; then
    if builtin "$lang"; then
      plugin="\"protoc_builtin\":\"$lang\""
    else
      plugin="\"local\":\"protoc-gen-$lang\""
    fi
    buf generate "$src" --template "{\"version\":\"v2\",\"plugins\":[{$plugin,\"out\":\"$dest\"}]}"
  else
    echo "generate.sh: neither protoc nor buf is on PATH" >&2
    exit 1
  fi
  echo "generated $lang into $out/$lang"
done
