#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kipcctl in the test VM (run.sh's plan "kipcctl"), on this checkout installed with PREFIX=/usr
# into the initramfs: the module goes in and out through kipcctl (libkmod), by path and by name;
# channels are created, listed, used through stdin and stdout, watched and removed; and each
# error gives its one documented line on stderr and its exit code (kipcctl(8)).
# Starts with the module not loaded.  TAP on stdout; exit 0 when every case passed.
PATH=/usr/bin:/usr/sbin:/bin:/sbin
export PATH
[ "$(command -v kipcctl)" = /usr/bin/kipcctl ] || { echo "not ok 1 - no installed kipcctl"; exit 1; }
KO=/lib/kipc/kipc.ko
T=/tmp/kipcctl-test
mkdir -p $T
n=0
failed=0

result() {	# result OK DESCRIPTION: one TAP line; the last command's output on failure
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
		return 0
	fi
	echo "not ok $n - $2"
	sed 's/^/#   out: /' $T/out
	sed 's/^/#   err: /' $T/err
	failed=1
	return 1
}

# expect CODE PATTERN CMD...: CMD exits CODE, and PATTERN (an ERE, may be empty) matches its
# stdout or stderr.  A failure must be exactly one line on stderr, "kipcctl: ...".
expect() {
	code=$1 pattern=$2 ok=0
	shift 2
	"$@" > $T/out 2> $T/err
	rc=$?
	[ $rc -eq "$code" ] || { ok=1; echo "exit $rc, expected $code" >> $T/err; }
	[ -z "$pattern" ] || grep -qE -- "$pattern" $T/out $T/err || ok=1
	if [ "$code" -ne 0 ] && [ $rc -eq "$code" ]; then
		[ "$(wc -l < $T/err)" -eq 1 ] && grep -q '^kipcctl: ' $T/err || ok=1
	fi
	result $ok "$* -> exit $code${pattern:+, /$pattern/}"
}

# has DESCRIPTION PATTERN: the last command's stdout matches PATTERN (an ERE).
has() {
	grep -qE -- "$2" $T/out
	result $? "$1"
}

# same DESCRIPTION FILE: the last command's stdout is FILE, byte for byte.
same() {
	cmp -s "$2" $T/out
	result $? "$1"
}

# shellcheck disable=SC2317 # called through expect
as_nobody() {	# CMD as uid/gid 65534
	su nobody -s /bin/sh -c "PATH=$PATH; $*"
}

echo "TAP version 13"

# ---- no module yet: each error says what to do -------------------------------------------------
expect 2 "^kipcctl: status: the module is not loaded \(load it with 'kipcctl load'" kipcctl status
expect 2 "^kipcctl: ls: .*the module is not loaded \(load it with 'kipcctl load'" kipcctl ls
expect 2 "^kipcctl: unload: the module is not loaded" kipcctl unload
expect 2 "^kipcctl: load: /lib/kipc/nope.ko does not exist: build the module with 'make module'" \
	kipcctl load /lib/kipc/nope.ko
expect 2 "^kipcctl: load: module 'kipc-nope' is not installed for kernel $(uname -r): install it with 'make install' or 'make dkms-install'" \
	kipcctl load kipc-nope
expect 3 "^kipcctl: load: loading a module needs root: run 'sudo kipcctl load'" \
	as_nobody kipcctl load $KO
expect 8 "^kipcctl: load: the kernel refused it: max_msgs must be 1\.\.[0-9]+; .0' invalid for parameter .max_msgs'$" \
	kipcctl load $KO max_msgs=0
expect 8 "^kipcctl: load: the kernel refused it: .*max_msgs" kipcctl load $KO max_msgs=lots
expect 1 "^kipcctl: load: unknown parameter 'max_msg': kipc's are .*max_msgs" \
	kipcctl load $KO max_msg=512
expect 2 "^kipcctl: status: the module is not loaded" kipcctl status

# ---- load by path, with a parameter -------------------------------------------------------------
expect 0 "^loaded $KO max_msgs=512\$" kipcctl load $KO max_msgs=512
expect 5 "^kipcctl: load: the module is already loaded" kipcctl load $KO
expect 0 "" kipcctl status
has "status: loaded" "^module +kipc, loaded \(live\)$"
has "status: the version" "^version +0\.1$"
has "status: the refcount" "^refcount +0$"
has "status: the parameter given" "^parameters .* max_msgs=512( |$)"
has "status: the device node" "^device +/dev/kipc: mode 0666, owner root, group root$"
has "status: the features" "^features +info mq batch call shm doorbell user-limits abstime mq-notify rlimit stat-access \(0x7ff\)$"
has "status: the namespace's channels" "^namespace +[0-9]+ of [0-9]+ channels in this IPC namespace$"
has "status: the user's usage" "^user +uid 0: [0-9]+ of 256 channels, [0-9]+ of 268435456 shared-page bytes, [0-9]+ of [0-9]+ queued bytes$"

# ---- create, ls, stat ---------------------------------------------------------------------------
expect 0 "^mq demo: id [0-9]+ \(created\)$" \
	kipcctl create mq demo --mode 0600 --max-msgs 4 --max-msg-size 128 --overflow fail
expect 5 "^kipcctl: create demo: a channel of that name already exists" kipcctl create mq demo --excl
expect 0 "^mq demo: id [0-9]+ \(exists, opened\)$" kipcctl create mq demo
expect 0 "^shm pages: id [0-9]+ \(created\)$" kipcctl create shm pages --size 8K --mode 0644
expect 1 "^kipcctl: create: a shm channel needs --size BYTES" kipcctl create shm nosize
expect 1 "^kipcctl: create: 'bad name' is not a channel name: a name is 1 to 63 bytes of A-Z a-z 0-9 \. _ : @ -" \
	kipcctl create mq "bad name"
expect 1 "^kipcctl: stat: 'a/b' is not a channel name" kipcctl stat a/b
expect 1 "^kipcctl: rm: '' is not a channel name" kipcctl rm demo ""
expect 1 "^kipcctl: send: '$(printf 'x%.0s' $(seq 64))' is not a channel name" \
	kipcctl send "$(printf 'x%.0s' $(seq 64))"
expect 8 "^kipcctl: create big: --max-msgs 1000 is above the module's max_msgs 512$" \
	kipcctl create mq big --max-msgs 1000
expect 8 "^kipcctl: create big: --size 64 GiB is above the module's max_shm_size [0-9]+ [KMG]iB$" \
	kipcctl create shm big --size 64G
expect 0 "" kipcctl ls
has "ls: the header" "^TYPE +NAME +ID +OWNER +MODE +DEPTH/SIZE +ATTACH$"
has "ls: the queue" "^mq +demo +[0-9]+ root +0600 +0 +0$"
has "ls: the shared pages" "^shm +pages +[0-9]+ root +0644 +8192 +0$"
expect 0 "" kipcctl ls --json
has "ls --json: the queue" '^ \{"type": "mq", "name": "demo", "id": [0-9]+, "uid": 0, "owner": "root", "gid": 0, "group": "root", "mode": "0600", "depth": 0, "attachments": 0\},$'
has "ls --json: the shared pages" '^ \{"type": "shm", "name": "pages", .*"size": 8192, "attachments": 0\}$'
expect 0 "^size +8192$" kipcctl stat pages
expect 0 '"doorbell": 0\}$' kipcctl stat --json pages
expect 4 "^kipcctl: stat nope: no such channel \(see 'kipcctl ls'\)$" kipcctl stat nope

# ---- send and recv through stdin and stdout -----------------------------------------------------
expect 0 "" sh -c "echo hello | kipcctl send demo --prio 5"
expect 0 "" sh -c "echo second | kipcctl send demo"
expect 0 "" kipcctl stat demo
has "stat: depth" "^depth +2$"
has "stat: sent" "^sent +2$"
has "stat: the overflow policy" "^overflow +fail$"
expect 0 "" kipcctl recv demo --prio
printf '5\nhello\n' > $T/want
same "recv --prio: the priority, then the payload of the higher priority" $T/want
expect 0 "" kipcctl recv demo
echo second > $T/want
same "recv: the payload" $T/want
expect 7 "^kipcctl: recv demo: would block: the queue is empty$" kipcctl recv demo --nonblock
expect 7 "^kipcctl: recv demo: timed out$" kipcctl recv demo --timeout 100
expect 7 "^kipcctl: recv demo: timed out$" kipcctl recv demo --timeout 0
for i in 1 2 3 4; do echo "$i" | kipcctl send demo; done
expect 7 "^kipcctl: send demo: would block: queue full: 4 of 4 messages$" \
	sh -c "echo 5 | kipcctl send demo"
expect 8 "^kipcctl: send demo: message of 129 bytes is above max_msg_size 128 bytes$" \
	sh -c "head -c 129 /dev/zero | kipcctl send demo"
expect 8 "^kipcctl: send demo: message of 2 MiB is above max_msg_size 128 bytes$" \
	sh -c "head -c 2097152 /dev/zero | kipcctl send demo"
expect 0 "^mq bin: id" kipcctl create mq bin
head -c 65536 /dev/urandom > $T/want
expect 0 "" sh -c "kipcctl send bin < $T/want"
expect 0 "" kipcctl recv bin
same "a 64 KiB binary message comes back intact" $T/want
expect 0 "" kipcctl rm bin

# ---- watch --------------------------------------------------------------------------------------
expect 0 "" kipcctl watch demo --interval 100 --count 3
has "watch mq: the header" "^TIME +DEPTH +SENT +RECEIVED +DROPPED +ATTACH$"
has "watch mq: the counters" "^[0-9:]+ +4 +6 +2 +0 +0$"
[ "$(wc -l < $T/out)" -eq 4 ]
result $? "watch --count 3: three lines after the header"
expect 0 "" kipcctl watch pages --interval 100 --count 2
has "watch shm: the header" "^TIME +MAPPINGS +NOTIFIES +WAITS +DOORBELL +ATTACH$"
has "watch shm: the counters" "^[0-9:]+ +0 +0 +0 +0 +0$"

# ---- permissions, as uid 65534 ------------------------------------------------------------------
expect 0 "demo" as_nobody kipcctl ls
expect 3 "^kipcctl: send demo: permission denied: the channel's mode does not let this user" \
	as_nobody "echo x | kipcctl send demo"
expect 3 "^kipcctl: recv demo: permission denied" as_nobody kipcctl recv demo --nonblock
expect 3 "^kipcctl: rm pages: permission denied: only the channel's owner or creator, or root" \
	as_nobody kipcctl rm pages
expect 3 "^kipcctl: unload: unloading a module needs root: run 'sudo kipcctl unload'" \
	as_nobody kipcctl unload

# ---- autodestroy: the channel lives as long as the command that holds it ------------------------
expect 0 "^state +linked,autodestroy$" kipcctl create mq held --autodestroy -- kipcctl stat held
has "autodestroy: the command holds an attachment" "^attachments +1$"
expect 4 "^kipcctl: stat held: no such channel" kipcctl stat held
expect 1 "^kipcctl: create: --autodestroy needs a command" kipcctl create mq held --autodestroy

# ---- the device node gone while the module is loaded --------------------------------------------
mv /dev/kipc /dev/kipc.away
expect 2 "^kipcctl: ls: /dev/kipc is missing although the module is loaded: start udev, or create it with 'mknod -m 0666 /dev/kipc c 10 [0-9]+'$" \
	kipcctl ls
mv /dev/kipc.away /dev/kipc

# ---- unload while in use ------------------------------------------------------------------------
# shellcheck disable=SC2217 # sleep only holds the device open
sleep 1000 < /dev/kipc &
holder=$!
sleep 0.2
expect 6 "^kipcctl: unload: the module is in use \(refcount 1\): end the programs that have /dev/kipc open" \
	kipcctl unload
kill $holder
wait $holder 2>/dev/null
expect 6 "^kipcctl: unload: 2 channels left in this IPC namespace \(1 message queue holding 4 messages, 1 shared-page channel of 8 KiB\): remove them with 'kipcctl rm', or unload with them, and what they hold, with 'kipcctl unload --force'$" \
	kipcctl unload
expect 0 "^parameters " kipcctl status

# ---- rm, unload ---------------------------------------------------------------------------------
expect 4 "^kipcctl: rm nope: no such channel" kipcctl rm nope
expect 0 "" kipcctl rm demo
expect 0 "" kipcctl rm --now pages
expect 0 "" kipcctl ls --json
printf '[]\n' > $T/want
same "ls --json with no channels: []" $T/want
expect 0 "" kipcctl unload
expect 2 "^kipcctl: status: the module is not loaded" kipcctl status

# ---- load by name: the module make install put in /lib/modules, found through depmod's index ----
expect 0 "^loaded /lib/modules/$(uname -r)/extra/kipc.ko max_channels=16\$" kipcctl load max_channels=16
expect 0 "^parameters .*max_channels=16( |$)" kipcctl status
expect 0 "^mq left: id" kipcctl create mq left
expect 0 "" sh -c "echo kept | kipcctl send left"
expect 6 "^kipcctl: unload: 1 channel left in this IPC namespace \(1 message queue holding 1 message, 0 shared-page channels of 0 bytes\)" \
	kipcctl unload
expect 1 "^kipcctl: unload: unexpected argument 'now'" kipcctl unload now
expect 0 "" kipcctl unload --force
expect 2 "^kipcctl: status: the module is not loaded" kipcctl status

# ---- --help everywhere --------------------------------------------------------------------------
for c in load unload status ls stat create rm send recv watch; do
	expect 0 "^Usage: kipcctl $c" kipcctl $c --help
done
expect 0 "^Usage: kipcctl COMMAND" kipcctl --help
for c in load unload status ls stat create rm send recv watch; do
	has "kipcctl --help: one line for $c" "^  $c +[a-z]"
done
expect 1 "^kipcctl: unknown command 'frob' \(see 'kipcctl --help'\)$" kipcctl frob

echo "1..$n"
exit $failed
