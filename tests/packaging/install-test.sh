#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install into scratch DESTDIRs, and check what it laid out:
#  - every file and link, and nothing else;
#  - the library's soname and symbol versions, the headers, kipc.pc;
#  - a program built with `pkg-config --cflags --libs kipc` against the installed copy links
#    and runs;
#  - the installed kipcctl answers --help and reports a missing device as documented;
#  - every man page renders without warnings, each library page has a RETURN VALUE section,
#    every exported symbol has a page, and kipcctl's exit codes are documented where its code
#    defines them.
# Run by `make install-check` (MAKE, BUILD and VERSION come from there).  Exit 0 when all pass.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-$top/build}
MAKE=${MAKE:-make}
: "${VERSION:?run through make install-check}" "${KIPC_BENCH:?run through make install-check}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/packaging/tap.sh

# ---- the tree ----------------------------------------------------------------------------------
d=$tmp/dest
p=$d/usr/local
check "make install DESTDIR=... (default PREFIX)" "$MAKE" -s install DESTDIR="$d"
kver=$(find "$d/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | head -1)

man3_names() {	# the functions a man3 page's NAME line lists
	sed -n '/^\.SH NAME/{n;s/ \\-.*//;s/,/ /g;p;q}' "$1"
}
{
	echo "usr/local/lib/libkipc.so.$VERSION"
	echo "usr/local/lib/libkipc.so.0 -> libkipc.so.$VERSION"
	echo "usr/local/lib/libkipc.so -> libkipc.so.0"
	echo "usr/local/lib/libkipc.a"
	echo "usr/local/lib/libkipc-transport.so.$VERSION"
	echo "usr/local/lib/libkipc-transport.so.0 -> libkipc-transport.so.$VERSION"
	echo "usr/local/lib/libkipc-transport.so -> libkipc-transport.so.0"
	echo "usr/local/lib/libkipc-transport.a"
	echo "usr/local/lib/libkipc-mqueue.so.$VERSION"
	echo "usr/local/lib/libkipc-mqueue.so.0 -> libkipc-mqueue.so.$VERSION"
	echo "usr/local/lib/libkipc-mqueue.so -> libkipc-mqueue.so.0"
	echo "usr/local/lib/pkgconfig/kipc.pc"
	echo "usr/local/lib/pkgconfig/kipc-transport.pc"
	echo "usr/local/include/kipc.h"
	echo "usr/local/include/kipc-transport.h"
	echo "usr/local/include/kipc/uapi.h"
	echo "usr/local/bin/kipcctl"
	[ ! -x "$KIPC_BENCH" ] || echo "usr/local/bin/kipc-bench"
	echo "usr/local/share/man/man1/kipc-bench.1"
	echo "usr/local/share/man/man8/kipcctl.8"
	for m in man/*.7; do echo "usr/local/share/man/man7/${m##*/}"; done
	for m in man/*.3; do
		echo "usr/local/share/man/man3/${m##*/}"
		for f in $(man3_names "$m"); do
			[ "$f.3" = "${m##*/}" ] || echo "usr/local/share/man/man3/$f.3 -> ${m##*/}"
		done
	done
	echo "etc/udev/rules.d/60-kipc.rules"
	if [ -n "$kver" ]; then
		echo "lib/modules/$kver/extra/kipc.ko"
		# depmod's index files
		for f in "$d/lib/modules/$kver"/modules.*; do echo "${f#"$d"/}"; done
	fi
} | sort > "$tmp/expected"
(cd "$d" && find . \( -type f -o -type l \) -printf '%P\n' | sort |
	while read -r f; do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f"; fi
	done) > "$tmp/actual"
check "the installed tree is exactly the expected one" diff -u "$tmp/expected" "$tmp/actual"
check "the module went to lib/modules/KVER/extra" test -n "$kver"
check "depmod indexed it (modules.dep names extra/kipc.ko)" \
	grep -q '^extra/kipc.ko:' "$d/lib/modules/$kver/modules.dep"
check "modules.dep.bin is there for libkmod's lookup" test -s "$d/lib/modules/$kver/modules.dep.bin"
check "the library's soname is libkipc.so.0" \
	bash -c "readelf -d '$p/lib/libkipc.so.$VERSION' | grep -q 'SONAME.*\[libkipc.so.0\]'"
check "its symbols carry the version KIPC_0.1" \
	bash -c "objdump -T '$p/lib/libkipc.so.$VERSION' | grep -q 'KIPC_0.1.*kipc_open$'"
only_functions() {	# only_functions LIB: no data object among the symbols it defines
	local data
	data=$(nm -D --defined-only "$1" | awk '$3 !~ /^KIPC/ && $2 !~ /^[TtWi]$/')
	[ -z "$data" ] || { echo "data exported:"; echo "$data"; return 1; }
}
check "libkipc exports functions only (no data objects)" only_functions "$p/lib/libkipc.so.$VERSION"
check "libkipc-transport exports functions only" only_functions "$p/lib/libkipc-transport.so.$VERSION"
check "libkipc exports no kipc_transport_* and no internal kipc__* symbol" \
	bash -c "! nm -D --defined-only '$p/lib/libkipc.so.$VERSION' | grep -E ' (kipc_transport_|kipc__)'"
transport_only() {	# every symbol of libkipc-transport is kipc_transport_*@@KIPC_TRANSPORT_0.1
	local out
	out=$(nm -D --defined-only "$p/lib/libkipc-transport.so.$VERSION" |
		awk '$3 !~ /^KIPC_TRANSPORT_/ && $3 !~ /^kipc_transport_[a-z_]*@@KIPC_TRANSPORT_0\.1$/')
	[ -z "$out" ] || { echo "$out"; return 1; }
}
check "libkipc-transport exports kipc_transport_* alone, versioned KIPC_TRANSPORT_0.1" transport_only
# The shim's symbols are unversioned on purpose (see userlib/mqueue/libkipc-mqueue.map).
mqueue_only() {	# libkipc-mqueue defines the <mqueue.h> calls and __mq_open_2, nothing else
	local want got
	want=$(printf '%s\n' __mq_open_2 mq_close mq_getattr mq_notify mq_open mq_receive \
		mq_send mq_setattr mq_timedreceive mq_timedsend mq_unlink | sed 's/^/T /' | sort)
	got=$(nm -D --defined-only "$p/lib/libkipc-mqueue.so.$VERSION" | awk '{ print $2 " " $3 }' | sort)
	[ "$got" = "$want" ] || { echo "it defines:"; echo "$got"; return 1; }
}
check "libkipc-mqueue exports mq_* and __mq_open_2 alone, as functions" mqueue_only
check "libkipc-mqueue's soname is libkipc-mqueue.so.0, and it needs libc alone" \
	bash -c "readelf -d '$p/lib/libkipc-mqueue.so.$VERSION' | grep -q 'SONAME.*\[libkipc-mqueue.so.0\]' && [ \"\$(readelf -d '$p/lib/libkipc-mqueue.so.$VERSION' | grep NEEDED | grep -cv 'libc.so.6')\" = 0 ]"
check "libkipc-transport's soname is libkipc-transport.so.0 and it needs libkipc.so.0" \
	bash -c "readelf -d '$p/lib/libkipc-transport.so.$VERSION' | grep -q 'SONAME.*\[libkipc-transport.so.0\]' && readelf -d '$p/lib/libkipc-transport.so.$VERSION' | grep -q 'NEEDED.*\[libkipc.so.0\]'"
check "the headers are the sources' copies" \
	bash -c "cmp userlib/include/kipc.h '$p/include/kipc.h' && cmp userlib/include/kipc-transport.h '$p/include/kipc-transport.h' && cmp uapi/linux/kipc.h '$p/include/kipc/uapi.h'"
check "kipcctl is installed executable in bindir, beside ipcs and lsipc" test -x "$p/bin/kipcctl"
check "nothing goes into include/linux, linux-libc-dev's" test ! -e "$p/include/linux"
check "the udev rule gives /dev/kipc the group kipc, mode 0660" \
	grep -q '^KERNEL=="kipc".*GROUP="kipc", MODE="0660"' "$d/etc/udev/rules.d/60-kipc.rules"

# ---- pkg-config and a program against the installed copy ---------------------------------------
pc() {
	PKG_CONFIG_PATH=$p/lib/pkgconfig pkg-config --define-variable=prefix="$p" "$@"
}
check "pkg-config knows kipc $VERSION" test "$(pc --modversion kipc)" = "$VERSION"
check "kipc.pc relocates with --define-variable=prefix" \
	test "$(pc --cflags --libs kipc | xargs)" = "-I$p/include -L$p/lib -lkipc"
cat > "$tmp/prog.c" <<'EOF'
#include <stdio.h>
#include <kipc.h>

int main(void)
{
	int fd = kipc_open(0);

	printf("kipc_open: %s\n", fd < 0 ? kipc_strerror(fd) : "opened");
	return 0;
}
EOF
# shellcheck disable=SC2046 # pkg-config's output is words
check "<kipc.h> compiles alone as C11 (-Wall -Wextra -Werror -Wpedantic)" \
	bash -c "echo '#include <kipc.h>' | cc -fsyntax-only -x c -std=c11 -Wall -Wextra -Werror -Wpedantic $(pc --cflags kipc) -"
# shellcheck disable=SC2046
check "<kipc.h> compiles alone as C++17 (-Wall -Wextra -Werror)" \
	bash -c "echo '#include <kipc.h>' | c++ -fsyntax-only -x c++ -std=c++17 -Wall -Wextra -Werror $(pc --cflags kipc) -"
# shellcheck disable=SC2046 # pkg-config's output is words
check "a program builds with \$(pkg-config --cflags --libs kipc)" \
	cc -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $(pc --cflags --libs kipc)
check "it links the installed libkipc.so.0" \
	bash -c "LD_LIBRARY_PATH='$p/lib' ldd '$tmp/prog' | grep -q '$p/lib/libkipc.so.0'"
check "it runs and reports a missing device as the library documents" \
	bash -c "KIPC_DEVICE=/nonexistent/kipc LD_LIBRARY_PATH='$p/lib' '$tmp/prog' | grep -q 'the module is not loaded'"

cat > "$tmp/tprog.c" <<'EOF'
#include <stdio.h>
#include <kipc-transport.h>

int main(void)
{
	const struct kipc_transport_backend *b = kipc_transport_find("pipe");

	printf("%s: %s\n", b ? b->name : "none", b ? b->summary : "");
	return !b || kipc_transport_probe(b) != 0;
}
EOF
check "pkg-config knows kipc-transport $VERSION, and it requires kipc" \
	bash -c "test \"\$(PKG_CONFIG_PATH='$p/lib/pkgconfig' pkg-config --modversion kipc-transport)\" = '$VERSION' && grep -qx 'Requires: kipc = $VERSION' '$p/lib/pkgconfig/kipc-transport.pc'"
# shellcheck disable=SC2046 # pkg-config's output is words
check "<kipc-transport.h> compiles alone as C11 and C++17" \
	bash -c "echo '#include <kipc-transport.h>' | cc -fsyntax-only -x c -std=c11 -Wall -Wextra -Werror -Wpedantic $(pc --cflags kipc-transport) - && echo '#include <kipc-transport.h>' | c++ -fsyntax-only -x c++ -std=c++17 -Wall -Wextra -Werror $(pc --cflags kipc-transport) -"
# shellcheck disable=SC2046
check "a program builds with \$(pkg-config --cflags --libs kipc-transport) and runs the pipe backend" \
	bash -c "cc -Wall -Wextra -Werror -o '$tmp/tprog' '$tmp/tprog.c' $(pc --cflags --libs kipc-transport) && LD_LIBRARY_PATH='$p/lib' '$tmp/tprog' | grep -q '^pipe: '"

# ---- the installed kipcctl ----------------------------------------------------------------------
kipcctl() { KIPC_DEVICE=/nonexistent/kipc "$p/bin/kipcctl" "$@"; }
expect() {	# expect CODE PATTERN ARGS...: exit code and stderr of kipcctl
	local code=$1 pattern=$2 rc
	shift 2
	kipcctl "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc -eq "$code" ] || { echo "exit $rc, expected $code"; cat "$tmp/err"; return 1; }
	grep -qE -- "$pattern" "$tmp/err" "$tmp/out" || { echo "no '$pattern' in:"; cat "$tmp/err"; return 1; }
}
check "kipcctl --version says $VERSION" expect 0 "^kipcctl $VERSION " --version
for c in load unload status ls stat create rm send recv watch; do
	check "kipcctl $c --help" expect 0 "^Usage: kipcctl $c" "$c" --help
done
check "kipcctl with an unknown command: exit 1" expect 1 "unknown command 'frob'" frob
check "kipcctl with an unknown option: exit 1" expect 1 "^kipcctl: ls: unknown option '--frob'" ls --frob
check "kipcctl create with a bad --mode: exit 1" expect 1 "--mode is octal" create mq x --mode 999
check "kipcctl with no device: exit 2 and how to load it" \
	expect 2 "^kipcctl: ls: .*not loaded.*kipcctl load" ls
check "kipcctl load of a missing file: exit 2 and what to do" \
	expect 2 "^kipcctl: load: /nonexistent/kipc.ko does not exist: build the module" \
	load /nonexistent/kipc.ko

# ---- PREFIX -------------------------------------------------------------------------------------
check "make install DESTDIR=... PREFIX=/usr" "$MAKE" -s install DESTDIR="$tmp/usr-dest" PREFIX=/usr
check "PREFIX=/usr puts kipcctl in /usr/bin and says prefix=/usr in kipc.pc" \
	bash -c "test -x '$tmp/usr-dest/usr/bin/kipcctl' && grep -qx 'prefix=/usr' '$tmp/usr-dest/usr/lib/pkgconfig/kipc.pc'"

# ---- make uninstall -----------------------------------------------------------------------------
# What may be left after it: directories, and depmod's index of a module tree that no longer
# holds kipc.ko; no file or link of kipc's.
nothing_left() {	# nothing_left DESTDIR
	local out
	out=$(cd "$1" && find . \( -type f -o -type l \) -printf '%P\n' | grep -v '^lib/modules/[^/]*/modules\.')
	[ -z "$out" ] || { echo "left behind:"; echo "$out"; return 1; }
}
for pd in "$d:/usr/local" "$tmp/usr-dest:/usr"; do
	dest=${pd%%:*} prefix=${pd#*:}
	check "make uninstall DESTDIR=... PREFIX=$prefix" "$MAKE" -s uninstall DESTDIR="$dest" PREFIX="$prefix"
	check "it leaves no file of kipc's (PREFIX=$prefix)" nothing_left "$dest"
done
check "depmod forgot the module" \
	bash -c "[ -z '$kver' ] || ! grep -q kipc '$d/lib/modules/$kver/modules.dep'"
check "a second make uninstall finds nothing and succeeds" "$MAKE" -s uninstall DESTDIR="$d"

# ---- man pages ----------------------------------------------------------------------------------
for m in man/*; do
	check "man --warnings -l $m prints nothing" \
		bash -c "out=\$(MANWIDTH=80 man --warnings -l '$m' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
done
for m in man/*.3; do
	check "$m has a RETURN VALUE section" grep -qx '\.SH RETURN VALUE' "$m"
done
documented=$(for m in man/*.3; do man3_names "$m"; done | tr ' ' '\n' | sort -u)
missing=$(sed -n 's/^[[:space:]]*\(kipc_[a-z0-9_]*\);/\1/p' userlib/libkipc.map userlib/transport/libkipc-transport.map | sort -u |
	comm -23 - <(echo "$documented"))
undocumented() { [ -z "$missing" ] || { echo "no page for:" "$missing"; false; }; }
check "every symbol of libkipc.map and libkipc-transport.map has a man3 page" undocumented
codes=$(sed -n 's/^\s*EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' userlib/tools/kipcctl.h)
check "kipcctl.h defines the exit codes 0 to 8" test "$(xargs <<< "$codes")" = "0 1 2 3 4 5 6 7 8"
for c in $codes; do
	check "kipcctl.8 and the README document exit code $c" \
		bash -c "grep -A1 -x '\.TP' man/kipcctl.8 | grep -qx '\.B $c' && grep -q '^| $c |' README.md"
done

finish install
