#!/bin/sh
# CHECK: with systemd-udevd and the project's rules, a config naming devices that are not there brings up no mirror and logs no error, on coldplug and on a leg of it hot-added alone; `mirrorctl up --all` by hand says nothing and exits 0 for it
# TIMEOUT: 240
. /tests/lib.sh
. /tests/cases/udev/udev.inc

load_blkmirror
modprobe loop || fail "modprobe loop"
P=/tmp/case/p.img
mbr_image $P 0b1a0011 16
cat >$UDEV_CONF <<CONF
# neither leg exists
gone /dev/disk/by-id/wwn-0x5000c500deadbeef /dev/disk/by-partuuid/0b1a00ff-01
# the primary will, the secondary never
half /dev/disk/by-partuuid/0b1a0011-01 /dev/disk/by-partuuid/0b1a00fe-01
CONF
udev_start
lp=$(attach $P)
assert_eq "${lp}p1" "$(readlink -f /dev/disk/by-partuuid/0b1a0011-01)" "by-partuuid link"
udevadm trigger --action=add --subsystem-match=block
udev_settle
assert_ge 1 "$(udev_runs)" "mirrorctl up ran for the events"
assert_eq 0 "$(mirror_count)" "mirrors up"
assert_eq "" "$(ls /dev/blkmirror/ 2>/dev/null)" "/dev/blkmirror/"
udev_no_errors "missing devices"
run mirrorctl up --all
assert_eq 0 "$RC" "up --all exit code (stderr: $ERR)"
assert_eq "" "$OUT$ERR" "up --all output"
