#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what kipc needs to build and test, and do nothing when it is all there.
# Idempotent: run by `make deps`, by the README's quick-start targets and by .ci/run.
#
# Environment:
#   KIPC_CACHE  cache folder outside the checkout (default ~/.cache/kipc)
set -euo pipefail

CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
export DEBIAN_FRONTEND=noninteractive

# Debian packages: the VM, the kernel build, the library's dependencies and the checkers.
PKGS=(qemu-system-x86 busybox-static linux-headers-amd64 linux-source-6.1
      build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync xz-utils
      libkmod-dev pkg-config sparse python3 gnuplot-nox clang libclang-rt-14-dev dwarves
      dkms man-db groff-base)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The stock kernel image of the same version as the headers, unpacked into the cache
# (never installed into /boot): the VM boots this.
abi=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed -n 's/.*linux-headers-\([0-9.]*-[0-9]*\)-amd64.*/\1/p')
[ -n "$abi" ] || { echo "deps: cannot tell the headers' kernel version" >&2; exit 1; }
kver="$abi-amd64"
stock="$CACHE/stock/$kver"
if [ ! -f "$stock/vmlinuz" ]; then
	echo "deps: fetching linux-image-$kver"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"  # apt downloads as _apt when it can
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "linux-image-$kver" >/dev/null)
	mkdir -p "$stock.tmp"
	dpkg -x "$tmp"/linux-image-"$kver"_*.deb "$stock.tmp/root"
	cp "$stock.tmp/root/boot/vmlinuz-$kver" "$stock.tmp/vmlinuz"
	cp "$stock.tmp/root/boot/config-$kver" "$stock.tmp/config"
	# Keep the modules the VM may need (none are required today, but keep them at hand).
	mv "$stock.tmp/root/lib/modules/$kver" "$stock.tmp/modules"
	rm -rf "$stock.tmp/root" "$tmp"
	rm -rf "$stock"
	mkdir -p "$(dirname "$stock")"
	mv "$stock.tmp" "$stock"
fi
ln -sfn "$kver" "$CACHE/stock/current"

# The kernel source, unpacked once (checkpatch, sparse's headers, kselftest_harness.h, kunit.py,
# and the debug kernel build all use it in place).
src_tar=$(ls /usr/src/linux-source-6.1.tar.xz)
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
src="$CACHE/src/linux-source-$srcver"
if [ ! -f "$src/Makefile" ]; then
	echo "deps: unpacking $src_tar"
	mkdir -p "$src.tmp"
	tar -xf "$src_tar" -C "$src.tmp" --strip-components=1
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi
ln -sfn "linux-source-$srcver" "$CACHE/src/current"
