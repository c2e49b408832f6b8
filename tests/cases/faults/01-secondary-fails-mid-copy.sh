#!/bin/sh
# CHECK: the secondary failing for good mid-copy (dm error swap) under a write load: every write is acknowledged and on the primary, the mirror is degraded (secondary, EIO), the copy and secondary writes stop, destroy and rmmod work
# TIMEOUT: 120
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm
S=$(sectors /dev/ram1)
dm_create sec "0 $S linear /dev/ram1 0"
load_blkmirror
dev=$(make_mirror m /dev/ram0 /dev/mapper/sec --max-rate $PIN_RATE)

# 512 writes of 64 KiB sweeping the whole device, paced 4 ms (at least
# 2 s), across the failure: some before it, some after.
bmblk ackwrite "$dev" /tmp/case/acks w 64K 4000 &
wpid=$!
release_copy m 2M
wait_until 10 sh -c '[ "$(wc -l </tmp/case/acks)" -ge 32 ]' ||
	fail "the writer did not start"
assert_resyncing m "before the failure"
dm_swap sec "0 $S error"
at=$(wc -l </tmp/case/acks)
note "secondary failed after $at of 512 writes"
wait $wpid || fail "ackwrite exited $?"
assert_le 511 "$at" "writes done before the failure (some must come after)"

run mirrorctl wait m --timeout "$(tscale 30)"
assert_eq 6 "$RC" "mirrorctl wait exit code on a degraded mirror ($ERR)"
assert_degraded m secondary 5
fs=$(mirror_field m failed_sector)
assert_le $((S - 1)) "$fs" "failed_sector inside the device"
pc=$(mirror_field m percent)
assert_le 99 "$pc" "percent of an abandoned copy"

# A secondary failure never fails the caller: all acknowledged, all there.
ack_check "$dev" /tmp/case/acks w
assert_eq 512 "$ACKED" "writes acknowledged with a healthy primary"
ack_check /dev/ram0 /tmp/case/acks w

# The copy stopped and the secondary gets nothing more.
sb=$(mirror_field m synced_bytes)
sw=$(stat_of m secondary writes)
dev_fill "$dev" later 0 4M
sleep 1
assert_eq "$sb" "$(mirror_field m synced_bytes)" "synced_bytes after the failure"
assert_eq "$sw" "$(stat_of m secondary writes)" "secondary writes after the failure"
dev_verify /dev/ram0 later 0 4M
teardown m /dev/ram0 /dev/mapper/sec
