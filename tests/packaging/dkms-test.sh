#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS builds the module against the stock Debian headers, from the sources `make dkms-check`
# staged in $BUILD/dkms/source/kipc-$VERSION, in a DKMS tree of its own under $BUILD: the
# system's /var/lib/dkms and /usr/src are not touched; and against Debian 12's 6.12 when
# LTS_KDIR names its unpacked headers, and against the newest (the debug kernel's build) when
# NEWEST_KDIR names it.  Also checks that dkms.conf's kernel range takes every 6.1.x, 6.12.x
# and 7.x and nothing else.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
: "${VERSION:?run through make dkms-check}" "${KDIR:?run through make dkms-check}"
. "$top/tests/packaging/tap.sh"
command -v dkms >/dev/null || { echo "dkms-check: no dkms here (run make deps)"; exit 1; }

kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
source_tree=$BUILD/dkms/source
tree=$BUILD/dkms/tree
rm -rf "$tree"
mkdir -p "$tree"
dkms_() { dkms "$@" -m kipc -v "$VERSION" --sourcetree "$source_tree" --dkmstree "$tree"; }

conf_version() {	# what dkms.conf, sourced as dkms sources it, says the version is
	(set +u; cd / && . "$source_tree/kipc-$VERSION/dkms.conf" && echo "$PACKAGE_VERSION")
}
check "dkms.conf reads version $VERSION from VERSION, the one place it is kept" \
	test "$(conf_version)" = "$VERSION"
in_range() {	# in_range KVER: does dkms.conf's BUILD_EXCLUSIVE_KERNEL take it?
	# shellcheck disable=SC1091
	(set +u; . "$top/dkms.conf" && [[ $1 =~ $BUILD_EXCLUSIVE_KERNEL ]])
}
for k in $(printf "%s\n" 6.1.0-56-amd64 6.1.192 6.12.117+deb12-amd64 6.12.0 7.2.13 7.0.0 7.10.1-amd64 "$kver" | sort -u); do
	check "dkms.conf supports kernel $k" in_range "$k"
done
out_of_range() { ! in_range "$1"; }
for k in 6.10.0-1-amd64 6.2.0 6.0.19 5.10.0-30-amd64 6.11.0 6.13.0 6.120.0 8.0.0 17.1.0; do
	check "dkms.conf excludes kernel $k" out_of_range "$k"
done
check "dkms add" dkms_ add
check "dkms build -k $kver (against $KDIR)" dkms_ build -k "$kver" --kernelsourcedir "$KDIR"
ko=$tree/kipc/$VERSION/$kver/$(uname -m)/module/kipc.ko
check "dkms built $ko" test -f "$ko"
check "its vermagic is $kver" bash -c "modinfo -F vermagic '$ko' | grep -q '^$kver '"
check "its version is $VERSION" test "$(modinfo -F version "$ko" 2>/dev/null)" = "$VERSION"
refuses() {	# exit 77 and the reason: BUILD_EXCLUSIVE
	local out rc
	out=$(dkms_ build -k "$1" --kernelsourcedir "$KDIR" 2>&1)
	rc=$?
	if [ $rc -ne 77 ] || ! grep -q BUILD_EXCLUSIVE <<< "$out"; then
		echo "exit $rc: $out"
		return 1
	fi
}
check "dkms refuses a kernel outside the range" refuses 6.2.0-1-amd64

# dkms_build_other NAME KDIR: build against another tree too, when it is there.
dkms_build_other() {
	local k=$2 ver ko
	[ -n "$k" ] && [ -f "$k/Makefile" ] || return 0
	ver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$k/include/generated/utsrelease.h")
	check "dkms build -k $ver ($1, against $k)" dkms_ build -k "$ver" --kernelsourcedir "$k"
	ko=$tree/kipc/$VERSION/$ver/$(uname -m)/module/kipc.ko
	check "its vermagic is $ver" bash -c "modinfo -F vermagic '$ko' | grep -q '^$ver '"
}
dkms_build_other lts "${LTS_KDIR:-}"
dkms_build_other newest "${NEWEST_KDIR:-}"

# make dkms-remove, on this tree: every kernel's build goes, and the staged sources.
removed() {
	local left
	left=$(dkms_ status 2>&1)
	[ -z "$left" ] || { echo "dkms status still says: $left"; return 1; }
	[ ! -e "$source_tree/kipc-$VERSION" ] || { echo "$source_tree/kipc-$VERSION is still there"; return 1; }
}
check "make dkms-remove (on this DKMS tree)" \
	"${MAKE:-make}" -s -C "$top" dkms-remove DKMS_SOURCE_TREE="$source_tree" DKMS_TREE="$tree"
check "it removed kipc $VERSION from DKMS, for every kernel, and its sources" removed
check "a second make dkms-remove finds nothing and says so" \
	bash -c "'${MAKE:-make}' -s -C '$top' dkms-remove DKMS_SOURCE_TREE='$source_tree' DKMS_TREE='$tree' | grep -q 'is not in DKMS'"

finish dkms
