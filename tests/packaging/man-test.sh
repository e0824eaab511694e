#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages, as man-pages(7) lays a page out, and their examples as the C they show:
#  - every section-3 page has NAME, SYNOPSIS, DESCRIPTION, RETURN VALUE, ERRORS, EXAMPLES and
#    SEE ALSO, in that order, SEE ALSO last;
#  - its EXAMPLES hold one program between .nf and .fi.  Read back from the roff source (\e is
#    a backslash, \- a minus, \(aq a quote, \& nothing; any other escape, a request or a tab
#    in it is an error), it must be exactly what groff prints of it, so what the reader copies
#    is what is tested; it must compile with -Werror against the built libraries; and run with
#    no device (KIPC_DEVICE names a path that does not exist) it must exit 0, or 1 saying so
#    with kipc_strerror()'s sentence;
#  - every section-7 page (libkipc-mqueue.7) has NAME, SYNOPSIS, DESCRIPTION, ERRORS, EXAMPLES
#    and SEE ALSO, its EXAMPLES one program read back as for section 3, that compiles against
#    <mqueue.h> alone, runs on the kernel's queues, and preloaded with libkipc-mqueue.so
#    without a device says ENOSYS;
#  - kipc-bench.1 has OPTIONS and EXAMPLES; every long option that `kipc-bench --help` prints
#    has an entry (.TP) under OPTIONS, and no option named there or in EXAMPLES is one that
#    kipc-bench lacks;
#  - each page's .TH names itself, its section, a date and the source "kipc $(cat VERSION)",
#    and `man --warnings` says nothing about it.
# BUILD (default build/) holds the libraries (make lib transport) and kipc-bench (make bench);
# PAGES (default man/) is the folder checked, so that a copy can be.  Exit 0 when all pass.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-$top/build}
PAGES=${PAGES:-$top/man}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/packaging/tap.sh"

version=$(cat VERSION)
bench=$BUILD/bench/kipc-bench
cflags=(-std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iuserlib/include -Iuapi)
libs=("$BUILD/lib/libkipc-transport.a" "$BUILD/lib/libkipc.a" -lrt -pthread)

sections() {	# sections PAGE: its .SH names, one a line
	sed -n 's/^\.SH[[:space:]]\{1,\}//p' "$1" | sed 's/^"\(.*\)"[[:space:]]*$/\1/'
}

section() {	# section PAGE NAME: the roff source of that section, without its .SH line
	awk -v want="$2" '
		/^\.SH[ \t]/ { name = $0; sub(/^\.SH[ \t]+/, "", name); gsub(/"/, "", name)
			       inside = name == want; next }
		inside' "$1"
}

in_order() {	# in_order PAGE SECTION...: each SECTION once, in this order, the last one last
	local page=$1 have at prev=0 want
	shift
	have=$(sections "$page")
	for want; do
		at=$(grep -nxF -- "$want" <<< "$have" | cut -d: -f1)
		if [ -z "$at" ]; then
			echo "no $want section; it has: $(paste -sd, <<< "$have")"
			return 1
		elif [ "$(wc -l <<< "$at")" -gt 1 ]; then
			echo "more than one $want section"
			return 1
		elif [ "$at" -le "$prev" ]; then
			echo "$want comes too early; the order is: $(paste -sd, <<< "$have")"
			return 1
		fi
		prev=$at
	done
	[ "$prev" -eq "$(wc -l <<< "$have")" ] ||
		{ echo "$want is not the last section: $(paste -sd, <<< "$have")"; return 1; }
}

th_line() {	# th_line PAGE: .TH TITLE SECTION DATE "kipc VERSION" "MANUAL", TITLE its name
	local page=$1 base title sec line
	base=${page##*/}
	sec=${base##*.}
	title=$(tr '[:lower:]' '[:upper:]' <<< "${base%.*}")
	line=$(grep -m1 '^\.TH ' "$page")
	[[ $line =~ ^\.TH\ ([^ ]+)\ ([^ ]+)\ ([0-9]{4}-[0-9]{2}-[0-9]{2})\ \"kipc\ ([^\"]+)\"\ \"[^\"]+\"$ ]] ||
		{ echo "not .TH $title $sec YYYY-MM-DD \"kipc $version\" \"MANUAL\": $line"; return 1; }
	if [ "${BASH_REMATCH[1]}" != "$title" ] || [ "${BASH_REMATCH[2]}" != "$sec" ] ||
	   [ "${BASH_REMATCH[4]}" != "$version" ]; then
		echo "want $title $sec and kipc $version (VERSION): $line"
		return 1
	fi
}

lists_errnos() {	# lists_errnos PAGE: ERRORS has ".TP" then ".B ENAME" entries, or says "no errors"
	local errors
	errors=$(section "$1" ERRORS)
	grep -A1 -x '\.TP' <<< "$errors" | grep -qE '^\.BR? E[A-Z0-9]+( |$)' ||
		grep -qw 'no errors' <<< "$errors" ||
		{ echo "ERRORS has no .TP / .B ENAME entry, and does not say \"no errors\""; return 1; }
}

quiet_man() {	# quiet_man PAGE: man --warnings renders it without a word on stderr
	local out
	out=$(MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null)
	[ -z "$out" ] || { echo "$out"; return 1; }
}

example_roff() {	# example_roff PAGE: the roff source of the one program in its EXAMPLES
	section "$1" EXAMPLES | awk '
		/^\.(nf|EX)[ \t]*$/ { blocks++; inside = 1; next }
		/^\.(fi|EE)[ \t]*$/ { inside = 0; next }
		inside { print }
		END {
			if (blocks != 1) { print "EXAMPLES holds " blocks + 0 " .nf blocks, not 1" > "/dev/stderr"; exit 1 }
			if (inside) { print "EXAMPLES: .nf without .fi" > "/dev/stderr"; exit 1 }
		}'
}

unroff() {	# the roff of an example on stdin, as C on stdout; fails on what it cannot read back
	perl -ne '
		BEGIN { %c = ("e" => "\\", "\\" => "\\", "-" => "-", "&" => "",
			      "(aq" => "\x27", "(dq" => "\"", "(ti" => "~", "(ha" => "^",
			      "(ga" => "`", "(rs" => "\\") }
		if (/^[.\x27]/) { print STDERR "line $.: a request, not C (write \\&. or \\(aq): $_"; $bad = 1 }
		if (/\t/) { print STDERR "line $.: a tab, which roff sets at its own stops: $_"; $bad = 1 }
		s{\\(\([a-z]{2}|.)}{ exists $c{$1} ? $c{$1} :
			do { print STDERR "line $.: the escape \\$1 is not C: $_"; $bad = 1; "" } }ge;
		print;
		END { exit $bad ? 1 : 0 }'
}

render() {	# the roff of an example on stdin, as groff prints it (\- as ASCII, as man.7 has it)
	{
		printf '%s\n' ".char \\- \\N'45'" .nf
		cat
		printf '%s\n' .fi '.pl \n(nlu'
	} | groff -Tutf8 -P-cbou
}

read_back() {	# read_back PAGE C: the program of its EXAMPLES, read back as C into the file C
	local roff
	roff=$(example_roff "$1") || return 1
	unroff <<< "$roff" > "$2"
}

same_as_shown() {	# same_as_shown PAGE C: the C read back is what the page shows
	local shown
	shown=$(example_roff "$1" | render) || return 1
	diff -u --label "$2 (read back from the source)" --label "what groff prints" \
		"$2" <(printf '%s\n' "$shown")
}

compiles() {	# compiles C BINARY
	"$CC" "${cflags[@]}" "$1" "${libs[@]}" -o "$2"
}

runs_without_device() {	# runs_without_device BINARY: exit 0, or 1 with the ENOENT sentence
	local rc
	KIPC_DEVICE=$tmp/no-kipc-device timeout 30 "$1" < /dev/null > "$1.out" 2> "$1.err"
	rc=$?
	[ $rc -eq 0 ] && return 0
	if [ $rc -eq 1 ] && grep -qF -- "$enoent" "$1.err"; then
		return 0
	fi
	echo "exit $rc; stdout:"
	cat "$1.out"
	echo "stderr (want kipc_strerror(-ENOENT): \"$enoent\"):"
	cat "$1.err"
	return 1
}

none() {	# none WHAT LIST: LIST is empty, else say WHAT it holds
	[ -z "$2" ] || { echo "$1 $(xargs <<< "$2")"; return 1; }
}

# What a program that cannot open the device should say: kipc_strerror(-ENOENT).
printf '%s\n' '#include <errno.h>' '#include <stdio.h>' '#include <kipc.h>' \
	'int main(void) { puts(kipc_strerror(-ENOENT)); return 0; }' > "$tmp/enoent.c"
check "a program using libkipc builds (make lib transport first)" \
	compiles "$tmp/enoent.c" "$tmp/enoent"
enoent=$("$tmp/enoent" 2>/dev/null)

page_checks() {	# page_checks PAGE C SECTION...: its sections in order, ERRORS, the example as C in C
	local page=$1 c=$2 sections
	shift 2
	sections=$(printf '%s, ' "$@")
	check "${page##*/}: ${sections%, }" in_order "$page" "$@"
	check "${page##*/}: its ERRORS list errnos (.TP, then .B ENAME) or say there are none" \
		lists_errnos "$page"
	check "${page##*/}: its EXAMPLES hold one program, roff that reads back as C" \
		read_back "$page" "$c"
	check "${page##*/}: the program read back is exactly what the page shows" \
		same_as_shown "$page" "$c"
}

# ---- section 3 -------------------------------------------------------------------------------
for page in "$PAGES"/*.3; do
	name=$(basename "$page" .3)
	c=$tmp/$name.c
	page_checks "$page" "$c" NAME SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS EXAMPLES "SEE ALSO"
	check "$name.3: the program compiles with -Werror" compiles "$c" "$tmp/$name"
	check "$name.3: the program, run without a device, exits 0 or says the device is missing" \
		runs_without_device "$tmp/$name"
done

# ---- section 7: libkipc-mqueue.7 --------------------------------------------------------------
# Its example is a program of <mqueue.h> alone: plain, on the kernel's queues, it exits 0;
# with the shim preloaded and no device it exits 1 with ENOSYS's sentence, as the page says.
preload=$BUILD/lib/libkipc-mqueue.so
runs_plain() {	# runs_plain BINARY
	timeout 30 "$1" < /dev/null > "$1.out" 2>&1 || { echo "exit $?:"; cat "$1.out"; return 1; }
}
says_enosys() {	# says_enosys BINARY: preloaded without a device, exit 1 saying ENOSYS
	local rc
	LD_PRELOAD=$preload KIPC_DEVICE=$tmp/no-kipc-device timeout 30 "$1" < /dev/null > "$1.out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -qF "$(perl -e '$! = 38; print "$!"')" "$1.out" && return 0
	echo "exit $rc (want 1, saying ENOSYS):"
	cat "$1.out"
	return 1
}
for page in "$PAGES"/*.7; do
	name=$(basename "$page" .7)
	c=$tmp/$name.c
	page_checks "$page" "$c" NAME SYNOPSIS DESCRIPTION ERRORS EXAMPLES "SEE ALSO"
	check "$name.7: the program compiles with -Werror against <mqueue.h> alone" \
		"$CC" -std=gnu11 -Wall -Wextra -Werror -o "$tmp/$name" "$c" -lrt
	check "$name.7: the program runs on the kernel's queues" runs_plain "$tmp/$name"
	check "$name.7: preloaded with $preload (make mqueue) and no device, it says ENOSYS" \
		says_enosys "$tmp/$name"
done

# ---- kipc-bench.1 ----------------------------------------------------------------------------
text() {	# the roff on stdin as plain words: fonts dropped, \- and \e read back
	perl -pe 's/\\f(\[[^]]*\]|\(..|.)//g; s/\\-/-/g; s/\\&//g; s/\\e/\\/g'
}
long_options() { grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }

bench_page=$PAGES/kipc-bench.1
check "kipc-bench.1: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, SEE ALSO" \
	in_order "$bench_page" NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "SEE ALSO"
help=$("$bench" --help 2>&1)
check "$bench --help answers (make bench first)" test $? -eq 0 -a -n "$help"
known=$( (long_options <<< "$help"; echo --help) | sort -u)
# An option is documented by an entry of its own: the tag line after a .TP.
documented=$(section "$bench_page" OPTIONS | grep -A1 -x '\.TP' | grep -vx -e '\.TP' -e -- |
	text | long_options)
mentioned=$(section "$bench_page" OPTIONS | text | long_options)
used=$(section "$bench_page" EXAMPLES | text | long_options)
missing=$(comm -23 <(echo "$known") <(echo "$documented"))
unknown=$(comm -13 <(echo "$known") <(echo "$mentioned"))
unknown_used=$(comm -13 <(echo "$known") <(echo "$used"))
check "kipc-bench.1: OPTIONS has an entry (.TP) for every option of --help" \
	none "no entry under OPTIONS:" "$missing"
check "kipc-bench.1: OPTIONS names no option kipc-bench lacks" none "not in --help:" "$unknown"
check "kipc-bench.1: EXAMPLES show kipc-bench with options" test -n "$used"
check "kipc-bench.1: EXAMPLES use no option kipc-bench lacks" none "not in --help:" "$unknown_used"

# ---- every page ------------------------------------------------------------------------------
for page in "$PAGES"/*.3 "$PAGES"/*.7 "$bench_page"; do
	check "${page##*/}: .TH names it, its section, a date and kipc $version" th_line "$page"
	check "${page##*/}: man --warnings prints nothing" quiet_man "$page"
done

# ---- the README's C program --------------------------------------------------------------------
# The first C block of the README's "Use it on your machine" builds with the command its own
# comment gives, and runs (without a device it prints kipc_strerror()'s sentence and exits 1).
readme_prog() {
	local src=$tmp/readme.c
	awk '/^## Use it on your machine/{s=1} s && /^```c$/{b=1; next} b && /^```$/{exit} b{print}' \
		"$top/README.md" > "$src"
	grep -q 'int main' "$src" || { echo "no C program in the README's walk"; return 1; }
	(cd "$top" && cc -Wall -Wextra -Werror -o "$tmp/readme" "$src" -Iuserlib/include -Iuapi \
		"$BUILD/lib/libkipc.a") || return 1
	out=$(KIPC_DEVICE=/nonexistent/kipc "$tmp/readme")
	[ $? -eq 1 ] && grep -q "not loaded" <<< "$out" || { echo "ran: $out"; return 1; }
}
check "the README's C program builds as its comment says, and runs" readme_prog

finish man
