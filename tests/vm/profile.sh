#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the instructions of one kipc path go: perf in the icount test VM.
#
#   tests/vm/profile.sh [--kernel stock|lts|newest] [--sort KEYS] [--callers SYMBOL] WHAT
#
# WHAT is one line of kipc-cost ("batch:kipc-mq", "pair:pipe", "rt-preempt:kipc-rpc"; see
# tests/vm/progs/kipc-cost.c) or a kipc-bench point of one backend: "bench:BACKEND" for its
# batch of 64 messages of 64 bytes, "bench:BACKEND:WORKLOAD:SIZE" for another (stream:64,
# latency:1M).  The guest runs it under `perf record -a` with the cpu-clock event, which under
# icount (one instruction a nanosecond) samples every 10,000 instructions, and prints perf's
# report: by symbol (the default), or by any --sort keys perf knows ("dso" splits the kernel
# from the program).  The module's symbols come from /proc/kallsyms, so they show as
# [kernel.kallsyms].  --callers adds a call graph for one symbol.  Percentages include a
# little of perf's own work (its processes are listed apart with --sort comm,dso).
#
# perf is the host's (Debian's linux-perf, which make deps installs): it runs in the guest with
# the shared libraries ldd names, through KIPC_VM_OVERLAY.  Build first: make all tests.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
kernel=stock sort=sym callers=
while [ $# -gt 1 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--sort) sort=$2; shift 2 ;;
	--callers) callers=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { sed -n '5,6p' "$0" >&2; exit 2; }
what=$1
case "$what" in
bench:?*)
	IFS=: read -r _ backend workload size <<< "$what"
	cmd="/bin/kipc-bench --mode vm-icount --out /tmp/bench --no-plots --duration 20"
	cmd="$cmd --backends $backend --workloads ${workload:-batch} --sizes ${size:-64}"
	[ -n "$workload" ] && [ "$workload" != batch ] || cmd="$cmd --batches 64 --batch-size 64" ;;
*:?*)	cmd="/bin/kipc-cost 5 $what" ;;
*)	echo "profile.sh: WHAT is a kipc-cost line (batch:kipc-mq) or bench:BACKEND[:WORKLOAD:SIZE]" >&2; exit 2 ;;
esac
perf=$(command -v perf) || { echo "profile.sh: no perf here (make deps installs linux-perf)" >&2; exit 2; }

work=$BUILD/vm/profile
rm -rf "$work"
mkdir -p "$work/overlay/bin"
cp "$perf" "$work/overlay/bin/perf"
graph=
[ -z "$callers" ] || graph="-g"
report="--stdio --no-children --sort $sort --percent-limit 0.5"
[ -z "$callers" ] || report="$report -S $callers -G"
cat > "$work/overlay/bin/kipc-profile" <<EOF
#!/bin/sh
# The guest's side of tests/vm/profile.sh.
cd /tmp || exit 1
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
/bin/perf record -q $graph -e cpu-clock -c 10000 -a -o /tmp/perf.data $cmd > /tmp/out 2>&1 ||
	{ cat /tmp/out; exit 1; }
/bin/perf report -i /tmp/perf.data $report > /tmp/report 2>&1 || { cat /tmp/report; exit 1; }
grep -v -e '^#' -e '^\$' /tmp/report || echo "(no samples for that)"
EOF
chmod +x "$work/overlay/bin/kipc-profile"
printf '%s\n' "insmod /lib/kipc/kipc.ko" "run /bin/kipc-profile" "rmmod kipc" > "$work/plan"
KIPC_VM_OVERLAY=$work/overlay exec bash "$top/tests/vm/run.sh" --kernel "$kernel" \
	--plan "$work/plan" --mode icount --name "profile-$kernel"
