#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel (KASAN, lockdep, kmemleak, KUnit, fault injection) once, into a cache
# outside the checkout, keyed by the config fragment, the source version and the compiler.
# Prints the build folder (usable as KDIR for M= builds; bzImage inside).
#
# It is built from the newest kernel's source (Debian unstable's, fetched by newest-source.sh),
# so it is also the VM's "newest" kernel: a cold run builds one kernel, never two.
#
# Environment:
#   KIPC_CACHE         cache folder (default ~/.cache/kipc)
#   KIPC_DEBUG_KERNEL  use this prebuilt kernel build folder instead
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}

if [ -n "${KIPC_DEBUG_KERNEL:-}" ]; then
	echo "$KIPC_DEBUG_KERNEL"
	exit 0
fi

src=$(readlink -f "$CACHE/newest/current")
[ -f "$src/Makefile" ] || { echo "debug-kernel: no kernel source in $CACHE/newest (run make deps)" >&2; exit 1; }

key=$( { cat "$here/debug.config"; basename "$src"; gcc --version | head -1; } | sha256sum | cut -c1-16)
out="$CACHE/debug-kernel/$key"

if [ -f "$out/.kipc-complete" ]; then
	echo "$out"
	exit 0
fi
# --if-built: only say where it is, never build.
[ "${1:-}" = --if-built ] && exit 1

mkdir -p "$out"
exec 9>"$out.lock"
flock 9
if [ ! -f "$out/.kipc-complete" ]; then
	log="$out.build.log"
	echo "debug-kernel: building $(basename "$src") with tests/vm/debug.config into $out" >&2
	echo "debug-kernel: this takes about 15 minutes on 2 cores, once; log: $log" >&2
	start=$(date +%s)
	{
		make -C "$src" O="$out" -s x86_64_defconfig
		cat "$src/kernel/configs/kvm_guest.config" "$here/debug.config" > "$out/kipc.fragment"
		(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$out/kipc.fragment")
		make -C "$src" O="$out" -s olddefconfig
		# Fail when the fragment asked for something Kconfig refused.
		missing=0
		while read -r line; do
			case "$line" in CONFIG_*=y)
				grep -qx "$line" "$out/.config" || { echo "debug-kernel: not set: $line" >&2; missing=1; } ;;
			esac
		done < "$here/debug.config"
		[ $missing -eq 0 ]
		make -C "$src" O="$out" -j"$(nproc)" bzImage modules_prepare
		# External modules resolve the kernel's symbols from Module.symvers; without an
		# in-tree "make modules" the vmlinux part is all there is, and all kipc needs.
		[ -f "$out/Module.symvers" ] || cp "$out/vmlinux.symvers" "$out/Module.symvers"
	} >"$log" 2>&1 || { tail -30 "$log" >&2; echo "debug-kernel: build failed, see $log" >&2; exit 1; }
	echo "debug-kernel: built in $(( $(date +%s) - start ))s" >&2
	touch "$out/.kipc-complete"
fi
echo "$out"
