#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/debug-kernel/build.sh CACHE_DIR
#
# Builds the sanitizer kernel from Debian's linux-source-6.1 and prints the
# path of its tree: bzImage in arch/x86/boot/, modules under modinst/.
# The result is cached under CACHE_DIR, keyed by the
# source package version and this directory's config, so only the first
# run on a machine pays (14 min 35 s measured on 2 idle cores at -O2
# with inline KASAN checks; 4 min 15 s at tinyconfig's -Os and outline).
set -eu

cache=$1
here=$(cd "$(dirname "$0")" && pwd)
tarball=$(ls /usr/src/linux-source-6.*.tar.xz 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "debug-kernel: linux-source-6.1 is not installed" >&2; exit 1; }

srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || basename "$tarball")
key=$( (echo "$srcver"; cat "$here/config") | sha256sum | cut -c1-16)
tree=$cache/debug-kernel-$key
if [ -f "$tree/.blkmirror-built" ]; then
	touch "$tree/.blkmirror-built"
	echo "$tree"
	exit 0
fi

# One build at a time per cache: a second run waits for the first, then
# finds the tree built.
exec 9>"$cache/debug-kernel.lock"
flock 9
if [ -f "$tree/.blkmirror-built" ]; then
	echo "$tree"
	exit 0
fi

# A tree whose key is not ours is from another source version or config,
# and each is 2 GB; but another checkout (a branch with the config before
# ours) may still be booting it, or building a module in it: drop it only
# once nothing has used it for a day.  One left half-built is abandoned
# (we hold the lock).
for old in "$cache"/debug-kernel-*; do
	[ -d "$old" ] && [ "$old" != "$tree" ] || continue
	if [ ! -f "$old/.blkmirror-built" ] ||
		[ -n "$(find "$old/.blkmirror-built" -mmin +1440)" ]; then
		rm -rf "$old"
	fi
done

# Built in place: out-of-tree module builds need the tree where it was made.
rm -rf "$tree"
mkdir -p "$tree"
tar -xJf "$tarball" -C "$tree" --strip-components=1
cd "$tree"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$here/config" >/dev/null
make -s olddefconfig >/dev/null

# olddefconfig drops what it cannot satisfy without a word: check.
missing=0
while read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	grep -qx "$line" .config || { echo "debug-kernel: lost $line" >&2; missing=1; }
done < "$here/config"
[ $missing -eq 0 ] || exit 1

make -s -j"$(nproc)" bzImage modules >build.log 2>&1 ||
	{ tail -n 30 build.log >&2; exit 1; }
# The guest's /lib/modules, laid out as for Debian's kernel.
make -s modules_install INSTALL_MOD_PATH="$tree/modinst" >>build.log 2>&1
touch "$tree/.blkmirror-built"
echo "$tree"
