#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the kipc test VM (busybox).  Runs the steps in /plan, one per line:
#   insmod KO [PARAM=V...]         load a module; must succeed
#   insmod-fails KO PARAM=V...     loading must fail, the kernel refusing each PARAM
#   rmmod NAME                     unload; must succeed
#   rmmod-fails NAME               unloading must be refused (the module is in use)
#   kunit KO                       load a KUnit module, report each suite's KTAP, unload it
#   kselftest PROG [ARGS]          run a kselftest program (exit 0 or 4)
#   kselftest-injected PROG        the same under fault injection (KIPC_FAULT_INJECT=1)
#   kselftest-preload LIB PROG [ARGS]  run a kselftest program plain, then with LD_PRELOAD=LIB
#                                  (and KIPC_PRELOADED=LIB, for its cases that only then
#                                  apply): the second run's results are the step's, and each
#                                  result of the first must be the same in it
#   run PROG [ARGS]                run a program; must exit 0
#   hold PATH                      keep PATH open in a background process
#   background PROG                start PROG in the background and wait (10 s at most) for it
#                                  to create /tmp/PROG.ready; "release" ends it
#   release                        end every process that "hold" or "background" started
#   kmemleak                       scan for leaks; any report fails the step
#   failinject PERCENT|off         failslab, fail_page_alloc and fail_usercopy at PERCENT for
#                                  tasks marked make-it-fail (debug kernel), or off
#   inject PROG [ARGS]             run PROG with KIPC_FAULT_INJECT=1 (it marks itself
#                                  make-it-fail); its exit status is not judged
#                                  (only the kernel's log is), but it must end in time
#   export DIR                     send DIR's files to the host (tar, base64, between markers)
#   shell                          hand the console to a person
# Structured results go to /dev/ttyS1 ("@@" lines frame each step); the kernel log goes to the
# console on ttyS0.  The verdict leaves through isa-debug-exit: QEMU exits 1 for pass, 3 for fail.
export PATH=/bin:/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /dev/mqueue
mount -t tmpfs tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
# The TCP backend runs over loopback.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

R=/dev/ttyS1
stty -F $R -opost 2>/dev/null
exec 3>$R
STEP_TIMEOUT=$(sed -n 's/.*kipc.step_timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
STEP_TIMEOUT=${STEP_TIMEOUT:-300}
failed=0
holders=

say() { echo "$*" >&3; }
kmsg() { echo "kipc-vm: $*" > /dev/kmsg; }

[ -w /sys/kernel/debug/kmemleak ] && echo clear > /sys/kernel/debug/kmemleak
kmsg "init start"
say "@@ boot $(uname -r)"

end_step() {
	say "@@ end $1 $2"
	kmsg "step $1 rc=$2"
	[ "$2" -eq 0 ] || failed=1
}

n=0
while read -r kind arg rest <&4; do
	case "$kind" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	name="$n:$kind:$(basename "${arg:-none}")"
	say "@@ begin $name"
	kmsg "step $name"
	case "$kind" in
	insmod)
		insmod "$arg" $rest >&3 2>&3
		end_step "$name" $?
		;;
	insmod-fails)
		# It must fail for the parameter's sake: a module built for another kernel fails
		# too ("Invalid module format"), and would pass for the wrong reason.
		before=$(dmesg | wc -l)
		if insmod "$arg" $rest >&3 2>&3; then
			say "loading with '$rest' succeeded but should have failed"
			rmmod "$(basename "$arg" .ko)"
			end_step "$name" 1
		else
			rc=0
			for p in $rest; do
				if ! dmesg | tail -n +"$((before + 1))" |
					grep -q "invalid for parameter .${p%%=*}."; then
					say "loading with '$p' failed, but the kernel did not refuse the parameter:"
					dmesg | tail -n +"$((before + 1))" | sed 's/^/  /' >&3
					rc=1
				fi
			done
			end_step "$name" $rc
		fi
		;;
	rmmod)
		rmmod "$arg" >&3 2>&3
		end_step "$name" $?
		;;
	rmmod-fails)
		if rmmod "$arg" >&3 2>&3; then
			say "rmmod $arg succeeded but the module is in use"
			end_step "$name" 1
		else
			end_step "$name" 0
		fi
		;;
	kunit)
		rc=0
		insmod "$arg" >&3 2>&3 || rc=$?
		for d in /sys/kernel/debug/kunit/*; do
			[ -f "$d/results" ] || continue
			say "@@ ktap-begin $(basename "$d")"
			cat "$d/results" >&3
			say "@@ ktap-end"
		done
		[ $rc -eq 0 ] && { rmmod "$(basename "$arg" .ko)" >&3 2>&3 || rc=$?; }
		end_step "$name" $rc
		;;
	kselftest)
		timeout -s KILL "$STEP_TIMEOUT" $arg $rest </dev/null >&3 2>&3
		rc=$?
		[ $rc -eq 4 ] && rc=0
		end_step "$name" $rc
		;;
	kselftest-preload)
		set -- $rest
		timeout -s KILL "$STEP_TIMEOUT" "$@" </dev/null > /tmp/plain.tap 2>&1
		plain_rc=$?
		LD_PRELOAD=$arg KIPC_PRELOADED=$arg timeout -s KILL "$STEP_TIMEOUT" "$@" \
			</dev/null > /tmp/preload.tap 2>&1
		rc=$?
		[ $rc -eq 4 ] && rc=0
		cat /tmp/preload.tap >&3
		# The verdicts, case by case, but for those that apply only when preloaded.
		for f in plain preload; do
			grep -E '^(not )?ok [0-9]+ ' /tmp/$f.tap | grep -v ' kipc-only: ' > /tmp/$f.verdicts
		done
		if ! diff /tmp/plain.verdicts /tmp/preload.verdicts > /tmp/verdicts.diff; then
			say "# with LD_PRELOAD=$arg the results differ from the plain run's (exit $plain_rc):"
			sed 's/^/# /' /tmp/verdicts.diff >&3
			rc=1
		elif [ ! -s /tmp/plain.verdicts ]; then
			say "# the plain run reported nothing (exit $plain_rc):"
			sed 's/^/# /' /tmp/plain.tap >&3
			rc=1
		fi
		end_step "$name" $rc
		;;
	run)
		timeout -s KILL "$STEP_TIMEOUT" $arg $rest </dev/null >&3 2>&3
		end_step "$name" $?
		;;
	hold)
		sleep 100000 < "$arg" &
		holders="$holders $!"
		# The child opens $arg after the fork: wait for the open, or the next step (an
		# rmmod that must fail) can run before it and succeed.
		rc=1
		i=0
		while [ $i -lt 100 ]; do
			[ "$(readlink "/proc/$!/fd/0")" = "$arg" ] && { rc=0; break; }
			sleep 0.05
			i=$((i + 1))
		done
		end_step "$name" $rc
		;;
	background)
		b=$(basename "$arg")
		rm -f "/tmp/$b.ready"
		$arg $rest </dev/null >&3 2>&3 &
		holders="$holders $!"
		rc=1
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			[ -e "/tmp/$b.ready" ] && { rc=0; break; }
			sleep 0.5
		done
		end_step "$name" $rc
		;;
	release)
		rc=0
		for p in $holders; do kill "$p" && wait "$p"; done
		holders=
		end_step "$name" $rc
		;;
	kmemleak)
		rc=0
		if [ -w /sys/kernel/debug/kmemleak ]; then
			# Objects younger than 5 s are never reported: let ours age first.
			sleep 6
			echo scan > /sys/kernel/debug/kmemleak
			echo scan > /sys/kernel/debug/kmemleak
			# debugfs files report size 0: read it to know whether it says anything.
			if [ -n "$(cat /sys/kernel/debug/kmemleak)" ]; then
				cat /sys/kernel/debug/kmemleak >&3
				cat /sys/kernel/debug/kmemleak > /dev/kmsg
				rc=1
			fi
		else
			say "kmemleak is not in this kernel"
		fi
		end_step "$name" $rc
		;;
	failinject)
		rc=0
		for f in failslab fail_page_alloc fail_usercopy; do
			d=/sys/kernel/debug/$f
			[ -d $d ] || { say "no $d in this kernel"; rc=1; continue; }
			if [ "$arg" = off ]; then
				echo 0 > $d/probability
				continue
			fi
			# verbose=0: a stack trace per injected failure would read as a kernel
			# problem to the runner.  The sleeping allocations matter most here.
			echo Y > $d/task-filter
			echo 0 > $d/verbose
			echo 1 > $d/interval
			echo -1 > $d/times
			[ -e $d/ignore-gfp-wait ] && echo N > $d/ignore-gfp-wait
			[ -e $d/ignore-gfp-highmem ] && echo N > $d/ignore-gfp-highmem
			echo "$arg" > $d/probability
		done
		end_step "$name" $rc
		;;
	kselftest-injected)
		# A test whose verdict holds under injection (it allows ENOMEM and EFAULT).
		KIPC_FAULT_INJECT=1 timeout -s KILL "$STEP_TIMEOUT" $arg $rest </dev/null >&3 2>&3
		rc=$?
		[ $rc -eq 4 ] && rc=0
		end_step "$name" $rc
		;;
	inject)
		# Its verdicts mean nothing under injection: prefix them so none reads as TAP.
		# The program marks itself make-it-fail once started (see kipc_selftest.h).
		KIPC_FAULT_INJECT=1 timeout -s KILL "$STEP_TIMEOUT" $arg $rest </dev/null > /tmp/inject.out 2>&1
		rc=$?
		sed 's/^/inject| /' /tmp/inject.out >&3
		say "(exit $rc under fault injection)"
		[ $rc -eq 137 ] && say "timed out under fault injection"
		end_step "$name" $([ $rc -eq 137 ] && echo 1 || echo 0)
		;;
	export)
		rc=0
		say "@@ export-begin"
		tar -C "$arg" -cf - . | base64 >&3 || rc=1
		say "@@ export-end"
		end_step "$name" $rc
		;;
	shell)
		say "@@ shell"
		if [ -d /sys/module/kipc ]; then
			echo "kipc test VM: the module is loaded. 'poweroff -f' (or Ctrl-a x) leaves."
		else
			echo "kipc test VM: this checkout is installed under /usr and the module is not"
			echo "loaded: 'kipcctl load' loads it, as the README's walk does (you are root;"
			echo "sudo passes through).  'poweroff -f' (or Ctrl-a x) leaves."
		fi
		PATH=/usr/bin:/usr/sbin:/bin:/sbin USER=root HOME=/ \
			setsid cttyhack sh </dev/console >/dev/console 2>&1
		end_step "$name" 0
		;;
	*)
		say "unknown plan step: $kind"
		end_step "$name" 1
		;;
	esac
done 4< /plan

if [ $failed -eq 0 ]; then
	say "@@ verdict pass"
	v=0
else
	say "@@ verdict fail"
	v=1
fi
kmsg "done"
sync
# Let the results channel drain before the verdict ends QEMU.
sleep 1
# isa-debug-exit at 0xf4: QEMU exits with (value << 1) | 1.  busybox printf stops at a NUL,
# so the byte comes from a file.
head -c 1 /dev/zero > /tmp/verdict
[ "$v" = 1 ] && printf '\001' > /tmp/verdict
dd if=/tmp/verdict of=/dev/port bs=1 seek=244 count=1 conv=notrunc 2>/dev/null
kmsg "isa-debug-exit did not end the VM; powering off"
poweroff -f
