#!/bin/sh
# CHECK: busybox modprobe resolves every kernel module the suites use, dependencies included, and the guest tools run
. /tests/lib.sh

# 7.x replaced crc32c_generic by crc32c-cryptoapi.
crc32c=crc32c_generic
find "/lib/modules/$(uname -r)" -name 'crc32c_generic.ko*' | grep -q . ||
	crc32c=crc32c_cryptoapi
for m in brd null_blk loop dm_mod dm_flakey dm_delay dm_mirror raid1 $crc32c ext4; do
	modprobe "$m" || fail "modprobe $m failed"
	[ -d "/sys/module/$m" ] || fail "$m not loaded after modprobe"
done
for m in dm_region_hash dm_log md_mod jbd2 mbcache crc16 configfs; do
	[ -d "/sys/module/$m" ] || fail "dependency $m not loaded"
done
for t in fio dmsetup mkfs.ext4 e2fsck bmpattern bmnl mirrorctl; do
	command -v "$t" >/dev/null || fail "$t not on PATH"
done
fio --version >/dev/null || fail "fio does not run"
dmsetup version >/dev/null || fail "dmsetup does not run"
assert_match "$(losetup --version)" 'util-linux' "losetup is util-linux"
assert_match "$(blockdev --version 2>&1)" 'util-linux' "blockdev is util-linux"
