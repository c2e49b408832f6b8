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
# are about 10 MB, and the other suites' guests have no udev.  When it has
# the boot suite: udev as well, and systemd with the units a boot needs
# and the project's files as `make install` installs them.
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

if [ -e "$PLANDIR/udev" ] || [ -e "$PLANDIR/boot" ]; then
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

# The boot suite: Debian's systemd as PID 1 (tests/README.md, "The boot
# suite").  Its manager, journald, systemctl, journalctl, modules-load, the
# fstab generator, util-linux mount (systemd runs /bin/mount, busybox's
# there otherwise) with their libraries; only the units a boot to
# multi-user.target needs here (the package's 258 would start services
# of programs the guest has not), and their .wants links; and the
# project's files as `make install` installs them (PREFIX=/usr, udev's
# and systemd's directories from their pkg-config files).
if [ -e "$PLANDIR/boot" ]; then
	[ -x /lib/systemd/systemd ] || { echo "mkrun: no /lib/systemd/systemd (apt-get install systemd)" >&2; exit 1; }
	sd_bins="/lib/systemd/systemd /lib/systemd/systemd-journald /lib/systemd/systemd-modules-load
/lib/systemd/systemd-shutdown /lib/systemd/system-generators/systemd-fstab-generator
/bin/systemctl /bin/journalctl /bin/mount /bin/umount"
	sd_units="basic.target sysinit.target local-fs.target local-fs-pre.target multi-user.target
sockets.target timers.target paths.target slices.target swap.target shutdown.target
poweroff.target reboot.target halt.target final.target umount.target emergency.target
rescue.target remote-fs.target remote-fs-pre.target
systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket
systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
systemd-udev-trigger.service systemd-modules-load.service"
	for b in $sd_bins; do
		mkdir -p "$R$(dirname "$b")"
		rm -f "$R$b"
		cp -L "$b" "$R$b"
		ldd "$b" | awk '/=> \//{print $3}' | while read -r l; do
			[ -e "$R$l" ] && continue
			mkdir -p "$R$(dirname "$l")"
			cp -L "$l" "$R$l"
		done
	done
	U=/lib/systemd/system
	mkdir -p "$R$U" "$R/etc/systemd/system" "$R/var/lib/systemd"
	for u in $sd_units; do
		cp "$U/$u" "$R$U/$u"
	done
	ln -s multi-user.target "$R$U/default.target"
	for w in "$U"/*.wants/*; do
		case " $(echo $sd_units) " in *" ${w##*/} "*) ;; *) continue ;; esac
		mkdir -p "$R${w%/*}"
		cp -P "$w" "$R$w"
	done
	# The systemd package's udev rules: 99-systemd.rules tags block
	# devices for systemd (their .device units, SYSTEMD_WANTS).
	cp /lib/udev/rules.d/99-systemd.rules "$R/lib/udev/rules.d/"
	cp -L /etc/os-release "$R/etc/os-release"
	ln -s /run "$R/var/run"
	# Groups the udev rules name (no user database otherwise).
	for g in tty:5 disk:6 lp:7 kmem:15 dialout:20 cdrom:24 floppy:25 tape:26 \
		audio:29 video:44 systemd-journal:101 input:105 kvm:106 render:107 sgx:108; do
		echo "${g%:*}:x:${g#*:}:"
	done >>"$R/etc/group"
	inst=$stage/install
	make -s -C "$T/.." install DESTDIR="$inst" PREFIX=/usr >"$stage/install.log" 2>&1 ||
		{ cat "$stage/install.log" >&2; echo "mkrun: make install failed" >&2; exit 1; }
	rm -rf "$inst/usr/share/man" "$inst/usr/share/bash-completion"
	cp -R "$inst"/. "$R"/
	[ -n "$CTL" ] && cp "$CTL" "$R/usr/sbin/mirrorctl"
fi

if [ -n "${BLKMIRROR_EXTRA_ROOT:-}" ]; then
	cp -R "$BLKMIRROR_EXTRA_ROOT"/. "$R"/
fi

(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT"
