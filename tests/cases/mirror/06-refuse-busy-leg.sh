#!/bin/sh
# CHECK: a mounted leg, or a leg of another mirror, is refused with EBUSY; nothing is left behind
. /tests/lib.sh

make_brd 4 64
load_ext4
load_blkmirror
mkfs.ext4 -q -F /dev/ram1 || fail "mkfs failed"
mkdir -p /mnt/busy
mount -t ext4 /dev/ram1 /mnt/busy || fail "mount failed"
assert_refused "Device or resource busy" mirrorctl create m0 /dev/ram0 /dev/ram1
note "$ERR"
assert_refused "Device or resource busy" mirrorctl create m0 /dev/ram1 /dev/ram0
assert_no_mirrors
assert_exclusive /dev/ram0
umount /mnt/busy

make_mirror a /dev/ram0 /dev/ram1 >/dev/null
assert_refused "Device or resource busy" mirrorctl create b /dev/ram0 /dev/ram2
assert_refused "Device or resource busy" mirrorctl create b /dev/ram3 /dev/ram1
assert_eq a "$(mirrorctl list --json | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')" "mirrors after refusals"
assert_exclusive /dev/ram2
assert_exclusive /dev/ram3
make_mirror b /dev/ram2 /dev/ram3 >/dev/null
