#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building blkmirror and running its guest tests needs.
# Idempotent and silent when everything is present; runs `apt-get update`
# only when something is missing.  Works as root without a terminal
# (CI=true, no stdin).

set -eu

PKGS="qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static
cpio kmod libnl-3-dev libnl-genl-3-dev fio e2fsprogs dmsetup sparse
util-linux pkg-config gcc make libc6-dev binutils coreutils"
# migrate/ cases: a real NBD server and client in the guest.
PKGS="$PKGS nbd-server nbd-client"
# make bench and the bench/ case: md raid1 in the guest.
PKGS="$PKGS mdadm"
# The sanitizer kernel (tests/debug-kernel/) is built from Debian's source
# package, with what Kbuild needs for it.
PKGS="$PKGS linux-source-6.1 xz-utils flex bison bc libelf-dev libssl-dev"
# The newer kernels (tests/kernels/): a sid chroot for 7.x's gcc 16, dkms
# for host/dkms, pahole for 6.12's BTF of out-of-tree modules.
PKGS="$PKGS debootstrap dkms dwarves"
# host/ynl-spec and ctl/13-ynl: the kernel's YNL schemas and CLI read with
# real YAML and JSON-schema libraries (Debian's python3, in the guest too).
PKGS="$PKGS python3 python3-yaml python3-jsonschema"
# The udev suite: Debian's systemd-udevd and udevadm in the guest;
# host/install: systemd-analyze verify of the units.
PKGS="$PKGS udev systemd"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo -n"
	else
		echo "deps: need root to install:$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"
$APT update -qq </dev/null
# shellcheck disable=SC2086
$APT install -y -qq --no-install-recommends $missing </dev/null
