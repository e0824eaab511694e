#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Add up the counts every stage of `make check` left in build/results/*.count.
dir=$1
p=0 f=0 s=0
for c in "$dir"/*.count; do
	[ -f "$c" ] || continue
	read -r a b d < "$c"
	printf '  %-24s %4d passed, %d failed, %d skipped\n' "$(basename "$c" .count)" "$a" "$b" "$d"
	p=$((p + a)) f=$((f + b)) s=$((s + d))
done
echo "kipc check: $p passed, $f failed, $s skipped"
[ $f -eq 0 ] && [ $p -gt 0 ]
