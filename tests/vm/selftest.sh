#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The runner proves it can fail: each plan here breaks one rule, and the runner must turn the
# run red for the right reason.  This script passes only when every one of them fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
mkdir -p "$BUILD/results"
pass=0 fail=0

expect_red() {
	local plan=$1 reason=$2 out rc
	out=$(KIPC_EXPECT_FAIL=1 bash "$top/tests/vm/run.sh" --kernel stock \
		--plan "$top/tests/vm/plans/$plan.plan" --name "selftest-$plan" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -qE "$reason" <<< "$out"; then
		echo "ok      runner self-test $plan: reported as a failure ($reason)"
		pass=$((pass + 1))
	else
		echo "not ok  runner self-test $plan: exit $rc, expected a failure matching '$reason'"
		sed 's/^/    /' <<< "$out"
		fail=$((fail + 1))
	fi
}

expect_red selftest-fail "step [0-9]+:kselftest:harness-fail exited 1"
expect_red selftest-warn "kernel log reports trouble"
expect_red selftest-stuck "step [0-9]+:rmmod:kipc exited"
expect_red selftest-wrong-reason "step [0-9]+:insmod-fails:kipc.ko exited 1"

echo "$pass $fail 0" > "$BUILD/results/vm-selftest.count"
echo "runner self-tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
