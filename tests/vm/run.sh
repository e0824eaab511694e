#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kipc test VM runner.
#
#   tests/vm/run.sh --kernel stock|lts|debug|newest --plan check|demo|shell|kipcctl|mqueue|PLANFILE [--mode realtime|icount]
#
# The kernels: stock is Debian 12's 6.1, lts Debian 12's 6.12, debug the newest release (Debian
# unstable's source) built with KASAN, lockdep, kmemleak, KUnit and fault injection.  newest is
# that same image: one kernel build covers both, so --kernel newest and --kernel debug are one
# kernel, one module build and one cache entry; only the run's default name differs.
#
# Builds the module against the chosen kernel, packs an initramfs (busybox-static, the modules,
# the static test programs, tests/vm/init.sh as /init and the plan), boots QEMU and judges the
# run.  The run fails on: a step that fails, any "not ok", a KUnit KTAP that kunit.py rejects,
# a timeout, no verdict from the guest (panic, hang), and any kernel log line, after init starts,
# that reports a WARNING, BUG, Oops, KASAN, lockdep, a Call Trace or a kmemleak leak.
#
# Environment: KIPC_CACHE, BUILD, KIPC_VM_TIMEOUT (seconds for the whole boot),
#   KIPC_STEP_TIMEOUT (seconds per step in the guest), KIPC_ACCEL (tcg|kvm; default tcg: the
#   /dev/kvm of these machines hangs guests), KIPC_VM_MEM (MiB), KIPC_EXPECT_FAIL (for selftest.sh:
#   invert the exit status, but still print the reasons), KIPC_VM_OVERLAY (a folder copied into
#   the guest's root, with the shared libraries its programs need: tests/vm/profile.sh uses it).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
BUILD=${BUILD:-$top/build}
kernel=stock plan=check mode=realtime
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--plan) plan=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
name=${name:-$kernel-$(basename "$plan" .plan)}
[ "$kernel" = newest ] && kernel=debug
work="$BUILD/vm/$name"
rm -rf "$work"
mkdir -p "$work" "$BUILD/results"
# $KIPC_VM_OVERLAY: a tree of one's own for the guest (a profiler, say), as a plan's overlay.
if [ -n "${KIPC_VM_OVERLAY:-}" ]; then
	mkdir -p "$work/overlay"
	cp -a "$KIPC_VM_OVERLAY/." "$work/overlay/"
fi

say() { printf '[vm %s] %s\n' "$name" "$*"; }

# ---- the kernel ------------------------------------------------------------------------------
case "$kernel" in
stock)
	kdir_stock=$(readlink -f "$CACHE/stock/current")
	kver=$(basename "$kdir_stock")
	vmlinuz="$kdir_stock/vmlinuz"
	KDIR="/usr/src/linux-headers-$kver"
	mem=${KIPC_VM_MEM:-1024}
	vm_timeout=${KIPC_VM_TIMEOUT:-300}
	[ "$plan" = demo ] && vm_timeout=${KIPC_VM_TIMEOUT:-3000}
	;;
lts)
	# Debian 12's 6.12, unpacked by deps.sh.
	kdir_lts=$(readlink -f "$CACHE/lts/current")
	vmlinuz="$kdir_lts/vmlinuz"
	KDIR=$(readlink -f "$kdir_lts/headers")
	mem=${KIPC_VM_MEM:-1024}
	vm_timeout=${KIPC_VM_TIMEOUT:-300}
	[ "$plan" = demo ] && vm_timeout=${KIPC_VM_TIMEOUT:-3000}
	;;
debug)
	say "debug kernel, the newest release (cached after the first build)"
	KDIR=$(bash "$top/tests/vm/debug-kernel.sh")
	vmlinuz="$KDIR/arch/x86/boot/bzImage"
	mem=${KIPC_VM_MEM:-2048}
	# 4-level paging.  With -cpu max the kernel runs 5-level, and then an interrupt that lands
	# while the boot CPU's identify_cpu() has its feature bits cleared (before alternatives are
	# patched, pgtable_l5_enabled() reads them) makes 7.2's KASAN take a direct-map address for
	# a wild one: a report at random boots, whose taint turns lockdep off for the whole run.
	extra_cmdline=no5lvl
	vm_timeout=${KIPC_VM_TIMEOUT:-1500}
	;;
*) echo "run.sh: --kernel is stock, lts, debug or newest" >&2; exit 2 ;;
esac
# The kernel's mq_perf_tests makes 10 million sends and receives, twice (kernel and kipc).
[ "$plan" = mqueue ] && vm_timeout=${KIPC_VM_TIMEOUT:-3600}
[ -f "$vmlinuz" ] || { echo "run.sh: no kernel image at $vmlinuz (run make deps)" >&2; exit 1; }
[ -f "$KDIR/Makefile" ] || { echo "run.sh: no kernel build tree at $KDIR (run make deps)" >&2; exit 1; }

# ---- the module, built for this kernel ------------------------------------------------------
# Keyed by the tree, not only by the name: the debug kernel's key changes with its source, and a
# kipc.ko built for the old one must never be packed for the new one.
kmod="$BUILD/kmod/vm-$kernel-$(basename "$KDIR")"
say "building the module against $KDIR"
make -s -C "$top" module KDIR="$KDIR" KMOD_OUT="$kmod" KMOD_FLAGS="KIPC_HARNESS=m"

# ---- the plan --------------------------------------------------------------------------------
# The POSIX queue programs, dynamically linked as a preload needs, in the plan's overlay: the
# conformance test, the kernel's own mqueue selftests with their wrapper, and the shim (in
# /usr/lib, where the loader looks for a bare LD_PRELOAD name); ldd names the rest.
mqueue_overlay() {
	local f
	for f in "$BUILD/tests/mqueue/mq_conformance_test" "$BUILD/lib/libkipc-mqueue.so" \
		 "$BUILD/ksft-mqueue/mq_open_tests" "$BUILD/ksft-mqueue/mq_perf_tests"; do
		[ -e "$f" ] || { echo "run.sh: no $f (make -s all tests)" >&2; exit 1; }
	done
	mkdir -p "$work/overlay/bin" "$work/overlay/usr/lib/kipc-ksft"
	cp "$BUILD/tests/mqueue/mq_conformance_test" "$work/overlay/bin/"
	cp -L "$BUILD/lib/libkipc-mqueue.so" "$work/overlay/usr/lib/libkipc-mqueue.so"
	cp "$BUILD/ksft-mqueue/mq_open_tests" "$BUILD/ksft-mqueue/mq_perf_tests" \
		"$work/overlay/usr/lib/kipc-ksft/"
	cp "$top/tests/vm/mqueue-ksft.sh" "$work/overlay/bin/mqueue-ksft"
	chmod 755 "$work/overlay/bin/mqueue-ksft"
}

case "$plan" in
check)
	{
		echo "insmod-fails /lib/kipc/kipc.ko max_msgs=0"
		echo "insmod-fails /lib/kipc/kipc.ko max_channels=lots"
		echo "insmod /lib/kipc/kipc.ko"
		echo "hold /dev/kipc"
		echo "rmmod-fails kipc"
		echo "release"
		# A mapping pins the module even after its fd is closed and its name is gone (through
		# its own file, whose release runs before the VFS drops the module reference), and it
		# still holds its memory.
		echo "background /bin/kipc-map-hold"
		echo "rmmod-fails kipc"
		echo "run /bin/kipc-map-hold --check"
		echo "release"
		[ -f "$kmod/tests/kunit/kipc_kunit.ko" ] && echo "kunit /lib/kipc/kipc_kunit.ko"
		for t in "$BUILD"/tests/selftests/*_test; do echo "kselftest /bin/$(basename "$t")"; done
		# The POSIX queue conformance test on the kernel's queues, then unmodified on kipc's
		# through libkipc-mqueue.so, wanting the same results (userlib/mqueue/mqueue.mk).
		echo "kselftest /bin/mq_conformance_test"
		echo "kselftest-preload libkipc-mqueue.so /bin/mq_conformance_test"
		# The kernel's own mq_open_tests, both ways (mq_perf_tests: the mqueue plan).
		echo "kselftest /bin/mqueue-ksft open"
		echo "kselftest /bin/mqueue-ksft --kipc open"
		echo "run /bin/kipc-shm-hello"
		# Leave channels with queued messages behind: rmmod must free them all.
		echo "run /bin/kipc-leave-channels"
		echo "rmmod kipc"
		echo "kmemleak"
	} > "$work/plan"
	mqueue_overlay
	;;
faultinject)
	# Every selftest with allocations and user copies failing at random, then again without:
	# the kernel log must stay clean, everything must work again, and nothing may leak.
	{
		echo "insmod /lib/kipc/kipc.ko"
		echo "failinject ${KIPC_FAIL_PERCENT:-5}"
		# The bad-input table knows injection: its verdict counts (ENOMEM and EFAULT allowed,
		# nothing may change); the others' does not.
		for t in "$BUILD"/tests/selftests/*_test; do
			case $t in
			*/kipc_badinput_test) echo "kselftest-injected /bin/$(basename "$t")" ;;
			*) echo "inject /bin/$(basename "$t")" ;;
			esac
		done
		# What injected teardowns left named goes, and destroy must work again.
		echo "failinject off"
		echo "run /bin/kipc-clean-channels"
		# And the table once more with a fifth of the calls failing.
		echo "failinject 20"
		echo "kselftest-injected /bin/kipc_badinput_test"
		echo "failinject off"
		echo "run /bin/kipc-clean-channels"
		for t in "$BUILD"/tests/selftests/*_test; do echo "kselftest /bin/$(basename "$t")"; done
		echo "rmmod kipc"
		echo "kmemleak"
	} > "$work/plan"
	;;
kipcctl)
	# This checkout installed (PREFIX=/usr, with the module built above and depmod's index)
	# into the initramfs, and tests/vm/kipcctl-test.sh driving the installed kipcctl.
	make -s -C "$top" vm-root-kipcctl KDIR="$KDIR" KMOD_OUT="$kmod" VM_ROOT="$work/overlay"
	echo "kselftest /bin/kipcctl-test" > "$work/plan" ;;
demo)
	# The main job: what the module reports, what a create costs beside many channels, what
	# one operation costs (kipc-cost, both scheduler regimes), then kipc-bench over every
	# backend.  The results
	# come back through "export"; plots are drawn on the host (the VM has no gnuplot).
	printf '%s\n' "insmod /lib/kipc/kipc.ko" "run /bin/kipc-info" "run /bin/kipc-scale" \
		"run /bin/kipc-cost" \
		"run /bin/kipc-bench --mode vm-$mode --out /tmp/bench --no-plots ${KIPC_BENCH_ARGS:---duration 10}" \
		"export /tmp/bench" "rmmod kipc" > "$work/plan" ;;
shell|walk)
	# A machine as the README's "Use it on your machine" leaves it: this checkout installed
	# (PREFIX=/usr, the module in /lib/modules with depmod's index) and the module not
	# loaded.  Everyone is root here: sudo passes through, and usermod -aG is busybox's
	# addgroup.  "walk" runs the README's commands word for word (tests/vm/readme-walk.sh);
	# "shell" hands the console over to try them.
	make -s -C "$top" vm-root-kipcctl KDIR="$KDIR" KMOD_OUT="$kmod" VM_ROOT="$work/overlay"
	mkdir -p "$work/overlay/usr/sbin"
	printf '#!/bin/sh\n# sudo in the test VM, where everyone is root\nexec "$@"\n' \
		> "$work/overlay/usr/bin/sudo"
	cat > "$work/overlay/usr/sbin/usermod" <<'USERMOD'
#!/bin/sh
# usermod in the test VM: -aG GROUP USER only, as a member added to GROUP's line of /etc/group
[ "$1" = -aG ] && [ $# -eq 3 ] || { echo "usermod (test VM): only -aG GROUP USER" >&2; exit 2; }
grep -q "^$2:" /etc/group || { echo "usermod: group '$2' does not exist" >&2; exit 6; }
grep -q "^$2:[^:]*:[^:]*:\(.*,\)\{0,1\}$3\(,.*\)\{0,1\}$" /etc/group && exit 0
sed -i "s/^\($2:[^:]*:[^:]*:\)\(.\{1,\}\)$/\1\2,$3/; s/^\($2:[^:]*:[^:]*:\)$/\1$3/" /etc/group
USERMOD
	chmod 755 "$work/overlay/usr/bin/sudo" "$work/overlay/usr/sbin/usermod"
	if [ "$plan" = walk ]; then
		bash "$top/tests/vm/readme-walk.sh" "$top/README.md" > "$work/overlay/bin/readme-walk"
		chmod 755 "$work/overlay/bin/readme-walk"
		printf '%s\n' "kselftest /bin/readme-walk" "kmemleak" > "$work/plan"
	else
		echo "shell" > "$work/plan"
	fi
	extra_group="kipc:x:998:" ;;
fuzz)
	printf '%s\n' "insmod /lib/kipc/kipc.ko" "run /bin/kipc-fuzz --seed ${KIPC_FUZZ_SEED:-1} --ops ${KIPC_FUZZ_OPS:-100000}" \
		"rmmod kipc" "kmemleak" > "$work/plan" ;;
mqueue)
	# The kernel's own mqueue selftests, unmodified (Makefile: ksft-mqueue), through
	# tests/vm/mqueue-ksft.sh: against the kernel's queues, then against kipc's through
	# libkipc-mqueue.so.  max_msgs=65536: mq_perf_tests raises msg_max to the kernel's hard
	# limit and fills a queue that deep.  KIPC_MQUEUE_PERF=0 leaves mq_perf_tests out.
	mqueue_overlay
	perf=${KIPC_MQUEUE_PERF:-1}
	{
		echo "kselftest /bin/mqueue-ksft open"
		[ "$perf" = 0 ] || echo "kselftest /bin/mqueue-ksft perf"
		echo "insmod /lib/kipc/kipc.ko max_msgs=65536"
		echo "kselftest /bin/mqueue-ksft --kipc open"
		[ "$perf" = 0 ] || echo "kselftest /bin/mqueue-ksft --kipc perf"
		echo "rmmod kipc"
		echo "kmemleak"
	} > "$work/plan" ;;
stress)
	printf '%s\n' "insmod /lib/kipc/kipc.ko" "run /bin/kipc-stress --seconds ${KIPC_STRESS_SECONDS:-60}" \
		"rmmod kipc" "kmemleak" > "$work/plan" ;;
*)
	[ -f "$plan" ] || { echo "run.sh: no plan $plan" >&2; exit 2; }
	cp "$plan" "$work/plan" ;;
esac

# ---- the initramfs ---------------------------------------------------------------------------
root="$work/root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/kipc,etc}
cp /bin/busybox "$root/bin/busybox"
cp "$top/tests/vm/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$work/plan" "$root/plan"
find "$kmod" -name '*.ko' -exec cp {} "$root/lib/kipc/" \;
for p in "$BUILD"/tests/selftests/*_test "$BUILD"/tests/vm/* "$BUILD"/bench/kipc-bench; do
	[ -f "$p" ] && [ -x "$p" ] && cp "$p" "$root/bin/"
done
# A plan's own tree, $work/overlay, goes in as it is, with the shared libraries and the loader
# that its dynamically linked programs need, as ldd names them.
if [ -d "$work/overlay" ]; then
	cp -a "$work/overlay/." "$root/"
	find "$work/overlay" -type f -perm -u+x -exec ldd {} \; 2>/dev/null |
		{ grep -o '/[^ ]*' || true; } | sort -u | while read -r lib; do
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done
fi
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
[ -z "${extra_group:-}" ] || echo "$extra_group" >> "$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

# ---- QEMU ------------------------------------------------------------------------------------
console="$work/console.log"
results="$work/results.log"
: > "$console"
: > "$results"
accel=${KIPC_ACCEL:-tcg}
case "$mode" in
realtime)
	if [ "$accel" = kvm ]; then qemu_accel=(-accel kvm -cpu host -smp 2)
	else qemu_accel=(-accel tcg,thread=multi -cpu max -smp 2); fi ;;
icount)
	# One vCPU: with two, this QEMU (7.2) never finishes bringing up the second under icount.
	qemu_accel=(-accel tcg -icount shift=0,sleep=off -cpu max -smp 1) ;;
*) echo "run.sh: --mode is realtime or icount" >&2; exit 2 ;;
esac
step_timeout=${KIPC_STEP_TIMEOUT:-$((vm_timeout / 2))}
cmdline="console=ttyS0 ignore_loglevel panic=-1 reboot=t kipc.step_timeout=$step_timeout"
cmdline="$cmdline rdinit=/init nokaslr tsc=reliable clocksource=tsc no_hash_pointers ${extra_cmdline:-}"
qemu=(qemu-system-x86_64 -M pc "${qemu_accel[@]}" -m "$mem" -nodefaults -no-reboot
      -display none -monitor none
      -kernel "$vmlinuz" -initrd "$work/initramfs.gz"
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)

if [ "$plan" = shell ]; then
	say "booting $kernel kernel; the console is yours (Ctrl-a x quits QEMU)"
	"${qemu[@]}" -chardev stdio,id=con,mux=on,signal=off -serial chardev:con \
		-mon chardev=con,mode=readline -serial file:"$results" \
		-append "$cmdline" || true
	exit 0
fi

say "booting the $kernel kernel ($mode, $accel), log: $console"
start=$(date +%s)
# Progress: follow the results channel and print each step and each TAP line as it arrives.
mkfifo "$work/progress"
tail -n +1 -F "$results" 2>/dev/null > "$work/progress" &
tail_pid=$!
tr -d '\r' < "$work/progress" | awk -v tag="[vm $name]" '
	/^@@ boot / { print tag " booted " $3; fflush(); next }
	/^@@ begin / { split($3, a, ":"); step = a[2] " " a[3]; next }
	/^@@ end / { split($3, a, ":"); if ($4 != 0) print tag " FAILED " a[2] " " a[3] " (exit " $4 ")";
		     else if (a[2] != "kselftest" && a[2] != "kunit") print tag " ok " a[2] " " a[3]; fflush(); next }
	/^@@ ktap-begin / { print tag " kunit suite " $3; fflush(); next }
	/^@@ verdict / { print tag " guest verdict: " $3; fflush(); next }
	/^@@/ { next }
	/^[ \t]*(not )?ok [0-9]/ { print tag "   " $0; fflush(); next }
	step ~ /^(run|insmod)/ { print tag "   " $0; fflush() }
' &
awk_pid=$!
set +e
timeout -k 10 "$vm_timeout" "${qemu[@]}" -serial file:"$console" -serial file:"$results" \
	-append "$cmdline" < /dev/null > "$work/qemu.out" 2>&1
qemu_rc=$?
# A guest kernel that dies before init ran ran nothing of kipc's: multi-threaded TCG now and
# then trips the kernel's own boot-time code patching (an int3 Oops in sched_clock_cpu was
# seen on 6.12).  Boot it once more, keeping the first console, and say so; a second such
# death is a failure like any other.
if ! grep -q 'kipc-vm: init start' "$console" && [ ! -s "$results" ]; then
	mv "$console" "$work/console.first-boot.log"
	say "the $kernel kernel died before init ran (nothing of kipc had run; see" \
		"$work/console.first-boot.log): booting it once more"
	: > "$console"
	timeout -k 10 "$vm_timeout" "${qemu[@]}" -serial file:"$console" -serial file:"$results" \
		-append "$cmdline" < /dev/null > "$work/qemu.out" 2>&1
	qemu_rc=$?
fi
set -e
sleep 0.5
kill "$tail_pid" 2>/dev/null || true
wait "$tail_pid" "$awk_pid" 2>/dev/null || true
secs=$(( $(date +%s) - start ))

# ---- the verdict -----------------------------------------------------------------------------
tr -d '\r' < "$results" > "$work/results.txt"
reasons=()
case $qemu_rc in
1) ;;
3) reasons+=("the guest reported a failure") ;;
124|137) reasons+=("timed out after ${vm_timeout}s") ;;
0) reasons+=("the guest gave no verdict (panic, or power-off before the end)") ;;
*) reasons+=("QEMU exited $qemu_rc: $(tail -3 "$work/qemu.out" | tr '\n' ' ')") ;;
esac
grep -q '^@@ verdict pass' "$work/results.txt" || reasons+=("no pass verdict from the guest")
while read -r _ _ step rc; do
	reasons+=("step $step exited $rc")
done < <(grep -E '^@@ end .* [1-9][0-9]*$' "$work/results.txt" || true)
nots=$(grep -cE '^[[:space:]]*not ok [0-9]' "$work/results.txt" || true)
[ "$nots" -eq 0 ] || reasons+=("$nots 'not ok' line(s)")

# Files the guest exported ("export DIR" steps) land in $work/export.
if grep -q '^@@ export-begin' "$work/results.txt"; then
	mkdir -p "$work/export"
	sed -n '/^@@ export-begin/,/^@@ export-end/{/^@@/d;p}' "$work/results.txt" |
		base64 -d | tar -C "$work/export" -xf - ||
		reasons+=("the guest's exported files do not unpack")
fi

# KUnit: each suite's KTAP through the kernel's own parser.
ksrc=$(readlink -f "$CACHE/src/current")
kunit_suites=0
awk -v dir="$work" '/^@@ ktap-begin /{f=dir "/ktap-" $3 ".txt"; next} /^@@ ktap-end/{f=""; next} f{print > f}' \
	"$work/results.txt"
for k in "$work"/ktap-*.txt; do
	[ -f "$k" ] || continue
	kunit_suites=$((kunit_suites + 1))
	if ! python3 "$ksrc/tools/testing/kunit/kunit.py" parse "$k" > "$k.parsed" 2>&1; then
		reasons+=("kunit.py rejects $(basename "$k" .txt): see $k.parsed")
	fi
	sed 's/^/  /' "$k.parsed" | grep -E 'PASSED|FAILED|SKIPPED|Testing complete|CRASHED' | sed "s/^/[vm $name] /" || true
done
if grep -q '^kunit ' "$work/plan" && [ $kunit_suites -eq 0 ]; then
	reasons+=("the plan runs KUnit but no suite reported")
fi

# The kernel log, from the moment init started.
bad='WARNING:|BUG[: ]|Oops|KASAN|lockdep|possible recursive locking|possible circular locking|Call Trace|suspected memory leak|unreferenced object|Kernel panic|general protection fault|UBSAN|stack-protector|soft lockup|hung_task|blocked for more than'
tr -d '\r' < "$console" | sed -n '/kipc-vm: init start/,$p' > "$work/kernel.log"
# An OOM kill is what a memory cgroup limit does (kipc_isolation_test provokes it on purpose),
# and its report always carries a stack dump.  That dump is not trouble when the test's own
# process invoked the OOM killer and the kill was a memory cgroup's (CONSTRAINT_MEMCG): only
# its dump-shaped lines are set aside (the CPU/Comm and hardware lines, "Call Trace:", frames,
# <TASK>/<IRQ> markers, registers), the first other line ends the dump and is judged, and the
# lines set aside are judged after all when the kill was not a memcg's.
awk '
function body(l) { sub(/^\[ *[0-9.]+\] /, "", l); return l }
/ kipc_isolation_ invoked oom-killer: / { dump = 1; held = ""; pending = 1; print; next }
dump {
	b = body($0)
	if (b ~ /^CPU: [0-9]+ (UID: [0-9]+ )?PID: [0-9]+ Comm: kipc_isolation_ / ||
	    b ~ /^Hardware name: / || b ~ /^Tainted: / ||
	    b ~ /^Call Trace:$/ || b ~ /^ *<\/?(TASK|IRQ)>$/ ||
	    b ~ /^ +(\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+( \[[a-z0-9_]+\])?$/ ||
	    b ~ /^(RIP|Code|RSP|RAX|RDX|RBP|R10|R13): /) { held = held $0 "\n"; next }
	dump = 0
}
pending && /oom-kill:constraint=/ {
	if ($0 !~ /constraint=CONSTRAINT_MEMCG,/) printf "%s", held
	held = ""; pending = 0
}
{ print }
END { printf "%s", held }' "$work/kernel.log" > "$work/kernel.judged.log"
if grep -qE "$bad" "$work/kernel.judged.log"; then
	reasons+=("the kernel log reports trouble:")
	while read -r l; do reasons+=("    $l"); done < <(grep -E "$bad" "$work/kernel.judged.log" | head -8)
fi
grep -q 'kipc-vm: init start' "$console" || reasons+=("init never started (see $console)")
# The boot before init: nothing kipc did, but a report there taints the kernel and a taint turns
# lockdep off for the whole run, so the run would prove less than it says.
boot_bad='WARNING:|BUG[: ]|Oops|KASAN:|Call Trace|Disabling lock debugging|general protection fault'
if tr -d '\r' < "$console" | sed '/kipc-vm: init start/q' | grep -qE "$boot_bad"; then
	reasons+=("the kernel reported trouble while booting, before init (lockdep may be off):")
	while read -r l; do reasons+=("    $l"); done < <(tr -d '\r' < "$console" |
		sed '/kipc-vm: init start/q' | grep -E "$boot_bad" | head -4)
fi

# Counts for the summary: kselftest cases, KUnit cases, and the other plan steps.
counts=$(awk '
	/^@@ begin / { split($3, a, ":"); kind = a[2]; next }
	/^@@ end / { split($3, a, ":"); if (a[2] !~ /^kselftest/ && a[2] != "kunit") { if ($4 == 0) p++; else f++ } next }
	kind ~ /^kselftest/ && /^ok [0-9]+ .*# SKIP/ { s++; next }
	kind ~ /^kselftest/ && /^ok [0-9]/ { p++; next }
	kind ~ /^kselftest/ && /^not ok [0-9]/ { f++; next }
	kind == "kunit" && /^    ok [0-9]+ .*# SKIP/ { s++; next }
	kind == "kunit" && /^    ok [0-9]/ { p++; next }
	kind == "kunit" && /^    not ok [0-9]/ { f++; next }
	END { printf "%d %d %d\n", p, f, s }' "$work/results.txt")
read -r npass nfail nskip <<< "$counts"
[ ${#reasons[@]} -eq 0 ] || nfail=$((nfail + 1))

if [ ${#reasons[@]} -eq 0 ] && [ "$plan" = demo ] && [ -f "$work/export/results.csv" ]; then
	# The main job's folder is named for the mode; a run given its own --name keeps its own.
	if [ "$name" = "$kernel-demo" ]; then dest="$BUILD/bench/vm-$mode"; else dest="$BUILD/bench/$name"; fi
	rm -rf "$dest"
	mkdir -p "$(dirname "$dest")"
	cp -r "$work/export" "$dest"
	"$BUILD/bench/kipc-bench" --plot "$dest" > "$dest/plot.log" 2>&1 ||
		reasons+=("gnuplot failed: see $dest/plot.log")
	cat "$dest/table.txt"
	say "the comparison (table, CSV, JSON, plots) is in $dest"
fi
if [ ${#reasons[@]} -eq 0 ]; then
	say "PASS in ${secs}s: $npass passed, $nfail failed, $nskip skipped"
	[ -n "${KIPC_EXPECT_FAIL:-}" ] || echo "$npass $nfail $nskip" > "$BUILD/results/vm-$name.count"
	exit 0
fi
say "FAIL in ${secs}s:"
for r in "${reasons[@]}"; do say "  $r"; done
say "serial console (kernel log): $console"
say "results channel: $work/results.txt"
[ -n "${KIPC_EXPECT_FAIL:-}" ] || echo "$npass $nfail $nskip" > "$BUILD/results/vm-$name.count"
exit 1
