#!/bin/sh
# CHECK: a primary that fails every write mid-resync (dm-flakey error_writes): every write is reported failed, none reaches the primary, reads still serve the old data, the mirror is degraded (primary, EIO)
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm dm_flakey
S=$(sectors /dev/ram0)
dm_create pri "0 $S linear /dev/ram0 0"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/ram1 --max-rate 2M)
wait_until 10 copy_started m || fail "the copy did not start"
assert_resyncing m "before the failure"
dm_swap pri "0 $S flakey /dev/ram0 0 0 1 1 error_writes"
bmblk ackwrite "$dev" /tmp/case/acks w 64K || fail "ackwrite exited $?"
ack_check /dev/ram0 /tmp/case/acks w
assert_eq 0 "$ACKED" "writes acknowledged while the primary fails them all"
assert_eq 512 "$FAILED" "writes reported failed"
ack_check "$dev" /tmp/case/acks w
dev_verify /dev/ram0 primary
dev_verify "$dev" primary
assert_degraded m primary 5
assert_ge 1 "$(stat_of m primary write_errors)" "primary write_errors"
run mirrorctl wait m --timeout "$(tscale 10)"
assert_eq 6 "$RC" "mirrorctl wait exit code ($ERR)"
teardown m /dev/mapper/pri /dev/ram1
