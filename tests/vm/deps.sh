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

# Debian packages: the VM, the kernel build, the library's dependencies and the checkers
# (libpopt-dev: the kernel's own mq_perf_tests, built from its source for the mqueue plan;
# linux-perf: tests/vm/profile.sh).
PKGS=(qemu-system-x86 busybox-static linux-headers-amd64 linux-source-6.1
      build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync xz-utils
      libkmod-dev pkg-config sparse python3 gnuplot-nox clang libclang-rt-14-dev dwarves
      dkms man-db groff-base libpopt-dev linux-perf)

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

# The current LTS as Debian 12 ships it (6.12, in its security suite): the newest image, headers
# and kbuild of one version, unpacked into the cache and never installed (a headers package
# would pull an image into /boot and change what a plain `make` builds against).  The headers'
# Makefile names its -common twin by absolute path: it is pointed at the unpacked one.
lts=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
	sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned .*/\1/p' | sort -V | tail -1)
if [ -z "$lts" ]; then
	echo "deps: no linux-image-6.12.*+deb12-amd64-unsigned in the apt lists: the 6.12 VM will be skipped" >&2
else
	kdir612="$CACHE/lts/$lts"
	if [ ! -f "$kdir612/vmlinuz" ]; then
		echo "deps: fetching Linux $lts (image, headers, kbuild)"
		tmp=$(mktemp -d)
		chmod 755 "$tmp"
		(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root \
			"linux-image-$lts-amd64-unsigned" "linux-headers-$lts-amd64" \
			"linux-headers-$lts-common" "linux-kbuild-${lts%+deb12}+deb12" >/dev/null)
		rm -rf "$kdir612.tmp"
		mkdir -p "$kdir612.tmp/root"
		for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$kdir612.tmp/root"; done
		hdr="$kdir612.tmp/root/usr/src/linux-headers-$lts-amd64"
		echo "include $kdir612/root/usr/src/linux-headers-$lts-common/Makefile" > "$hdr/Makefile"
		cp "$kdir612.tmp/root/boot/vmlinuz-$lts-amd64" "$kdir612.tmp/vmlinuz"
		ln -sfn "root/usr/src/linux-headers-$lts-amd64" "$kdir612.tmp/headers"
		rm -rf "$kdir612.tmp/root/lib/modules" "$kdir612.tmp/root/boot" "$tmp"
		rm -rf "$kdir612"
		mv "$kdir612.tmp" "$kdir612"
	fi
	ln -sfn "$lts" "$CACHE/lts/current"
fi

# The newest release's source (Debian unstable's linux-source-7.*), through apt state of its
# own: the debug kernel, which is also the VM's newest kernel, is built from it.
bash "$(dirname "$0")/newest-source.sh"
