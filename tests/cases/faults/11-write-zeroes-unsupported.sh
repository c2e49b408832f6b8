#!/bin/sh
# CHECK: a write-zeroes that the legs reject with EOPNOTSUPP (BLKZEROOUT sets NOUNMAP; loop on tmpfs cannot zero a range without unmapping) is not a leg failure: BLKZEROOUT through a synced mirror still zeroes both legs and the mirror stays synced
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

truncate -s 16M /tmp/p.img /tmp/s.img
p=$(make_loop /tmp/p.img)
s=$(make_loop /tmp/s.img)
assert_ge 1 "$(cat /sys/block/${p#/dev/}/queue/write_zeroes_max_bytes)" "loop advertises write-zeroes"
dev_fill "$p" primary
load_blkmirror
dev=$(make_mirror m "$p" "$s")
wait_synced m 60
# The block layer falls back to writing zero pages when write-zeroes
# is not supported; the caller sees success either way.
must bmblk zeroout "$dev" 1M 1M
note "$(dmesg | grep -E 'WRITE_ZEROES|blkmirror: m:' | tail -n 3)"
must bmblk zerocheck "$dev" 1M 1M
must bmblk zerocheck "$p" 1M 1M
j=$(mirrorctl status m --json)
note "$j"
assert_eq synced "$(json_get "$j" state)" "state after a write-zeroes the legs do not support (failed_leg $(json_get "$j" failed_leg), errno $(json_get "$j" failed_errno))"
must bmblk zerocheck "$s" 1M 1M
assert_legs_equal "$p" "$s"
teardown m "$p" "$s"
