#!/bin/sh
# CHECK: the mirror passes up its legs' stable_writes (either leg: a leg that checksums data in flight needs stable pages) and is non-rotational only when both legs are (issue 9, bug 7)
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 16
load_blkmirror
q() { cat "/sys/block/${1#/dev/}/queue/$2"; }

# Set through sysfs as a driver would: one leg asks for stable pages, the
# other is a spinning disk.
echo 1 >/sys/block/ram1/queue/stable_writes || fail "cannot set ram1's stable_writes"
echo 1 >/sys/block/ram0/queue/rotational || fail "cannot set ram0's rotational"
dev=$(make_mirror m /dev/ram0 /dev/ram1)
assert_eq 1 "$(q "$dev" stable_writes)" "stable_writes of the mirror, secondary with stable writes"
assert_eq 1 "$(q "$dev" rotational)" "rotational of the mirror, primary rotational"
must mirrorctl destroy m

echo 0 >/sys/block/ram1/queue/stable_writes || fail "cannot clear ram1's stable_writes"
echo 0 >/sys/block/ram0/queue/rotational || fail "cannot clear ram0's rotational"
dev=$(make_mirror m /dev/ram0 /dev/ram1)
assert_eq 0 "$(q "$dev" stable_writes)" "stable_writes of the mirror, no leg with stable writes"
assert_eq 0 "$(q "$dev" rotational)" "rotational of the mirror, both legs non-rotational"
must mirrorctl destroy m
