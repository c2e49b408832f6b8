#!/bin/sh
# CHECK: a primary whose writes fail on and off (dm-flakey 1 s up/1 s down): every acknowledged write is on the primary and read back through the mirror, every write reported failed is not, and the mirror is degraded (primary)
# TIMEOUT: 120
. /tests/lib.sh
. /tests/cases/faults/faults.inc

make_legs 32
load_dm dm_flakey
S=$(sectors /dev/ram0)
dm_create pri "0 $S flakey /dev/ram0 0 1 1 1 error_writes"
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri /dev/ram1 --max-rate 8M)
# 512 writes paced over several up/down periods.
bmblk ackwrite "$dev" /tmp/case/acks w 64K 8000 || fail "ackwrite exited $?"
ack_check "$dev" /tmp/case/acks w
ack_check /dev/ram0 /tmp/case/acks w
assert_ge 1 "$ACKED" "acknowledged writes"
assert_ge 1 "$FAILED" "writes reported failed (the primary was down half the time)"
note "acked $ACKED, failed $FAILED"
assert_degraded m primary 5
assert_ge "$FAILED" "$(stat_of m primary write_errors)" "primary write_errors"
teardown m /dev/mapper/pri /dev/ram1
