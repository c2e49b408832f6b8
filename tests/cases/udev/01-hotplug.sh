#!/bin/sh
# CHECK: with Debian's systemd-udevd and the project's rules, a configured two-leg mirror comes up by itself when its second leg is hot-added (loop partitions named by-partuuid), not before; it has /dev/blkmirror/NAME and /dev/disk/by-id/blkmirror-NAME and resyncs to identical legs; add and change events again (udevadm trigger) make no second mirror and log no error; taken down, a leg removed and added back brings it up again with a new copy; the rules run mirrorctl up without systemd and want blkmirror-hotplug@.service under it
# TIMEOUT: 300
#
# Not covered here: systemd as PID 1 (the guest has none), so neither
# blkmirror-hotplug@.service, blkmirror@NAME.service nor blkmirror.target
# runs here (the boot suite runs them); this case checks with `udevadm
# test` that the rules choose SYSTEMD_WANTS over RUN when
# /run/systemd/system exists.  Nor a leg pulled from under a
# running mirror: that leg fails (faults/), stays held by the mirror, and
# `up` does not attach it again.
. /tests/lib.sh
. /tests/cases/udev/udev.inc

load_blkmirror
modprobe loop || fail "modprobe loop"
udev_start

P=/tmp/case/p.img S=/tmp/case/s.img
mbr_image $P 0b1a0001 32
mbr_image $S 0b1a0002 32
PL=/dev/disk/by-partuuid/0b1a0001-01 SL=/dev/disk/by-partuuid/0b1a0002-01

note "legs, no config"
# Data on the legs before there is any config: the rules do nothing.
lp=$(attach $P) ls=$(attach $S)
assert_eq "${lp}p1" "$(readlink -f $PL)" "udev's by-partuuid link of the primary"
assert_eq "${ls}p1" "$(readlink -f $SL)" "udev's by-partuuid link of the secondary"
dev_fill ${lp}p1 primary
dev_fill ${ls}p1 stale
assert_eq 0 "$(udev_runs)" "mirrorctl runs without a config file"
detach "$ls"
detach "$lp"
assert_eq "" "$(ls /dev/disk/by-partuuid/ 2>/dev/null)" "links gone with the loops"

cat >$UDEV_CONF <<CONF
hp $PL $SL
CONF

note "primary alone"
# One leg: the mirror waits, quietly.
lp=$(attach $P)
assert_ge 1 "$(udev_runs)" "mirrorctl up ran for the primary's events"
assert_eq 0 "$(mirror_count)" "mirrors up with the secondary absent"
udev_no_errors "primary alone"

note "secondary hot-added"
# The second leg completes it.
ls=$(attach $S)
assert_eq 1 "$(mirror_count)" "mirrors up after the secondary appeared"
assert_eq "${lp}p1" "$(mirror_field hp primary)" "primary of hp"
assert_eq "${ls}p1" "$(mirror_field hp secondary)" "secondary of hp"
assert_links hp
wait_synced hp
assert_legs_equal ${lp}p1 ${ls}p1
dev_verify /dev/blkmirror/hp primary
dev=$(mirror_field hp device)
udev_no_errors "secondary hot-added"

note "add and change events again"
# Coldplug again, and change events: harmless.
runs=$(udev_runs)
udevadm trigger --action=add --subsystem-match=block
udev_settle
udevadm trigger --action=change --subsystem-match=block
udev_settle
assert_ge $((runs + 2)) "$(udev_runs)" "mirrorctl up ran again for the new events"
assert_eq 1 "$(mirror_count)" "mirrors up after a second add and a change event"
assert_eq "$dev" "$(mirror_field hp device)" "the same mirror device"
assert_eq synced "$(mirror_field hp state)" "state after the events"
assert_links hp
udev_no_errors "udevadm trigger add and change"

note "down, secondary removed and added back"
# Down, a leg removed and added back: up again, copying afresh.
must mirrorctl down hp
udev_settle
detach "$ls"
udevadm trigger --action=change --subsystem-match=block
udev_settle
assert_eq 0 "$(mirror_count)" "mirrors up with the secondary removed"
assert_eq "" "$(ls /dev/blkmirror/ 2>/dev/null)" "/dev/blkmirror/ after down"
dev_fill ${lp}p1 second
ls=$(attach $S)
assert_eq 1 "$(mirror_count)" "mirrors up after the secondary came back"
assert_links hp
wait_synced hp
assert_legs_equal ${lp}p1 ${ls}p1
dev_verify /dev/blkmirror/hp second
udev_no_errors "secondary removed and added back"

note "udevadm test"
# How the rules choose: RUN here, SYSTEMD_WANTS under systemd.
t=$(timeout 60 udevadm test --action=add "/sys/class/block/${ls#/dev/}p1" 2>&1)
assert_contains "$t" "run: '/usr/sbin/mirrorctl up --all'" "udevadm test without systemd: RUN"
assert_not_contains "$t" "blkmirror-hotplug@" "udevadm test without systemd: no SYSTEMD_WANTS"
mkdir -p /run/systemd/system
t=$(timeout 60 udevadm test --action=add "/sys/class/block/${ls#/dev/}p1" 2>&1)
rmdir /run/systemd/system /run/systemd 2>/dev/null
assert_contains "$t" "SYSTEMD_WANTS=blkmirror-hotplug@.service" "udevadm test under systemd: SYSTEMD_WANTS"
assert_not_contains "$t" "run: '/usr/sbin/mirrorctl" "udevadm test under systemd: no RUN"
