#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A build against a kernel outside the supported range stops before it compiles anything, with
# one sentence naming the range.  There is no such tree here, so the stock 6.1 tree is made to
# say another version (Kbuild's VERSION and PATCHLEVEL on the command line): module/compat.mk's
# check reads exactly those.  The real version builds, so the check is not simply always on.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
: "${KDIR:?run through make range-check}"
. "$top/tests/packaging/tap.sh"

stage=$BUILD/range-check
sentence='kipc supports Linux 6.1 to 7.x (tested on 6.1, 6.12 and 7.2)'

# build VERSION PATCHLEVEL: a fresh copy of the sources built against KDIR as that version.
build() {
	rm -rf "$stage" && mkdir -p "$stage" &&
		(cd "$top" && rsync -aR Kbuild VERSION module uapi "$stage/") &&
		make -s -C "$KDIR" M="$stage" VERSION="$1" PATCHLEVEL="$2" modules 2>&1
}

refused() {	# refused VERSION PATCHLEVEL: fails, says the range and the version, compiles nothing
	local out objs
	if out=$(build "$1" "$2"); then
		echo "built against a tree that says $1.$2"
		return 1
	fi
	grep -qF "$sentence; the tree in" <<< "$out" && grep -q "is Linux $1\.$2\." <<< "$out" ||
		{ echo "$out"; return 1; }
	objs=$(find "$stage" -name '*.o' | head -3)
	[ -z "$objs" ] || { echo "compiled before it stopped: $objs"; return 1; }
}

for v in "5 15" "6 0" "8 0" "9 3"; do
	# shellcheck disable=SC2086
	check "a build against Linux ${v/ /.} stops at once, naming the range" refused $v
done
real=$(sed -n 's/^VERSION = //p' "$KDIR/Makefile" "$KDIR"/../*-common/Makefile 2>/dev/null | head -1)
check "the same tree as itself (Linux $real.x) builds" \
	bash -c "out=\$(make -s -C '$KDIR' M='$stage' modules 2>&1) && test -f '$stage/module/kipc.ko' || { echo \"\$out\"; exit 1; }"
rm -rf "$stage"
finish range
