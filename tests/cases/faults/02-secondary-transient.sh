#!/bin/sh
# CHECK: a secondary that fails only for a while (dm-flakey up 1 s/down 1 s, error_writes) then recovers: the mirror stays degraded, the copy never resumes, every write is acknowledged and on the primary
# TIMEOUT: 120
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm dm_flakey
S=$(sectors /dev/ram1)
# Up for 1 s from now, then down (writes fail) for 1 s, and so on.
dm_create sec "0 $S flakey /dev/ram1 0 1 1 1 error_writes"
load_blkmirror
dev=$(make_mirror m /dev/ram0 /dev/mapper/sec --max-rate 4M)
bmblk ackwrite "$dev" /tmp/case/acks w 64K 5000 &
wpid=$!
run mirrorctl wait m --timeout "$(tscale 30)"
assert_eq 6 "$RC" "mirrorctl wait exit code ($ERR)"
wait $wpid || fail "ackwrite exited $?"
# Healthy again, for good.
dm_swap sec "0 $S linear /dev/ram1 0"
assert_degraded m secondary 5

ack_check "$dev" /tmp/case/acks w
assert_eq 512 "$ACKED" "writes acknowledged with a healthy primary"
ack_check /dev/ram0 /tmp/case/acks w

sb=$(mirror_field m synced_bytes)
sw=$(stat_of m secondary writes)
bmblk ackwrite "$dev" /tmp/case/acks2 w2 64K || fail "ackwrite after recovery"
sleep 2
ack_check /dev/ram0 /tmp/case/acks2 w2
assert_eq 512 "$ACKED" "writes acknowledged after recovery"
assert_eq degraded "$(mirror_field m state)" "state once the secondary works again"
assert_eq "$sb" "$(mirror_field m synced_bytes)" "synced_bytes (the copy must not resume)"
assert_eq "$sw" "$(stat_of m secondary writes)" "secondary writes after degrading"
teardown m /dev/ram0 /dev/mapper/sec
