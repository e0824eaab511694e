#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every host test program in a folder, one at a time, each under a timeout.
# Exit codes of a test: 0 pass, 4 skip (kselftest's KSFT_SKIP), anything else fail.
set -u
dir=$1
timeout_s=${KIPC_TEST_TIMEOUT:-120}
pass=0 fail=0 skip=0
for t in "$dir"/*_test; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$(timeout -k 5 "$timeout_s" "$t" 2>&1)
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "ok      $name" ;;
	4) skip=$((skip + 1)); echo "skip    $name" ;;
	124|137) fail=$((fail + 1)); echo "not ok  $name (timed out after ${timeout_s}s)"; echo "$out" | sed 's/^/    /' ;;
	*) fail=$((fail + 1)); echo "not ok  $name (exit $rc)"; echo "$out" | sed 's/^/    /' ;;
	esac
done
echo "host: $pass passed, $fail failed, $skip skipped"
if [ -n "${KIPC_RESULTS:-}" ]; then mkdir -p "$KIPC_RESULTS"; echo "$pass $fail $skip" > "$KIPC_RESULTS/host.count"; fi
[ $((pass + fail)) -gt 0 ] || { echo "host: no test ran" >&2; exit 1; }
[ $fail -eq 0 ]
