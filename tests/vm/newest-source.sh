#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The newest kernel's source: Debian unstable's linux-source-7.2 (or, once 7.2 has left, the
# newest linux-source-7.* there), fetched through a private apt configuration and unpacked into
# the cache.  The system's apt sources are never changed and nothing from unstable is installed:
# apt reads its own sources list, lists, cache and state under $CACHE/apt-unstable, with the
# mirror URI taken from the machine's Debian sources.  Idempotent; run by deps.sh.
#
# Environment:
#   KIPC_CACHE  cache folder (default ~/.cache/kipc)
set -euo pipefail

CACHE=${KIPC_CACHE:-$HOME/.cache/kipc}
WANT=7.2
apt_dir="$CACHE/apt-unstable"

# Already there: the link names an unpacked tree.
if [ -f "$CACHE/newest/current/Makefile" ]; then
	exit 0
fi

sources=/etc/apt/sources.list.d/debian.sources
mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$sources" 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "newest-source: no Debian mirror URI in $sources" >&2; exit 1; }
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$apt_dir"/{etc/sources.list.d,etc/preferences.d,etc/apt.conf.d,state/lists/partial,cache/archives/partial,debs}
echo "deb [signed-by=$keyring] $mirror unstable main" > "$apt_dir/etc/sources.list"
touch "$apt_dir/state/status"
chmod -R a+rX "$apt_dir"
apt_opts=(-o Dir::Etc="$apt_dir/etc" -o Dir::Etc::SourceList="$apt_dir/etc/sources.list"
	-o Dir::Etc::SourceParts="$apt_dir/etc/sources.list.d"
	-o Dir::Etc::Parts="$apt_dir/etc/apt.conf.d"
	-o Dir::Etc::Preferences="$apt_dir/etc/preferences"
	-o Dir::Etc::PreferencesParts="$apt_dir/etc/preferences.d"
	-o Dir::State="$apt_dir/state" -o Dir::State::status="$apt_dir/state/status"
	-o Dir::Cache="$apt_dir/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1)

echo "newest-source: reading Debian unstable's package list from $mirror (private apt state in $apt_dir)" >&2
apt-get "${apt_opts[@]}" -qq update >&2

pkg=linux-source-$WANT
if ! apt-cache "${apt_opts[@]}" show "$pkg" >/dev/null 2>&1; then
	pkg=$(apt-cache "${apt_opts[@]}" search --names-only '^linux-source-7\.[0-9]+$' |
		awk '{ print $1 }' | sort -V | tail -1)
	[ -n "$pkg" ] || { echo "newest-source: no linux-source-7.* in unstable" >&2; exit 1; }
	echo "newest-source: $WANT is not in unstable any more; taking $pkg" >&2
fi
ver=$(apt-cache "${apt_opts[@]}" show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -1)
src="$CACHE/newest/linux-source-$ver"
if [ ! -f "$src/Makefile" ]; then
	echo "newest-source: fetching $pkg $ver" >&2
	rm -f "$apt_dir"/debs/*.deb
	(cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download "$pkg=$ver" >&2)
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp/deb"
	dpkg-deb -x "$apt_dir"/debs/"${pkg}"_*.deb "$src.tmp/deb"
	tar -xf "$src.tmp/deb/usr/src/$pkg.tar.xz" -C "$src.tmp" --strip-components=1
	rm -rf "$src.tmp/deb" "$apt_dir"/debs/*.deb
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi
ln -sfn "$(basename "$src")" "$CACHE/newest/current"
