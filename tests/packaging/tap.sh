# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the packaging tests: TAP lines and the count for tests/summary.sh.

n=0 pass=0 fail=0

check() {	# check DESCRIPTION COMMAND...: run COMMAND, one TAP line; its output if it fails
	local what=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $what"
		pass=$((pass + 1))
	else
		echo "not ok $n - $what"
		[ -z "$out" ] || tail -30 <<< "$out" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

finish() {	# finish NAME: the totals, build/results/NAME.count, and the exit status
	echo "$1: $pass passed, $fail failed"
	mkdir -p "$BUILD/results"
	echo "$pass $fail 0" > "$BUILD/results/$1.count"
	[ $fail -eq 0 ]
}
