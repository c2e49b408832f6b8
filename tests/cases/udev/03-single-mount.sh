#!/bin/sh
# CHECK: with systemd-udevd and the project's rules, a single-leg mirror configured by the filesystem's UUID= comes up when its disk is hot-added; the filesystem's by-uuid link moves to the mirror (link_priority) and later add and change events, which then find UUID= naming the mirror itself, log no error and make no second mirror; ext4 mounts on /dev/blkmirror/NAME and its file is read back after a remount
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/udev/udev.inc

load_blkmirror
load_ext4
modprobe loop || fail "modprobe loop"
P=/tmp/case/p.img
mbr_image $P 0b1a0021 32
U=0b1a0021-0000-4000-8000-00000000f5f5
udev_start
lp=$(attach $P)
mkfs.ext4 -q -F -U $U ${lp}p1 || fail "mkfs.ext4"
detach "$lp"

cat >$UDEV_CONF <<CONF
solo UUID=$U
CONF
lp=$(attach $P)
assert_eq 1 "$(mirror_count)" "mirrors up after the disk appeared"
assert_eq single "$(mirror_field solo state)" "state of solo"
assert_eq "${lp}p1" "$(mirror_field solo primary)" "primary of solo"
assert_links solo
dev=$(mirror_field solo device)
assert_eq "$dev" "$(readlink -f /dev/disk/by-uuid/$U)" "by-uuid link: on the mirror, not the leg"
udev_no_errors "disk hot-added"

udevadm trigger --action=add --subsystem-match=block
udev_settle
udevadm trigger --action=change --subsystem-match=block
udev_settle
assert_eq 1 "$(mirror_count)" "mirrors up after add and change events"
udev_no_errors "events with UUID= naming the mirror"
run mirrorctl up --all
assert_eq 0 "$RC" "up --all by hand with UUID= naming the mirror (stderr: $ERR)"

mkdir -p /mnt/solo
mount -t ext4 /dev/blkmirror/solo /mnt/solo || fail "mount /dev/blkmirror/solo"
echo "written through the mirror" >/mnt/solo/f || fail "write"
umount /mnt/solo || fail "umount"
mount -t ext4 /dev/blkmirror/solo /mnt/solo || fail "mount again"
assert_eq "written through the mirror" "$(cat /mnt/solo/f)" "file after remount"
umount /mnt/solo || fail "umount"
e2fsck -fn "$dev" >/tmp/case/fsck.log 2>&1 || fail "e2fsck: $(tail -n 5 /tmp/case/fsck.log)"
