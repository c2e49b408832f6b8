#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkbase.sh KVER CACHEDIR [MODROOT] -> prints the path of the base initramfs.
#
# MODROOT is where the kernel's lib/modules/KVER lives (default /); the
# debug kernel keeps its modules in its own build tree, the fetched kernels
# (tests/kernels/) in their unpacked packages (ROOT/usr on 7.x, whose
# modules are .ko.xz: the guest loads them as they are).
#
# The base is the expensive, rarely changing part of the guest: static
# busybox with its applet links, the host tools the cases use with the
# libraries ldd names, and the Debian kernel modules the cases load (with
# their dependencies).  It is cached under CACHEDIR, keyed by a hash of
# this script and of the name, size and mtime of every input file, so it
# is rebuilt only when a package changes.  Next to the cpio the cache
# keeps the module tree (modules-KEY/), which mkrun.sh needs to re-run
# depmod with blkmirror.ko added.

set -eu

KVER=$1
CACHE=$2
MODROOT=${3:-}
MODDIR=$MODROOT/lib/modules/$KVER

# Kernel modules the cases load; dependencies are added by modinfo.
# A|B: the first of them the kernel has (7.x replaced crc32c_generic by
# crc32c-cryptoapi).
MODULES="brd null_blk loop dm-mod dm-flakey dm-delay dm-log dm-region-hash
dm-mirror raid1 md-mod ext4 crc16 crc32c_generic|crc32c-cryptoapi mbcache
jbd2 configfs nbd"

# Host tools: SOURCE:GUEST-PATH.  Names that busybox has an applet for are
# installed under /usr/sbin or /usr/bin while the applet link lives in /sbin
# or /bin; lib.sh wraps them in functions because ash prefers its applets.
TOOLS="
/usr/bin/fio:/usr/bin/fio
/usr/sbin/dmsetup:/usr/sbin/dmsetup
/usr/sbin/mke2fs:/usr/sbin/mkfs.ext4
/usr/sbin/e2fsck:/usr/sbin/e2fsck
/usr/sbin/dumpe2fs:/usr/sbin/dumpe2fs
/usr/sbin/losetup:/usr/sbin/losetup
/usr/sbin/blockdev:/usr/sbin/blockdev
/usr/bin/script:/usr/bin/script
/usr/bin/flock:/usr/bin/flock
/usr/bin/nbd-server:/usr/bin/nbd-server
/usr/sbin/nbd-client:/usr/sbin/nbd-client
/usr/sbin/mdadm:/usr/sbin/mdadm
"
# Libraries mirrorctl links against, so the per-run archive rarely needs any.
EXTRA_LIBS="libnl-3.so.200 libnl-genl-3.so.200"
# Debian's python3 with python3-yaml, for the kernel's ynl CLI (ctl/13-ynl;
# mkrun.sh adds the CLI): only the modules the CLI imports, found by
# importing them here: 9.5 MB of the base, not the 54 MB stdlib.
PYTHON=/usr/bin/python3.11
# The first line is what cli.py and its lib import; the second what those
# import only when used (argparse's help and errors, tracebacks).
PY_IMPORTS="argparse json pprint time collections enum functools importlib os random socket struct sys yaml ipaddress uuid
locale gettext shutil textwrap copy traceback linecache tokenize encodings.ascii encodings.latin_1 encodings.utf_8"

die() { echo "mkbase: $*" >&2; exit 1; }

[ -d "$MODDIR" ] || die "no $MODDIR"

# Resolve the module closure.
mods=
add_mod() {
	case " $mods " in *" $1 "*) return ;; esac
	f=$(modinfo -b "${MODROOT:-/}" -k "$KVER" -F filename "$1" 2>/dev/null) ||
		die "module $1 not found for $KVER"
	case $f in (builtin*|"(builtin)"|"") return ;; esac
	mods="$mods $1"
	for d in $(modinfo -b "${MODROOT:-/}" -k "$KVER" -F depends "$1" | tr ',' ' '); do
		add_mod "$d"
	done
}
for m in $MODULES; do
	case $m in
	*"|"*)
		for alt in $(echo "$m" | tr '|' ' '); do
			modinfo -b "${MODROOT:-/}" -k "$KVER" -F filename "$alt" \
				>/dev/null 2>&1 && break
		done
		add_mod "$alt"
		;;
	*) add_mod "$m" ;;
	esac
done
modfiles=$(for m in $mods; do modinfo -b "${MODROOT:-/}" -k "$KVER" -F filename "$m"; done | sort -u)

# Shared libraries of all dynamic tools, plus the loader.
libs_of() {
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]*ld-linux/{print $1}'
}
TOOLS="$TOOLS $PYTHON:/usr/bin/python3"
toolsrc=$(for t in $TOOLS; do echo "${t%%:*}"; done)
for t in $toolsrc; do [ -x "$t" ] || die "missing tool $t (run tests/deps.sh)"; done
# shellcheck disable=SC2086
pyfiles=$("$PYTHON" -I -c "import sys, $(echo $PY_IMPORTS | tr ' ' ',')
print('\n'.join(sorted({m.__file__ for m in list(sys.modules.values())
	if getattr(m, '__file__', None)})))") || die "python3 cannot import: $PY_IMPORTS (run tests/deps.sh)"
libdirs="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu"
extralibs=
for l in $EXTRA_LIBS; do
	for d in $libdirs; do
		[ -e "$d/$l" ] && { extralibs="$extralibs $d/$l"; break; }
	done
done
libs=$( { for t in $toolsrc $(echo "$pyfiles" | grep '\.so$'); do libs_of "$t"; done
	echo "$extralibs" | tr ' ' '\n'; } | grep . | sort -u)

inputs=$( {
	echo "$0"; echo /bin/busybox; echo "$toolsrc"; echo "$libs"; echo "$pyfiles"
	echo "$modfiles"; echo "$MODDIR/modules.builtin"; echo "$MODDIR/modules.order"
	echo /etc/mke2fs.conf
} | grep . )
key=$( {
	echo "$KVER $MODROOT"; cat "$0"
	for f in $inputs; do stat -L -c '%n %s %Y' "$f"; done
	for l in $libs; do readlink -f "$l"; done
} | sha256sum | cut -c1-16)

out=$CACHE/base-$KVER-$key.cpio
if [ -s "$out" ] && [ -d "$CACHE/modules-$KVER-$key" ]; then
	touch "$out"
	echo "$out"
	exit 0
fi

mkdir -p "$CACHE"
stage=$(mktemp -d "$CACHE/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
R=$stage/root
mkdir -p "$R"
cd "$R"
mkdir -p bin sbin usr/bin usr/sbin lib64 lib/x86_64-linux-gnu \
	usr/lib/x86_64-linux-gnu etc proc sys dev tmp run mnt root var/tmp \
	tests "lib/modules/$KVER"

# busybox: the static binary itself, then a link per applet at its usual path.
cp /bin/busybox bin/busybox
/bin/busybox --list-full | while read -r a; do
	[ "$a" = bin/busybox ] && continue
	[ -e "$a" ] || [ -L "$a" ] || ln -s /bin/busybox "$a"
done

for t in $TOOLS; do
	src=${t%%:*} dst=${t#*:}
	rm -f ".$dst"
	cp -L "$src" ".$dst"
done
for l in $libs $pyfiles; do
	mkdir -p ".$(dirname "$l")"
	cp -L "$l" ".$l"
done
# Debian is merged-/usr; the guest has both trees as real directories and
# the loader finds libraries in either.
[ -e lib64/ld-linux-x86-64.so.2 ] || cp -L /lib64/ld-linux-x86-64.so.2 lib64/

for f in $modfiles; do
	rel=${f#"$MODDIR"/}
	mkdir -p "lib/modules/$KVER/$(dirname "$rel")"
	cp "$f" "lib/modules/$KVER/$rel"
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -e "$MODDIR/$f" ] && cp "$MODDIR/$f" "lib/modules/$KVER/"
done
depmod -b "$R" "$KVER"

cp /etc/mke2fs.conf etc/
printf 'root:x:0:0:root:/root:/bin/sh\n' >etc/passwd
printf 'root:x:0:\n' >etc/group
ln -s /proc/mounts etc/mtab

find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet >"$stage/base.cpio"
rm -rf "$CACHE/modules-$KVER-$key"
mv "$R/lib/modules/$KVER" "$CACHE/modules-$KVER-$key"
mv "$stage/base.cpio" "$out"

# Keep the cache small: drop other bases of this kernel version, once no
# run has used them for a day (a checkout on another branch may be
# building its initramfs from one right now).
for old in "$CACHE"/base-"$KVER"-*.cpio; do
	[ "$old" = "$out" ] && continue
	[ -n "$(find "$old" -mmin +1440)" ] || continue
	k=${old##*-}; k=${k%.cpio}
	rm -rf "$old" "$CACHE/modules-$KVER-$k"
done
echo "$out"
