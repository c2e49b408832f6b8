#!/bin/sh
# CHECK: the mirror passes up its legs' stable_writes (either leg: a leg that checksums data in flight needs stable pages) and is non-rotational only when both legs are, at create, attach, switch and detach (issue 9, bug 7; attach on 6.11+ and detach from reviews), with a warning when an open mirror gains stable pages, and a tuned read-ahead kept by an attach or detach that changes no feature
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

# Attach and switch change the legs of a disk in use: the secondary's
# needs reach the mirror before its first write, and after a switch the
# mirror is what its one leg is.  (On 6.11+ attach took nothing from the
# secondary: only allocation stacked the features.)
dev=$(make_mirror m /dev/ram0)
assert_eq 0 "$(q "$dev" stable_writes)" "stable_writes of a single-leg mirror on ram0"
assert_eq 0 "$(q "$dev" rotational)" "rotational of a single-leg mirror on ram0"
echo 1 >/sys/block/ram1/queue/stable_writes || fail "cannot set ram1's stable_writes"
echo 1 >/sys/block/ram1/queue/rotational || fail "cannot set ram1's rotational"
must mirrorctl attach m /dev/ram1 --wait
assert_eq 1 "$(q "$dev" stable_writes)" "stable_writes after attaching a secondary with stable writes"
assert_eq 1 "$(q "$dev" rotational)" "rotational after attaching a rotational secondary"
must mirrorctl switch m
assert_eq 1 "$(q "$dev" stable_writes)" "stable_writes after switching onto it"
assert_eq 1 "$(q "$dev" rotational)" "rotational after switching onto it"
echo 0 >/sys/block/ram0/queue/stable_writes || fail "cannot clear ram0's stable_writes"
must mirrorctl attach m /dev/ram0 --wait
must mirrorctl switch m
assert_eq 0 "$(q "$dev" stable_writes)" "stable_writes after switching back onto ram0"
assert_eq 0 "$(q "$dev" rotational)" "rotational after switching back onto ram0"

# Detach: what the secondary asked for goes with it.  The mirror is open
# (as under a mounted filesystem) when a secondary that needs stable
# pages comes: the opener keeps what it had, and the log says so.
echo 1 >/sys/block/ram1/queue/stable_writes || fail "cannot set ram1's stable_writes"
echo 1 >/sys/block/ram1/queue/rotational || fail "cannot set ram1's rotational"
exec 3<"$dev"
must mirrorctl attach m /dev/ram1 --wait
exec 3<&-
assert_eq 1 "$(q "$dev" stable_writes)" "stable_writes after attaching ram1 again"
assert_contains "$(dmesg)" "blkmirror: m: secondary /dev/ram1 needs stable pages; who has ${dev#/dev/} open already" "kernel log of an attach to an open mirror"
must mirrorctl detach m
assert_eq 0 "$(q "$dev" stable_writes)" "stable_writes after detaching the secondary with stable writes"
assert_eq 0 "$(q "$dev" rotational)" "rotational after detaching the rotational secondary"

# A tuned read-ahead survives an attach that changes no feature (a review
# said a commit of the queue's limits resets it on 6.11+; 7.2.13 kept it
# with the module before the feature update committed only changes).
echo 0 >/sys/block/ram1/queue/stable_writes || fail "cannot clear ram1's stable_writes"
echo 0 >/sys/block/ram1/queue/rotational || fail "cannot clear ram1's rotational"
echo 4096 >"/sys/block/${dev#/dev/}/queue/read_ahead_kb" || fail "cannot set the mirror's read_ahead_kb"
must mirrorctl attach m /dev/ram1 --wait
assert_eq 4096 "$(q "$dev" read_ahead_kb)" "read_ahead_kb after an attach that changes no feature"
must mirrorctl detach m
assert_eq 4096 "$(q "$dev" read_ahead_kb)" "read_ahead_kb after a detach that changes no feature"
must mirrorctl destroy m
