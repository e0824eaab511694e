#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own POSIX mqueue selftests (tools/testing/selftests/mqueue, built unmodified from
# the newest kernel's source), run in the test VM against the kernel's queues or, with --kipc,
# against kipc's through libkipc-mqueue.so (LD_PRELOAD), and reported as TAP for the runner.
#
#   mqueue-ksft [--kipc] open   mq_open_tests: every PASS/FAIL line it prints is one case
#   mqueue-ksft [--kipc] perf   mq_perf_tests: it must finish cleanly; its figures are kept
#
# mq_open_tests exits 0 even when a line says FAIL, so the lines are the verdict here.  Each
# figure line ("# mqueue-perf <impl> <test> send|recv <n> nsec/msg") is for the README, which
# sets the two runs side by side.
dir=/usr/lib/kipc-ksft
impl=kernel
preload=
if [ "$1" = --kipc ]; then
	impl=kipc
	preload=/usr/lib/libkipc-mqueue.so
	[ -f "$preload" ] || { echo "not ok 1 - no $preload in the guest"; exit 1; }
	shift
fi
out=/tmp/mqueue-$impl-$1.out

case "$1" in
open)
	LD_PRELOAD=$preload "$dir/mq_open_tests" /kipc_ksft_open > "$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	echo "TAP version 13"
	# The verdict lines end in PASS or FAIL after tabs; a case may span two lines.
	awk -v impl="$impl" '
		{ line = prev $0; prev = "" }
		/:[[:space:]]*PASS$/ { n++; sub(/:[[:space:]]*PASS$/, "", line); print "ok " n " - " impl ": " line; next }
		/:[[:space:]]*FAIL$/ { n++; f++; sub(/:[[:space:]]*FAIL$/, "", line); print "not ok " n " - " impl ": " line; next }
		/^Kernel .*[^:]$/ { prev = $0 " " }
		END { if (!n) { print "not ok 1 - " impl ": mq_open_tests printed no verdict"; f = 1; n = 1 }
		      print "1.." n; exit f ? 1 : 0 }' "$out" || rc=1
	exit $rc
	;;
perf)
	LD_PRELOAD=$preload "$dir/mq_perf_tests" > "$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	awk -v impl="$impl" '
		/Test #/ { t = $2; sub(/:$/, "", t); sub(/^#/, "", t) }
		/Send msg:/ { what = "send" } /Recv msg:/ { what = "recv" }
		/nsec\/msg/ { print "# mqueue-perf " impl " " t " " what " " $1 " nsec/msg" }' "$out"
	echo "TAP version 13"
	echo "1..1"
	if [ $rc -eq 0 ] && grep -q "Test #2d" "$out"; then
		echo "ok 1 - $impl: mq_perf_tests ran every test"
	else
		echo "not ok 1 - $impl: mq_perf_tests exited $rc"
		rc=1
	fi
	exit $rc
	;;
*)
	echo "usage: mqueue-ksft [--kipc] open|perf" >&2
	exit 2
	;;
esac
