#!/bin/sh
# run-fuzzers.sh BUILD_DIR SECONDS: builds the libFuzzer targets in a clang
# build directory (set up here if it does not exist yet) and runs each one
# for SECONDS. Exits non-zero if any target crashes, leaks, trips a
# sanitizer or a GLib critical, or cannot be built.
#
#   tests/fuzz/run-fuzzers.sh _build-fuzz 60
#
# Seeds come from tests/fuzz/corpus/NAME/ (for target fuzz-NAME) and are
# never written to; new inputs go to BUILD_DIR/fuzz-corpus/NAME/ and crash
# reproducers to BUILD_DIR/fuzz-artifacts/.
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
case $seconds in
  ''|*[!0-9]*) echo "SECONDS must be a whole number" >&2; exit 2 ;;
esac

source_root=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=${CC:-clang} meson setup "$build_dir" "$source_root" -Dfuzzing=true -Db_lundef=false
else
  meson configure "$build_dir" -Dfuzzing=true
fi

targets=$(sed -n "s/^ *'\(fuzz-[A-Za-z0-9_-]*\)',.*/\1/p" "$source_root/tests/fuzz/meson.build")
if [ -z "$targets" ]; then
  echo "no fuzz targets listed in tests/fuzz/meson.build" >&2
  exit 1
fi

for target in $targets; do
  ninja -C "$build_dir" "tests/fuzz/$target"
done

# GLib criticals and warnings are bugs here; sanitizers stop at the first error.
export G_DEBUG=fatal-criticals,fatal-warnings
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=""
for target in $targets; do
  name=${target#fuzz-}
  seeds="$source_root/tests/fuzz/corpus/$name"
  work="$build_dir/fuzz-corpus/$name"
  artifacts="$build_dir/fuzz-artifacts"
  mkdir -p "$work" "$artifacts"
  set -- "$work"
  if [ -d "$seeds" ]; then
    set -- "$@" "$seeds"
  fi

  echo "== $target: $seconds s"
  if "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$target-" "$@"; then
    echo "== $target: OK"
  else
    echo "== $target: FAILED (reproducers in $artifacts)" >&2
    failed="$failed $target"
  fi
done

if [ -n "$failed" ]; then
  echo "fuzzers failed:$failed" >&2
  exit 1
fi
echo "all fuzzers ran $seconds s without a crash"
