#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start, part two, and what CI runs (.ci/run): install what is missing,
# then build and test twice — a normal build with warnings as errors, and an
# AddressSanitizer + UndefinedBehaviorSanitizer build — then run the fuzzers
# for a bounded time. Prints the time taken and a closing summary line.
#
# Usage: build-aux/run-tests.sh [--quick]   (--quick: the normal build only)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)
quick=0
[ "${1:-}" = "--quick" ] && quick=1
fuzz_seconds=${ANXIN_FUZZ_SECONDS:-60}
failed_steps=()

step() {
  echo
  echo "==> $*"
}

"$top/build-aux/install-deps.sh" test || exit 2

# Each build: configure once, build, run every suite. A failure is recorded
# and the remaining builds still run, so one report shows everything.
run_build() {
  local name=$1
  shift
  local dir="$top/_build-$name"
  step "$name build ($*)"
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$top" --werror "$@" >"$dir.setup.log" 2>&1 ||
      { cat "$dir.setup.log"; failed_steps+=("$name: meson setup"); return; }
  fi
  if ! ninja -C "$dir"; then
    failed_steps+=("$name: build")
    return
  fi
  step "$name tests"
  if ! meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier "${ANXIN_TIMEOUT_MULTIPLIER:-3}"; then
    failed_steps+=("$name: tests")
  fi
}

run_build ci -Dbuildtype=debugoptimized
if [ $quick -eq 0 ]; then
  run_build asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
  if [ -x "$top/tests/fuzz/run-fuzzers.sh" ]; then
    step "fuzzers (${fuzz_seconds} s each)"
    "$top/tests/fuzz/run-fuzzers.sh" "$top/_build-fuzz" "$fuzz_seconds" ||
      failed_steps+=("fuzzers")
  fi
fi

# Closing summary from meson's machine-readable logs.
summary=$(/usr/bin/python3 - "$top/_build-ci" "$top/_build-asan" <<'PY'
import json, os, sys
passed = failed = skipped = 0
for build in sys.argv[1:]:
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        continue
    for line in open(log, encoding="utf-8"):
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
)

elapsed=$(($(date +%s) - start))
step "done in $((elapsed / 60)) min $((elapsed % 60)) s"
for failure in "${failed_steps[@]}"; do
  echo "FAILED: $failure"
done
echo "tests: $summary"
[ ${#failed_steps[@]} -eq 0 ]
