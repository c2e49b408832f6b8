#!/bin/sh
# CHECK: an empty flush the primary fails (dm-flakey error_writes over a write-back loop leg) fails fsync with EIO and degrades the mirror (primary, a flush error, no write error); data stays readable
# TIMEOUT: 90
. /tests/lib.sh
. /tests/cases/faults/faults.inc

truncate -s 16M /tmp/p.img /tmp/s.img
p=$(make_loop /tmp/p.img)
s=$(make_loop /tmp/s.img)
load_dm dm_flakey
S=$(sectors "$p")
dm_create pri "0 $S linear $p 0"
dev_fill /dev/mapper/pri primary
load_blkmirror
dev=$(make_mirror m /dev/mapper/pri "$s")
wait_synced m 60
assert_eq "write back" "$(cat /sys/block/${dev#/dev/}/queue/write_cache)" "mirror write cache"
dev_fill "$dev" data 1M 2M
must bmblk flush "$dev"

dm_swap pri "0 $S flakey $p 0 0 1 1 error_writes"
run bmblk flush "$dev"
assert_eq 3 "$RC" "fsync of the mirror when the primary fails the flush ($OUT)"
assert_contains "$OUT" "errno 5" "fsync error"
assert_degraded m primary 5
assert_ge 1 "$(stat_of m primary flush_errors)" "primary flush_errors"
assert_eq 0 "$(stat_of m primary write_errors)" "primary write_errors"
dev_verify "$dev" data 1M 2M
dev_verify "$dev" primary 3M 13M
teardown m /dev/mapper/pri "$s"
