#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/selftests/Makefile as kselftest uses it: built alone with an OUTPUT, and as a TARGET of
# a kernel's own selftests Makefile (a scratch copy of its top folder, with kipc's linked in),
# then installed by it into a run_kselftest.sh that lists every kipc test.  Only builds: the
# tests need the module, which the test VM runs them with.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
: "${KSRC:?run through make ksft-build}"
. "$top/tests/packaging/tap.sh"

out=$BUILD/ksft
tree=$BUILD/ksft-tree
rm -rf "$out" "$tree"
want=$(cd "$top/tests/selftests" && ls ./*_test.c | sed 's|^\./||; s|\.c$||' | sort)

check "make -C tests/selftests OUTPUT=... builds every test" \
	make -s -C "$top/tests/selftests" KSRC="$KSRC" OUTPUT="$out"
check "and nothing but them is a program there" \
	bash -c "diff <(echo '$want') <(cd '$out' && find . -maxdepth 1 -type f -executable -printf '%P\n' | sort)"
in_sources() {	# what a build left in tests/selftests (git ignores it, so only --ignored shows it)
	local left
	left=$(cd "$top" && git status --porcelain --ignored tests/selftests | grep '^!!')
	[ -z "$left" ] || { echo "$left"; return 1; }
}
check "nothing was written into the sources" in_sources

# A kernel tree's tools/testing/selftests, as far as its Makefile needs: the top folder's files
# with its kselftest/ helpers, and scripts/subarch.include; kipc linked in as the folder kipc.
mkdir -p "$tree/tools/testing/selftests" "$tree/scripts"
find "$KSRC/tools/testing/selftests" -maxdepth 1 -type f -exec cp {} "$tree/tools/testing/selftests/" \;
cp -r "$KSRC/tools/testing/selftests/kselftest" "$tree/tools/testing/selftests/"
cp "$KSRC/scripts/subarch.include" "$tree/scripts/"
ln -s "$top/tests/selftests" "$tree/tools/testing/selftests/kipc"
check "make -C tools/testing/selftests TARGETS=kipc install (a kernel tree's runner)" \
	make -s -C "$tree/tools/testing/selftests" TARGETS=kipc O="$tree/obj" \
		INSTALL_PATH="$tree/install" install
check "its run_kselftest.sh lists every kipc test" \
	bash -c "diff <(echo '$want' | sed 's/^/kipc:/') <('$tree/install/run_kselftest.sh' --list | sort)"
check "with the settings file's timeout beside them" test -f "$tree/install/kipc/settings"
check "and still nothing in the sources" in_sources
rm -rf "$out" "$tree"
finish ksft
