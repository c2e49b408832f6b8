#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkrun.sh OUT KVER MODTREE KO CTL TOOLSDIR PLANDIR
#
# Builds the per-run initramfs part, appended after the cached base:
# /init (the guest runner), /tests (lib.sh, cases, plans), blkmirror.ko in
# /lib/modules/KVER/extra with the module indexes re-made by depmod (on a
# copy of the cached MODTREE), mirrorctl with its libraries, and the
# static helpers from TOOLSDIR.  KO or CTL may be empty to leave them out.
# When the plan has the udev suite: Debian's systemd-udevd and udevadm with
# their libraries and the udev package's own rules, and the project's
# dist/ (rules and units as in the tree) in /tests/dist.  Only then: they
# are about 10 MB, and the other suites' guests have no udev.
# BLKMIRROR_EXTRA_ROOT=DIR overlays DIR's contents on the guest root (for
# debugging tools or harness experiments).

set -eu

OUT=$1 KVER=$2 MODTREE=$3 KO=$4 CTL=$5 TOOLSDIR=$6 PLANDIR=$7
T=$(cd "$(dirname "$0")" && pwd)

stage=$(mktemp -d "${OUT%/*}/run-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
R=$stage/root
mkdir -p "$R/tests" "$R/usr/sbin" "$R/usr/bin" "$R/lib/modules/$KVER"

cp "$T/guest/init" "$R/init"
chmod 755 "$R/init"
cp "$T/lib.sh" "$T/guest/demo.sh" "$T/guest/bench.sh" "$R/tests/"
cp -R "$T/cases" "$R/tests/cases"
cp -R "$PLANDIR" "$R/tests/plan"
for f in "$TOOLSDIR"/*; do
	cp "$f" "$R/usr/bin/"
done

if [ -n "$KO" ]; then
	# depmod wants the whole tree; give it a copy with extra/ added and
	# ship only what changed: the module and the indexes.
	tree=$stage/depmod
	mkdir -p "$tree/lib/modules"
	cp -R "$MODTREE" "$tree/lib/modules/$KVER"
	mkdir -p "$tree/lib/modules/$KVER/extra" "$R/lib/modules/$KVER/extra"
	# The KUnit module is built beside ours where the kernel has KUnit.
	for ko in "$KO" "$(dirname "$KO")/blkmirror_kunit.ko"; do
		[ -e "$ko" ] || continue
		cp "$ko" "$tree/lib/modules/$KVER/extra/"
		cp "$ko" "$R/lib/modules/$KVER/extra/"
	done
	depmod -b "$tree" "$KVER"
	cp "$tree/lib/modules/$KVER"/modules.* "$R/lib/modules/$KVER/"
fi

if [ -n "$CTL" ]; then
	cp "$CTL" "$R/usr/sbin/mirrorctl"
	ldd "$CTL" 2>/dev/null | awk '/=> \//{print $3}' | while read -r l; do
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
fi

# The kernel's ynl CLI and the family's spec (ctl/13-ynl), when run.sh
# could fetch the linux-source it comes from (BM_YNL_DIR).
# 6.12 has tools/net/ynl/{cli.py,lib/}; later trees moved them to pyynl/.
ynl=${BM_YNL_DIR:-/nonexistent}/tools/net/ynl
[ -f "$ynl/pyynl/cli.py" ] && ynl=$ynl/pyynl
if [ -f "$ynl/cli.py" ]; then
	mkdir -p "$R/tests/ynl/lib"
	cp "$ynl/cli.py" "$R/tests/ynl/"
	cp "$ynl"/lib/*.py "$R/tests/ynl/lib/"
	cp "$T/../uapi/blkmirror.yaml" "$R/tests/ynl/"
	echo "${BM_YNL_DIR##*/}" >"$R/tests/ynl/SOURCE"
fi

if [ -e "$PLANDIR/udev" ]; then
	cp -R "$T/../dist" "$R/tests/dist"
	# udevadm is systemd-udevd as well, by the name it is run as.
	[ -x /bin/udevadm ] || { echo "mkrun: no /bin/udevadm (apt-get install udev)" >&2; exit 1; }
	mkdir -p "$R/bin" "$R/lib/systemd" "$R/lib/udev/rules.d" "$R/etc/udev/rules.d"
	cp -L /bin/udevadm "$R/bin/udevadm"
	ln -s /bin/udevadm "$R/lib/systemd/systemd-udevd"
	dpkg -L udev | grep '^/lib/udev/rules\.d/.*\.rules$' | while read -r f; do
		cp "$f" "$R/lib/udev/rules.d/"
	done
	ldd /bin/udevadm | awk '/=> \//{print $3}' | while read -r l; do
		mkdir -p "$R$(dirname "$l")"
		cp -L "$l" "$R$l"
	done
fi

if [ -n "${BLKMIRROR_EXTRA_ROOT:-}" ]; then
	cp -R "$BLKMIRROR_EXTRA_ROOT"/. "$R"/
fi

(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT"
